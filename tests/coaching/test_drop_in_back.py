"""Back after saving a drop-in: the saved drop-in, never a 404 that hints at another school."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from coachroom.coaching import services
from coachroom.coaching.models import Observation

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def saved(pairing, bob) -> Observation:
    with time_machine.travel(NOW, tick=False):
        observation = services.observation_start(relationship=pairing, by=bob)
        services.observation_submit(
            observation=observation, by=bob, ratings={}, went_well="Calm start"
        )
    return observation


def test_back_to_a_saved_drop_in_opens_it(client, bob, saved):
    client.force_login(bob)
    response = client.get(reverse("coaching:drop-in-edit", args=[saved.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:drop-in-detail", args=[saved.pk])
    assert client.get(response["Location"]).status_code == 200


def test_saving_twice_does_not_404_or_change_the_drop_in(client, bob, saved):
    client.force_login(bob)
    response = client.post(
        reverse("coaching:drop-in-edit", args=[saved.pk]), {"went_well": "Changed"}
    )
    assert response["Location"] == reverse("coaching:drop-in-detail", args=[saved.pk])
    saved.refresh_from_db()
    assert saved.went_well == "Calm start"


def test_someone_elses_saved_drop_in_is_still_a_404(client, carol, saved):
    client.force_login(carol)
    assert client.get(reverse("coaching:drop-in-edit", args=[saved.pk])).status_code == 404
