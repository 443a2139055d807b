"""A teacher's list of their own coaching sessions says whose sessions it lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from coachroom.scheduling import services as scheduling
from tests.html import visible_text


@pytest.fixture(autouse=True)
def _start_of_term(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC))


def test_upcoming_says_it_lists_sessions_as_the_teacher_being_coached(client, alice, pairing):
    scheduling.slot_create(
        relationship=pairing,
        by=pairing.coach,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 9, 7),
    )
    client.force_login(alice)
    text = visible_text(client.get(reverse("scheduling:upcoming")).content.decode())
    assert "Your coaching sessions as the teacher being coached" in text
    assert "with Bob Example" in text
    assert "My week" not in text.split("Your coaching sessions as the teacher", 2)[2]


def test_a_coach_is_pointed_to_the_sessions_they_lead(client, bob, lead, oak_year):
    client.force_login(bob)
    text = visible_text(client.get(reverse("scheduling:upcoming")).content.decode())
    assert "The sessions you lead as a coach are in My week" in text
    assert "No sessions are planned with your coach yet" in text
    week = visible_text(client.get(reverse("scheduling:week")).content.decode())
    assert "the sessions you lead as a coach" in week
