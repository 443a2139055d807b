"""The step picker in the feedback meeting (issue item 4)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from coachroom.accounts.models import Membership
from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.library.models import LibraryStep, Phase, Strand
from tests.library.factories import LibraryStepFactory


def _meeting_url(pairing):
    return reverse("coaching:meeting-new", args=[pairing.pk])


def _picker_url(pairing):
    return reverse("coaching:step-picker", args=[pairing.pk])


def _shown(response) -> list[str]:
    return [s.title for g in response.context["picker"].groups for s in g.steps]


@pytest.fixture
def oak_steps(oak, pairing):
    """Alice teaches maths at Oak, a secondary school."""
    Membership.objects.filter(user=pairing.coachee, school=oak).update(subjects="Maths")
    strand = Strand.objects.order_by("-order").first()
    return {
        "primary": LibraryStepFactory(school=oak, title="Phonics chant", phase=Phase.PRIMARY),
        "music": LibraryStepFactory(school=oak, title="Warm-up scales", subjects="Music"),
        "maths": LibraryStepFactory(
            school=oak,
            strand=strand,
            title="Worked example, then a twin",
            subjects="Maths, Science",
            drill="Model the first example aloud, then hand over the twin.",
        ),
    }


def test_the_picker_is_grouped_by_strand_in_library_order(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.get(_meeting_url(pairing))
    groups = response.context["picker"].groups
    orders = [g.strand.order for g in groups]
    assert orders == sorted(orders) and len(set(orders)) == len(orders) > 1
    assert all(s.strand_id == g.strand.pk for g in groups for s in g.steps)
    body = response.content.decode()
    first = escape(groups[0].strand.name)
    assert f'<fieldset class="picker__strand"><legend>{first}</legend>' in body


def test_it_suits_the_schools_phase_and_the_teachers_subjects(client, bob, pairing, oak_steps):
    client.force_login(bob)
    shown = _shown(client.get(_meeting_url(pairing)))
    assert "Worked example, then a twin" in shown
    assert "Phonics chant" not in shown  # a primary step at a secondary school
    assert "Warm-up scales" not in shown  # a music step for a maths teacher
    assert not LibraryStep.objects.filter(title__in=shown, phase=Phase.PRIMARY).exists()
    everything = client.get(_meeting_url(pairing), {"show_all": "on"})
    assert {"Phonics chant", "Warm-up scales"} <= set(_shown(everything))
    assert everything.context["picker"].shown == everything.context["picker"].total


def test_each_step_shows_what_it_looks_like_and_its_drill(client, bob, pairing, oak_steps):
    client.force_login(bob)
    body = client.get(_meeting_url(pairing)).content.decode()
    option = body[body.index("Worked example, then a twin") :]
    option = option[: option.index("</details>")]
    assert "<summary>What it looks like and the drill" in option
    assert "<li>The teacher waits for silence.</li>" in option
    assert "Model the first example aloud" in option


def test_search_as_you_type_returns_only_the_results(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.get(_picker_url(pairing), {"q": "twin WORKED"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="step-picker"' in body
    assert _shown(response) == ["Worked example, then a twin"]
    none = client.get(_picker_url(pairing), {"q": "zzzz"}, HTTP_HX_REQUEST="true")
    assert "No library steps match" in none.content.decode()


def test_without_javascript_the_search_is_a_plain_get(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.get(_picker_url(pairing), {"q": "twin"})
    assert response.status_code == 302
    assert response["Location"].startswith(_meeting_url(pairing) + "?q=twin")
    page = client.get(_meeting_url(pairing), {"q": "twin"})
    assert _shown(page) == ["Worked example, then a twin"]


def test_finding_steps_without_javascript_keeps_what_was_typed(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.post(
        _meeting_url(pairing),
        {"praise": "Crisp, 12-word instruction.", "q": "twin", "find_steps": "1"},
    )
    assert response.status_code == 200
    assert "Crisp, 12-word instruction." in response.content.decode()
    assert "There is a problem" not in response.content.decode()
    assert _shown(response) == ["Worked example, then a twin"]
    assert not FeedbackMeeting.objects.exists()


def test_a_chosen_step_stays_chosen_through_a_search(client, bob, pairing, oak_steps):
    chosen = oak_steps["maths"]
    client.force_login(bob)
    response = client.get(
        _picker_url(pairing), {"q": "zzzz", "library_step": chosen.pk}, HTTP_HX_REQUEST="true"
    )
    assert f'value="{chosen.pk}" id="id_library_step_{chosen.pk}" checked' in (
        response.content.decode()
    )


def test_the_chosen_step_is_saved_with_the_meeting(client, bob, pairing, oak_steps):
    client.force_login(bob)
    response = client.post(
        _meeting_url(pairing),
        {
            "praise": "Everyone started at once.",
            "decision": "new",
            "library_step": oak_steps["maths"].pk,
            "round_1_attempt": "Ran the worked example",
        },
    )
    assert response.status_code == 302
    assert ActionStep.objects.get().library_step == oak_steps["maths"]


@pytest.mark.parametrize("extra", [3, 60])
def test_picker_queries_do_not_grow_with_the_library(
    client, bob, oak, pairing, extra, django_assert_max_num_queries
):
    LibraryStepFactory.create_batch(extra, school=oak)
    client.force_login(bob)
    # session, user, memberships (3); the coach's pair; the teacher's subjects; the library
    # joined to its strands; the session save in its savepoint (3)
    with django_assert_max_num_queries(9):
        response = client.get(_picker_url(pairing), {"q": "step"}, HTTP_HX_REQUEST="true")
    assert len(_shown(response)) >= extra


@pytest.mark.parametrize("extra", [3, 60])
def test_meeting_page_queries_do_not_grow_with_the_library(
    client, bob, oak, pairing, extra, django_assert_max_num_queries
):
    LibraryStepFactory.create_batch(extra, school=oak)
    client.force_login(bob)
    # the picker adds two queries (the teacher's subjects, the library) to the page's own:
    # signed-in person, pair, current step, school calendar, recent drop-ins, suggestions
    # and booking the next drop-in reads the pair's slot, its sessions and the calendar (3)
    with django_assert_max_num_queries(20):
        response = client.get(_meeting_url(pairing))
    assert response.context["picker"].total >= 78 + extra
