"""The device's outbox sends each save of a drop-in here (coaching/offline.py): retries,
double taps, two tabs and a reload mid-send make exactly one drop-in with the last text; a
copy changed meanwhile comes back as a conflict; nothing after the submit changes it."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from coachroom.coaching import services
from coachroom.coaching.models import Observation, StepState
from tests.factories import make_step

URL = reverse("coaching:drop-in-sync")
DEVICE_ID = str(uuid.UUID(int=7))


@pytest.fixture
def step(pairing):
    return make_step(pairing, state=StepState.AGREED)


@pytest.fixture
def coach(client, bob):
    client.force_login(bob)
    return client


def _save(client, pairing, key, *, base=1, submit=False, **fields):
    data = {
        "client_id": DEVICE_ID,
        "pair": pairing.pk,
        "base_version": base,
        "save_key": key,
        "observed_at": "2026-11-04T09:15",
        **fields,
    }
    if submit:
        data["submit"] = "on"
    return client.post(URL, data)


def test_the_first_save_from_a_device_starts_the_drop_in(coach, bob, pairing):
    response = _save(coach, pairing, "k1k1k1k1", notes="Calm start")
    assert response.status_code == 200
    answer = response.json()
    observation = Observation.objects.get()
    assert answer["outcome"] == "saved"
    assert (answer["id"], answer["version"]) == (observation.pk, observation.version)
    assert str(observation.client_id) == DEVICE_ID
    assert (observation.observer, observation.notes, observation.is_draft) == (
        bob,
        "Calm start",
        True,
    )


def test_a_retried_save_is_answered_not_applied_twice(coach, pairing):
    first = _save(coach, pairing, "k1k1k1k1", notes="Calm start").json()
    again = _save(coach, pairing, "k1k1k1k1", notes="Calm start").json()
    assert again == first
    assert Observation.objects.count() == 1


def test_a_save_after_an_unanswered_one_builds_on_it(coach, pairing):
    _save(coach, pairing, "k1k1k1k1", notes="Calm")  # arrived; the answer was lost
    response = _save(
        coach, pairing, "k2k2k2k2", base=1, previous_key="k1k1k1k1", notes="Calm start, writing"
    )
    assert response.json()["outcome"] == "saved"
    assert Observation.objects.get().notes == "Calm start, writing"


def test_two_tabs_sending_in_turn_make_one_drop_in_with_the_last_text(coach, pairing):
    first = _save(coach, pairing, "aaaa0001", notes="From tab A").json()
    second = _save(coach, pairing, "bbbb0001", base=first["version"], notes="From tab B").json()
    assert second["outcome"] == "saved"
    observation = Observation.objects.get()
    assert observation.notes == "From tab B"


def test_a_double_tap_on_save_submits_once(coach, pairing, step):
    fields = {f"step_{step.pk}": "seen", "notes": "Every pupil writing"}
    first = _save(coach, pairing, "k1k1k1k1", submit=True, **fields)
    again = _save(coach, pairing, "k1k1k1k1", submit=True, **fields)
    assert first.json()["outcome"] == again.json()["outcome"] == "submitted"
    observation = Observation.objects.get()
    assert observation.status == Observation.Status.SUBMITTED
    assert observation.evidence.count() == 1
    assert first.json()["detail_url"] == observation.get_absolute_url()


def test_a_save_arriving_after_the_submit_changes_nothing(coach, pairing, step):
    _save(coach, pairing, "k1k1k1k1", submit=True, **{f"step_{step.pk}": "seen", "notes": "Final"})
    late = _save(coach, pairing, "k0k0k0k0", notes="Fin").json()
    assert late["outcome"] == "submitted"
    observation = Observation.objects.get()
    assert (observation.notes, observation.is_draft) == ("Final", False)


def test_a_copy_changed_elsewhere_comes_back_as_a_conflict(coach, bob, pairing, step):
    first = _save(coach, pairing, "k1k1k1k1", notes="Typed on the phone").json()
    observation = Observation.objects.get()
    services.observation_autosave(  # the laptop saved it meanwhile
        observation=observation, by=bob, notes="Typed on the laptop", ratings={step.pk: "partly"}
    )
    response = _save(coach, pairing, "k2k2k2k2", base=first["version"], notes="More on the phone")
    assert response.status_code == 409
    answer = response.json()
    assert answer["outcome"] == "conflict"
    assert answer["server"]["notes"] == "Typed on the laptop"
    assert answer["server"][f"step_{step.pk}"] == "partly"
    assert Observation.objects.get().notes == "Typed on the laptop"  # nothing written over
    # The coach keeps the phone's version: sent again on the server's version, it is saved.
    kept = _save(coach, pairing, "k3k3k3k3", base=answer["version"], notes="More on the phone")
    assert kept.json()["outcome"] == "saved"
    assert Observation.objects.get().notes == "More on the phone"


def test_a_submit_with_a_problem_keeps_the_text_and_says_what_is_missing(coach, pairing, step):
    response = _save(coach, pairing, "k1k1k1k1", submit=True, notes="No rating yet")
    assert response.status_code == 422
    answer = response.json()
    assert answer["outcome"] == "invalid"
    assert f"step_{step.pk}" in answer["errors"]
    observation = Observation.objects.get()
    assert (observation.notes, observation.is_draft) == ("No rating yet", True)


def test_the_submit_puts_a_message_on_the_next_page(coach, pairing):
    _save(coach, pairing, "k1k1k1k1", submit=True, notes="Calm")
    assert "Drop-in for Alice Example saved." in coach.get(reverse("home")).content.decode()


def test_a_drop_in_opened_online_is_sent_by_its_id(coach, bob, pairing):
    observation = services.observation_start(relationship=pairing, by=bob)
    response = coach.post(
        URL,
        {
            "client_id": str(uuid.uuid4()),  # an older draft: the device's own id for it
            "id": observation.pk,
            "base_version": observation.version,
            "save_key": "k1k1k1k1",
            "notes": "Saved by id",
        },
    )
    assert response.json()["outcome"] == "saved"
    assert Observation.objects.get().notes == "Saved by id"


def test_another_coach_cannot_send_to_a_pair_or_drop_in_not_theirs(client, carol, bob, pairing):
    client.force_login(carol)
    assert _save(client, pairing, "k1k1k1k1", notes="Not mine").status_code == 404
    observation = services.observation_start(relationship=pairing, by=bob)
    mine = {"client_id": DEVICE_ID, "id": observation.pk, "base_version": 1, "save_key": "k1k1k1k1"}
    assert client.post(URL, mine).status_code == 404
    assert Observation.objects.get().notes == ""


def test_an_outsider_gets_404(client, outsider, pairing):
    client.force_login(outsider)
    assert _save(client, pairing, "k1k1k1k1", notes="x").status_code == 404
    assert not Observation.objects.exists()


def test_a_device_id_is_one_coach_s(client, bob, carol, pairing, oak_year):
    """Another coach sending the same device id (a guess) finds nothing of bob's."""
    client.force_login(bob)
    _save(client, pairing, "k1k1k1k1", notes="Bob's")
    client.force_login(carol)
    response = client.post(
        URL, {"client_id": DEVICE_ID, "base_version": 1, "save_key": "k2k2k2k2", "notes": "x"}
    )
    assert response.status_code == 400
    assert Observation.objects.get().notes == "Bob's"


def test_a_save_with_no_device_id_is_refused(coach, pairing):
    response = coach.post(URL, {"pair": pairing.pk, "base_version": 1, "save_key": "k1k1k1k1"})
    assert response.status_code == 400
    assert not Observation.objects.exists()
