"""Leading the programme in the browser: the leaders' pages and a teacher's goal, with axe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachroom.leading import walks
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.browser.helpers import assert_accessible, sign_in
from tests.coaching.access_rows_goals import make_goal, make_priority
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme(oak, oak_year, pairing, head, lead, alice, bob):
    make_priority(oak, oak_year)
    slot = scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=timezone.localdate() - dt.timedelta(weeks=10),
    )
    for session in SessionOccurrence.objects.filter(slot=slot, starts_at__lt=timezone.now()):
        scheduling.session_mark_held(session=session, by=bob)
    walk = walks.walk_plan(school=oak, by=head, walked_on=timezone.localdate(), focus="Entry")
    walks.walk_record_visit(walk=walk, by=head, teacher=alice, focus_seen="seen", note="Calm")
    return make_goal(pairing)


def test_lead_uses_the_leaders_tools(live_server, desktop: Page, programme):
    sign_in(desktop, live_server.url, "lead@oak.example", PASSWORD)
    menu = desktop.get_by_role("navigation", name="Main")
    for link, heading in [
        ("Whole-school priorities", "priorities"),
        ("Steps by priority and strand", "priorit"),
        ("Learning walks", "walk"),
        ("What walks found, and did it stick?", ""),
        ("Coaching-on-coaching reviews", "review"),
        ("Quality signals", "quality"),
        ("Recognition", ""),
        ("Capacity planner", "Capacity"),
    ]:
        menu.get_by_role("link", name="Programme").click()
        expect(desktop.get_by_role("heading", name="Coaching at Oak School")).to_be_visible()
        desktop.get_by_role("link", name=link, exact=True).click()
        expect(desktop.get_by_role("heading", level=1)).to_contain_text(heading, ignore_case=True)
        assert_accessible(desktop)


def test_teacher_follows_her_goal(live_server, phone: Page, programme):
    sign_in(phone, live_server.url, "alice@oak.example", PASSWORD)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My coaching").click()
    phone.get_by_role("link", name="Goals you are working towards").click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(phone)
    phone.locator(f"a[href$='/goals/{programme.pk}/']").first.click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(phone)


def test_senior_leader_sees_the_dashboard_with_charts(live_server, desktop: Page, programme):
    sign_in(desktop, live_server.url, "head@oak.example", PASSWORD)
    desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    expect(desktop.locator("svg[role=img]").first).to_be_visible()
    assert_accessible(desktop)
