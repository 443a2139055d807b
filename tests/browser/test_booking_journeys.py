"""Booking on a phone: the next drop-in from a meeting, and a clash caught before planning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, RelationshipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.datetime(2026, 11, 23, 15, 30, tzinfo=LONDON)  # in term, after school


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


def test_coach_books_the_next_drop_in_from_the_meeting(live_server, phone: Page, pairing, bob):
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    phone.goto(f"{live_server.url}/coaching/pairs/{pairing.pk}/meeting/")
    expect(phone.get_by_role("heading", name="Feedback meeting: Alice Example")).to_be_visible()
    # one tap: the first free school day is already filled in
    expect(phone.get_by_role("textbox", name="Next drop-in (optional)")).to_have_value("2026-11-24")
    expect(phone.get_by_label("Time (optional)")).to_have_value("09:00")
    assert_accessible(phone)
    phone.get_by_label("Precise praise").fill("Every pupil started within a minute.")
    phone.get_by_label("Or write the step").fill("Stop, scan, say")
    phone.get_by_label("What it looks like (optional)").fill("Stops mid-sentence\nScans the room")
    phone.get_by_label("Round 1: what was tried").fill("Paused before the key point")
    phone.get_by_role("button", name="Save meeting").click()
    expect(
        phone.get_by_text("Next drop-in booked for Tuesday 24 November at 09:00")
    ).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    expect(phone.get_by_role("heading", name="My week")).to_be_visible()
    expect(phone.get_by_role("link", name="09:00 Drop-in with Alice Example")).to_be_visible()
    expect(phone.get_by_text("Next drop-in", exact=True)).to_be_visible()
    assert_accessible(phone)
    booked = SessionOccurrence.objects.get(booked_at_meeting__isnull=False)
    assert booked.starts_at == dt.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)


def test_lead_sees_a_clash_and_takes_a_free_time(
    live_server, phone: Page, pairing, bob, carol, lead
):
    other = RelationshipFactory(
        school=pairing.school, academic_year=pairing.academic_year, coach=bob, coachee=carol
    )
    scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 11, 23),
    )
    sign_in(phone, live_server.url, "lead@oak.example", PASSWORD)
    phone.goto(f"{live_server.url}/programme/schedule/pairs/{other.pk}/")
    expect(phone.get_by_role("heading", name="Coaching slots: Carol Example")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("radio", name="Drop-in").check()
    phone.get_by_label("Day").select_option("Wednesday")
    phone.get_by_label("Start time").fill("10:00")
    phone.get_by_label("From").fill("2026-11-23")
    phone.get_by_role("button", name="Add slot").click()
    expect(phone.get_by_role("heading", name="Clashes: nothing is booked yet")).to_be_visible()
    expect(
        phone.get_by_text("Bob Example is already leading a drop-in with Alice Example").first
    ).to_be_visible()
    assert not ScheduledSlot.objects.filter(relationship=other).exists()
    assert_accessible(phone)
    phone.get_by_role("radio", name="Wednesdays at 10:15").check()
    phone.get_by_role("button", name="Add slot").click()
    expect(phone.get_by_text("set up for Carol Example")).to_be_visible()
    assert_accessible(phone)
    slot = ScheduledSlot.objects.get(relationship=other)
    assert (slot.weekday, slot.start_time) == (2, dt.time(10, 15))


def test_coach_books_a_clashing_drop_in_anyway_with_a_reason(
    live_server, phone: Page, pairing, bob, carol
):
    other = RelationshipFactory(
        school=pairing.school, academic_year=pairing.academic_year, coach=bob, coachee=carol
    )
    scheduling.slot_create(
        relationship=other,
        by=bob,
        kind="drop_in",
        weekday=1,
        start_time=dt.time(11, 0),
        starts_on=dt.date(2026, 11, 23),
    )
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    phone.goto(f"{live_server.url}/coaching/pairs/{pairing.pk}/meeting/")
    phone.get_by_label("Precise praise").fill("Every pupil started within a minute.")
    phone.get_by_label("Or write the step").fill("Stop, scan, say")
    phone.get_by_label("What it looks like (optional)").fill("Stops mid-sentence")
    phone.get_by_label("Round 1: what was tried").fill("Paused before the key point")
    phone.get_by_label("Time (optional)").fill("11:00")
    phone.get_by_role("button", name="Save meeting").click()
    expect(phone.get_by_role("heading", name="Clashes: nothing is booked yet")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_label("Book it anyway, despite the clashes").check()
    phone.get_by_label("Why it must be this time").fill("Both teach Year 9 together then")
    phone.get_by_role("button", name="Save meeting").click()
    expect(
        phone.get_by_text("Next drop-in booked for Tuesday 24 November at 11:00")
    ).to_be_visible()
    booked = SessionOccurrence.objects.get(booked_at_meeting__isnull=False)
    assert booked.clash_override_reason == "Both teach Year 9 together then"
