from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from coachroom.reporting.capacity import Assumptions, build_plan
from coachroom.scheduling import services as scheduling
from tests.factories import RelationshipFactory


@pytest.fixture
def team(oak, oak_year, bob, carol, pairing):
    """bob coaches alice (weekly) and two fortnightly coachees; carol has no coachees."""
    for _ in range(2):
        RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, cadence="fortnightly")
    scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 9, 7),
    )
    return pairing


def _load(plan, user):
    return next(c for c in plan.coaches if c.coach == user)


def test_needs_come_from_real_pairs_and_time_from_slots(oak, team, bob, carol):
    plan = build_plan(oak, Assumptions())
    bobs = _load(plan, bob)
    assert bobs.coachees == 3
    assert bobs.cycles_per_week == Decimal(2)  # 1 weekly + 2 fortnightly
    assert bobs.needed_minutes == 2 * 55
    assert bobs.timetabled_minutes == 15
    assert not bobs.fits and bobs.shortfall == 95
    assert _load(plan, carol).fits


def test_a_fortnightly_rhythm_halves_the_need(oak, team, bob):
    plan = build_plan(oak, Assumptions(rhythm="fortnightly"))
    assert _load(plan, bob).needed_minutes == int(Decimal("1.5") * 55)


def test_what_if_available_minutes_make_it_fit(oak, team, bob):
    plan = build_plan(oak, Assumptions(), available={bob.pk: 120})
    assert _load(plan, bob).fits
    assert plan.suggestions[0] == "Every coach has enough timetabled time for their coachees."


def test_cost_follows_the_domain_calculator(oak, team):
    plan = build_plan(oak, Assumptions(school_weeks=30, hourly_cost=Decimal(30)))
    # 2 cycles a week × 30 weeks = 60 cycles; coach 55 min, teacher 30 min per cycle
    assert plan.coach_hours_per_year == Decimal(55)
    assert plan.teacher_hours_per_year == Decimal(30)
    assert plan.cost_per_year == Decimal(85 * 30)


def test_suggestions_name_the_ways_to_fit(oak, team):
    tips = " ".join(build_plan(oak, Assumptions()).suggestions)
    assert "more minutes a week" in tips
    assert "fortnightly rhythm" in tips
    assert "could move to coaches with spare time" in tips


def test_page_shows_the_plan_and_a_what_if(client, lead, team, bob):
    client.force_login(lead)
    page = client.get(reverse("reporting:capacity"))
    assert page.status_code == 200
    assert page.context["plan"].coachees == 3
    what_if = client.get(
        reverse("reporting:capacity"),
        {
            "drop_in_minutes": 15,
            "meeting_minutes": 30,
            "write_up_minutes": 10,
            "rhythm": "weekly",
            "extra_coaches": 1,
            "school_weeks": 38,
            "hourly_cost": "40",
            f"available_{bob.pk}": 200,
        },
    )
    assert what_if.context["is_what_if"]
    assert _load(what_if.context["plan"], bob).available_minutes == 200
    bad = client.get(reverse("reporting:capacity"), {"drop_in_minutes": "-3"})
    assert b"There is a problem" in bad.content
    assert not bad.context["is_what_if"]


def test_school_weeks_default_counts_the_calendar(client, lead, team):
    client.force_login(lead)
    page = client.get(reverse("reporting:capacity"))
    assert 36 <= page.context["plan"].assumptions.school_weeks <= 40


@pytest.mark.parametrize("pairs", [1, 12])
def test_capacity_queries_do_not_grow(
    client, lead, oak, oak_year, bob, pairs, django_assert_max_num_queries
):
    for _ in range(pairs):
        RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
    client.force_login(lead)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reporting:capacity"))
    assert response.context["plan"].coachees == pairs
