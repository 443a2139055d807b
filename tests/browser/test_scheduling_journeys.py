"""Timetabled coaching in the browser: a lead sets up slots; a coach moves a missed session."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_sets_up_the_team_timetable(live_server, desktop: Page, lead, pairing):
    sign_in(desktop, live_server.url, "lead@oak.example", PASSWORD)
    desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    desktop.get_by_role("link", name="Coaching timetable").click()
    expect(desktop.get_by_role("heading", name="Coaching timetable")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("checkbox", name="Bob Example → Alice Example").check()
    desktop.get_by_role("radio", name="Drop-in").check()
    desktop.get_by_label("Day").select_option("Tuesday")
    desktop.get_by_label("Start time").fill("10:40")
    desktop.get_by_label("Period").fill("Period 3")
    desktop.get_by_role("button", name="Set up slots").click()
    expect(desktop.get_by_text("1 slot set up")).to_be_visible()
    expect(desktop.get_by_role("cell", name="Tuesday 10:40 (Period 3)")).to_be_visible()
    assert_accessible(desktop)


def test_coach_records_a_missed_session_and_books_it_again(live_server, phone: Page, pairing, bob):
    today = dt.date.today()
    slot = scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=today.weekday() if today.weekday() < 5 else 0,
        start_time=dt.time(0, 5),
        starts_on=today - dt.timedelta(days=21),
    )
    past = SessionOccurrence.objects.filter(slot=slot).order_by("starts_at").first()
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    expect(phone.get_by_role("heading", name="My week")).to_be_visible()
    assert_accessible(phone)
    phone.goto(live_server.url + past.get_absolute_url())
    expect(phone.get_by_text("Overdue: not recorded yet")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("radio", name="Cover duty").check()
    phone.get_by_role("button", name="Record as missed").click()
    expect(phone.get_by_text("Recorded as missed and booked again")).to_be_visible()
    assert_accessible(phone)
    past.refresh_from_db()
    assert past.status == "missed" and past.reason == "cover"
    assert past.rescheduled_to is not None and past.rescheduled_to.status == "planned"
