"""What a coach lost on the drop-in form before offline capture (issue: "Losses measured
today"), each now kept: the rating chosen so far, what was typed when Save found a problem,
and a draft written over by a submit from an older copy of the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.coaching import services
from coachroom.coaching.models import Observation, StepState
from tests.factories import make_step

LONG_NOTES = "Pupils at the back table waited for the recap. " * 2000  # ~100,000 characters


@pytest.fixture
def step(pairing):
    return make_step(pairing, state=StepState.AGREED)


@pytest.fixture
def draft(bob, pairing, step) -> Observation:
    return services.observation_start(relationship=pairing, by=bob)


def _edit(draft: Observation) -> str:
    return reverse("coaching:drop-in-edit", args=[draft.pk])


def test_the_rating_chosen_so_far_is_autosaved_and_shown_again(client, bob, draft, step):
    client.force_login(bob)
    client.post(
        reverse("coaching:drop-in-autosave", args=[draft.pk]),
        {f"step_{step.pk}": "partly", "notes": "Paused once"},
        HTTP_HX_REQUEST="true",
    )
    draft.refresh_from_db()
    assert draft.draft_ratings == {str(step.pk): "partly"}
    page = client.get(_edit(draft)).content.decode()
    assert f'name="step_{step.pk}" value="partly" required id="id_step_{step.pk}_1" checked' in page


def test_an_autosave_without_a_rating_keeps_the_one_chosen_before(client, bob, draft, step):
    client.force_login(bob)
    url = reverse("coaching:drop-in-autosave", args=[draft.pk])
    client.post(url, {f"step_{step.pk}": "seen"}, HTTP_HX_REQUEST="true")
    client.post(url, {"notes": "More"}, HTTP_HX_REQUEST="true")
    draft.refresh_from_db()
    assert draft.draft_ratings == {str(step.pk): "seen"}


def test_save_with_a_problem_keeps_what_was_typed_so_a_reload_shows_it(client, bob, draft, step):
    client.force_login(bob)
    response = client.post(_edit(draft), {"notes": LONG_NOTES, "version": draft.version})
    assert response.status_code == 200
    assert "Say whether you saw the step" in response.content.decode()
    draft.refresh_from_db()
    assert draft.notes == LONG_NOTES.strip()
    assert draft.is_draft
    assert LONG_NOTES.strip()[:200] in client.get(_edit(draft)).content.decode()


def test_a_submit_from_an_older_copy_does_not_write_over_the_saved_draft(client, bob, draft, step):
    client.force_login(bob)
    opened_at = draft.version  # the page was opened; then another tab saved the notes
    services.observation_autosave(observation=draft, by=bob, notes=LONG_NOTES)
    response = client.post(
        _edit(draft), {"notes": "", f"step_{step.pk}": "seen", "version": opened_at}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This drop-in changed after the page was opened" in page
    draft.refresh_from_db()
    assert draft.notes == LONG_NOTES
    assert draft.is_draft


def test_what_an_older_copy_sent_is_shown_beside_the_saved_one(client, bob, draft, step):
    client.force_login(bob)
    services.observation_autosave(observation=draft, by=bob, notes="Saved elsewhere")
    response = client.post(
        _edit(draft), {"notes": "Typed here", f"step_{step.pk}": "seen", "version": 1}
    )
    page = response.content.decode()
    assert "What you sent (not saved)" in page
    assert "Typed here" in page
    assert "Saved elsewhere" in page


def test_reloading_the_page_after_a_problem_resends_the_same_save_not_a_conflict(
    client, bob, draft, step
):
    client.force_login(bob)
    post = {
        "notes": "First thoughts",
        "observed_at": "2026-11-04T09:15",
        "version": draft.version,
        "once": "a" * 32,
    }
    client.post(_edit(draft), post)  # a problem: no rating; the notes are kept
    response = client.post(_edit(draft), {**post, f"step_{step.pk}": "seen"})  # the same form
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Observation.Status.SUBMITTED
    assert draft.notes == "First thoughts"


def test_each_save_raises_the_version(bob, draft):
    first = draft.version
    services.observation_autosave(observation=draft, by=bob, notes="a")
    services.observation_autosave(observation=draft, by=bob, notes="ab")
    draft.refresh_from_db()
    assert draft.version == first + 2
    services.observation_submit(observation=draft, by=bob, ratings={}, notes="abc")
    draft.refresh_from_db()
    assert draft.version == first + 3
