"""The completion dashboard, calendar subscription and email preferences in the browser."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(pairing, bob):
    """A term of weekly drop-ins: some held, one missed, the rest still to come."""
    slot = scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date.today() - dt.timedelta(weeks=8),
    )
    past = SessionOccurrence.objects.filter(slot=slot, starts_at__lt=dt.datetime.now(dt.UTC))
    for index, session in enumerate(past.order_by("starts_at")):
        if index == 1:
            scheduling.session_mark_missed(session=session, by=bob, reason="cover")
        else:
            scheduling.session_mark_held(session=session, by=bob)
    return slot


def test_lead_reads_the_completion_dashboard(live_server, desktop: Page, lead, history):
    sign_in(desktop, live_server.url, "lead@oak.example", PASSWORD)
    desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    expect(desktop.get_by_role("heading", name="Coaching at Oak School")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("link", name="Completion", exact=True).click()
    expect(desktop.get_by_role("heading", name="Completion", level=1)).to_be_visible()
    expect(desktop.locator("svg[role=img]").first).to_be_visible()
    expect(desktop.get_by_role("table").first).to_be_visible()
    assert_accessible(desktop)


def test_coach_subscribes_to_their_calendar(live_server, phone: Page, bob, history):
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    phone.get_by_role(
        "link", name="See these sessions in Outlook, Google or Apple Calendar"
    ).click()
    feed_url = phone.locator("#feed-url").input_value()
    assert feed_url.endswith(".ics")
    assert_accessible(phone)
    response = phone.request.get(feed_url.replace("http://testserver", live_server.url))
    assert response.ok and b"BEGIN:VCALENDAR" in response.body()


def test_teacher_chooses_emails(live_server, phone: Page, alice, pairing):
    sign_in(phone, live_server.url, "alice@oak.example", PASSWORD)
    phone.goto(live_server.url + "/account/")
    phone.get_by_role("link", name="Choose which emails you get").click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(phone)
