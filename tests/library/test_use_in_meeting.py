"""From a library step to a feedback meeting with that step chosen (issue item 4)."""

from __future__ import annotations

from django.urls import reverse

from coachroom.library.models import LibraryStep
from tests.factories import RelationshipFactory


def _starter():
    return LibraryStep.objects.starter().order_by("pk").first()


def test_a_coach_takes_a_library_step_into_a_meeting(client, bob, alice, pairing):
    step = _starter()
    client.force_login(bob)
    page = client.get(step.get_absolute_url()).content.decode()
    assert "Use in a meeting" in page
    assert f'<option value="{pairing.pk}">Alice Example</option>' in page
    response = client.get(
        reverse("coaching:meeting-with-step"), {"pair": pairing.pk, "library_step": step.pk}
    )
    meeting = reverse("coaching:meeting-new", args=[pairing.pk])
    assert response["Location"] == f"{meeting}?library_step={step.pk}#step-choice-title"
    form_page = client.get(meeting, {"library_step": step.pk})
    assert form_page.context["picker"].chosen == step
    assert form_page.context["form"]["decision"].value() == "new"
    body = form_page.content.decode()
    assert f'value="{step.pk}" id="id_library_step_{step.pk}" checked' in body


def test_no_meeting_action_without_current_pairs(client, alice, carol, pairing):
    step = _starter()
    for person in (alice, carol):  # a teacher, and a coach with no coachees
        client.force_login(person)
        assert "Use in a meeting" not in client.get(step.get_absolute_url()).content.decode()


def test_another_coachs_pair_is_not_found(client, carol, oak, oak_year, pairing):
    RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    client.force_login(carol)
    response = client.get(
        reverse("coaching:meeting-with-step"),
        {"pair": pairing.pk, "library_step": _starter().pk},
    )
    assert response.status_code == 404
