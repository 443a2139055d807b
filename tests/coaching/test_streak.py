"""Only sightings in different lessons on different school days secure a step (issue item 3)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from coachroom.coaching import services, streak
from coachroom.coaching.models import Rating, StepEvidence, StepState
from tests.factories import make_step

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
YEAR_8 = {"year_group": "Year 8", "subject": "Maths", "class_set": "8X2"}
YEAR_10 = {"year_group": "Year 10", "subject": "Maths", "class_set": "10Y1"}


def _seen(pairing, bob, step, at, **context):
    with time_machine.travel(at, tick=False):
        observation = services.observation_start(relationship=pairing, by=bob)
        services.observation_submit(
            observation=observation, by=bob, ratings={step.pk: Rating.SEEN}, **context
        )
    step.refresh_from_db()
    return observation


def test_two_sightings_in_the_same_minute_do_not_secure(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY, **YEAR_8)
    second = _seen(pairing, bob, step, MONDAY + dt.timedelta(seconds=40), **YEAR_8)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)
    evidence = StepEvidence.objects.get(observation=second)
    assert evidence.rating == Rating.SEEN and not evidence.counted
    assert evidence.not_counted_reason == streak.SAME_DAY
    # the history records the sighting, and why it did not count
    last = step.transitions.last()
    assert (last.event, last.observation, last.reason) == (
        "seen_not_counted",
        second,
        streak.SAME_DAY,
    )


def test_sightings_on_two_school_days_secure(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY, **YEAR_8)
    _seen(pairing, bob, step, MONDAY + dt.timedelta(days=1), **YEAR_8)
    assert step.state == StepState.SECURED
    assert list(step.transitions.values_list("event", flat=True)) == ["observed", "secured"]


def test_by_default_a_different_lesson_the_same_day_does_not_count(pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY, **YEAR_8)
    _seen(pairing, bob, step, MONDAY + dt.timedelta(hours=3), **YEAR_10)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)


def test_the_school_can_count_different_lessons_the_same_day(pairing, bob):
    pairing.school.streak_allows_same_day = True
    pairing.school.save()
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY, **YEAR_8)
    _seen(pairing, bob, step, MONDAY + dt.timedelta(hours=3), **YEAR_10)
    assert step.state == StepState.SECURED


def test_the_setting_never_counts_the_same_lesson_twice(pairing, bob):
    pairing.school.streak_allows_same_day = True
    pairing.school.save()
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY, **YEAR_8)
    same = _seen(pairing, bob, step, MONDAY + dt.timedelta(minutes=1), **YEAR_8)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)
    assert StepEvidence.objects.get(observation=same).not_counted_reason == streak.SAME_LESSON
    # with no class named, a second drop-in that day is not known to be another lesson
    unnamed = _seen(pairing, bob, step, MONDAY + dt.timedelta(hours=2))
    assert step.streak == 1
    assert StepEvidence.objects.get(observation=unnamed).not_counted_reason == (
        streak.CLASS_UNKNOWN
    )


def test_a_sighting_entered_late_is_held_to_the_same_rule(pairing, bob):
    """A drop-in typed up later with an earlier time still can't pair with a same-day one."""
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY + dt.timedelta(days=1), **YEAR_8)
    _seen(pairing, bob, step, MONDAY + dt.timedelta(days=1, hours=2), **YEAR_8)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)


def test_after_a_partly_the_same_day_counts_again(pairing, bob):
    """The rule compares with sightings in the current run, not ones a 'partly' reset."""
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY, **YEAR_8)
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        observation = services.observation_start(relationship=pairing, by=bob)
        services.observation_submit(observation=observation, by=bob, ratings={step.pk: "partly"})
    step.refresh_from_db()
    assert step.streak == 0
    _seen(pairing, bob, step, MONDAY + dt.timedelta(days=1, hours=3), **YEAR_10)
    assert step.streak == 1


def test_the_pages_say_why_a_sighting_did_not_count(client, pairing, bob, alice):
    step = make_step(pairing, state=StepState.PRACTISING)
    _seen(pairing, bob, step, MONDAY, **YEAR_8)
    second = _seen(pairing, bob, step, MONDAY + dt.timedelta(seconds=40), **YEAR_8)
    client.force_login(alice)
    step_page = client.get(reverse("coaching:step-detail", args=[step.pk])).content.decode()
    assert "on the same day as the last sighting" in step_page
    assert "Seen in a drop-in, not counted towards securing" in step_page
    drop_in = client.get(reverse("coaching:drop-in-detail", args=[second.pk])).content.decode()
    assert "on the same day as the last sighting" in drop_in


def test_the_school_settings_page_offers_the_same_day_setting(client, admin, oak):
    client.force_login(admin)
    page = client.get(reverse("accounts:school-settings")).content.decode()
    assert "Count two different lessons on the same day" in page
