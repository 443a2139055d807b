"""A drop-in's autosave never undoes its submit.

The page autosaves 1.5 s after typing stops, so an autosave can still be on its way when the
coach presses "Save drop-in". Whichever order the two land in, the drop-in stays submitted with
the submitted text, and the late autosave gets a calm "already submitted" status, not an error.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from coachroom.coaching import services
from coachroom.coaching.models import Observation

NOW = dt.datetime(2026, 11, 23, 9, 40, tzinfo=ZoneInfo("Europe/London"))
SUBMITTED = "Every pupil was writing within a minute."
IN_FLIGHT = "Every pupil was wri"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def draft(bob, pairing) -> Observation:
    observation = services.observation_start(relationship=pairing, by=bob)
    services.observation_autosave(observation=observation, by=bob, went_well=IN_FLIGHT)
    return observation


def _submit(client: Client, observation: Observation):
    return client.post(
        reverse("coaching:drop-in-edit", args=[observation.pk]),
        {"observed_at": "2026-11-23T09:15", "went_well": SUBMITTED},
    )


def _autosave(client: Client, observation: Observation, **headers: str):
    return client.post(
        reverse("coaching:drop-in-autosave", args=[observation.pk]),
        {"went_well": IN_FLIGHT, "notes": "half a thought"},
        **headers,
    )


def _assert_submitted(observation: Observation) -> None:
    observation.refresh_from_db()
    assert observation.status == Observation.Status.SUBMITTED
    assert observation.went_well == SUBMITTED
    assert observation.notes == ""
    assert observation.submitted_at == NOW


def test_an_autosave_read_before_the_submit_and_saved_after_it_changes_nothing(
    client, bob, draft, monkeypatch
):
    """The autosave request has found the draft and is about to write it when the submit,
    from a second request, commits. Its write must then find no draft to change."""
    client.force_login(bob)
    submitter = Client()
    submitter.force_login(bob)
    autosave = services.observation_autosave
    landed = []

    def submit_lands_first(**kwargs):
        if not landed:  # only the autosave request's own call; not the submit's
            landed.append(True)
            assert _submit(submitter, draft).status_code == 302
        return autosave(**kwargs)

    monkeypatch.setattr(services, "observation_autosave", submit_lands_first)
    response = _autosave(client, draft, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"Already submitted" in response.content
    assert b"Draft saved" not in response.content
    _assert_submitted(draft)


def test_an_autosave_arriving_after_the_submit_is_answered_calmly(client, bob, draft):
    client.force_login(bob)
    assert _submit(client, draft).status_code == 302

    response = _autosave(client, draft, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="autosave-status"' in response.content
    assert b"Already submitted" in response.content
    _assert_submitted(draft)


def test_save_draft_without_javascript_after_the_submit_goes_to_the_drop_in(client, bob, draft):
    client.force_login(bob)
    assert _submit(client, draft).status_code == 302

    response = _autosave(client, draft, follow=True)
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert b"already submitted" in response.content
    _assert_submitted(draft)


def test_a_stale_copy_of_the_draft_cannot_reopen_the_submitted_drop_in(bob, draft):
    stale = Observation.objects.get(pk=draft.pk)  # read while it was still a draft
    services.observation_submit(observation=draft, by=bob, ratings={}, went_well=SUBMITTED)

    assert services.observation_autosave(observation=stale, by=bob, notes="half a thought") is False
    _assert_submitted(draft)


def test_autosave_saves_only_the_authors_own_draft(bob, carol, draft):
    with pytest.raises(services.DomainError):
        services.observation_autosave(observation=draft, by=carol, notes="not mine")
    assert services.observation_autosave(observation=draft, by=bob, notes="mine") is True
    draft.refresh_from_db()
    assert (draft.notes, draft.went_well, draft.updated_at) == ("mine", IN_FLIGHT, NOW)
    assert draft.is_draft


def test_a_drop_in_cannot_be_submitted_twice(bob, draft):
    stale = Observation.objects.get(pk=draft.pk)
    services.observation_submit(observation=draft, by=bob, ratings={}, went_well=SUBMITTED)
    with pytest.raises(services.DomainError, match="already submitted"):
        services.observation_submit(observation=stale, by=bob, ratings={}, went_well="again")
    _assert_submitted(draft)
