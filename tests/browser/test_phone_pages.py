"""Every main page, for every role, on a 390 px phone: nothing wider than the screen, no axe
violations, and no link from a home or dashboard page to a page the person may not open."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachroom.leading import walks
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.browser.helpers import assert_accessible, assert_fits, sign_in
from tests.coaching.access_rows_goals import make_goal, make_priority
from tests.factories import PASSWORD, UserFactory, make_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Links that download a file, change something or leave the page set under test.
SKIP = re.compile(r"format=csv|\.csv|download|export/|/feed/|sign-out|\?|#")


@pytest.fixture
def cast(oak, oak_year, pairing, alice, bob, carol, lead, head, admin):
    """A school in the middle of a year: slots held and missed, a step, a priority, a goal, a
    learning walk, a long-named pair that widens tables, and a trust admin."""
    make_priority(oak, oak_year)
    make_step(pairing, state="practising")
    slot = scheduling.slot_create(
        relationship=pairing,
        by=lead,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 40),
        period="Period 3",
        room="Science lab 4",
        starts_on=timezone.localdate() - dt.timedelta(weeks=6),
    )
    past = SessionOccurrence.objects.filter(slot=slot, starts_at__lt=timezone.now())
    for index, session in enumerate(past.order_by("starts_at", "pk")):
        if index == 1:
            scheduling.session_mark_missed(session=session, by=bob, reason="cover")
        else:
            scheduling.session_mark_held(session=session, by=bob)
    scheduling.slot_create(
        relationship=pairing,
        by=lead,
        kind="meeting",
        weekday=3,
        start_time=dt.time(15, 30),
        room="Staffroom annexe",
        starts_on=timezone.localdate(),
    )
    walk = walks.walk_plan(school=oak, by=head, walked_on=timezone.localdate(), focus="Entry")
    walks.walk_record_visit(walk=walk, by=head, teacher=alice, focus_seen="seen", note="Calm")
    make_goal(pairing)
    trust_admin = UserFactory(first_name="Trust", email="trust@oak.example")
    oak.trust.admins.add(trust_admin)
    return oak_year


def _main_links(page: Page, base_url: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], main a[href]", "links => links.map(a => a.href)"
    )
    return [h for h in hrefs if h.startswith(base_url) and not SKIP.search(h)]


def _check(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("email", "size", "extra"),
    [
        ("lead@oak.example", "phone", []),
        ("admin@oak.example", "phone", ["accounts:year-detail"]),
        ("head@oak.example", "phone", []),
        ("bob@oak.example", "phone", ["scheduling:calendar", "scheduling:upcoming"]),
        ("alice@oak.example", "phone", ["scheduling:calendar", "scheduling:upcoming"]),
        ("trust@oak.example", "phone", ["reporting:trust-dashboard"]),
        ("lead@oak.example", "desktop", []),
    ],
)
def test_every_main_page_fits_and_passes_axe(
    live_server, phone: Page, desktop: Page, cast, email, size, extra
):
    page = phone if size == "phone" else desktop
    base = live_server.url
    sign_in(page, base, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    to_visit = [f"{base}/"]
    to_visit += [
        base + (reverse(name, args=[cast.pk]) if name.endswith("year-detail") else reverse(name))
        for name in extra
    ]
    seen: set[str] = set()
    for start in list(to_visit):
        _check(page, start)
        seen.add(start)
        links = _main_links(page, base)
        if "/programme/dashboard/" in " ".join(links):  # the leaders' tools: one level further
            page.goto(f"{base}/programme/dashboard/")
            links += _main_links(page, base)
        for url in dict.fromkeys(links):
            if url not in seen:
                seen.add(url)
                _check(page, url)
    assert len(seen) >= 3


def test_back_after_saving_a_drop_in_shows_the_drop_in(live_server, phone: Page, pairing):
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    phone.get_by_role("button", name="Drop in on Alice Example").click()
    phone.get_by_label("What went well").fill("Calm, quick start.")
    phone.get_by_role("button", name="Save drop-in").click()
    expect(phone.get_by_text("Drop-in for Alice Example saved.")).to_be_visible()
    phone.go_back()
    expect(phone.get_by_role("heading", name="Page not found")).to_have_count(0)
    expect(phone.get_by_text("Calm, quick start.")).to_be_visible()
    assert re.search(r"/drop-ins/\d+/$", phone.url)
    assert_accessible(phone)


def test_copy_the_calendar_address_or_scan_it(live_server, phone: Page, alice, pairing):
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(phone, live_server.url, "alice@oak.example", PASSWORD)
    phone.goto(live_server.url + reverse("scheduling:calendar"))
    address = phone.locator("#feed-url").input_value()
    expect(phone.get_by_role("img", name="QR code of your calendar address")).to_be_visible()
    expect(phone.get_by_text(address)).to_be_visible()
    phone.get_by_role("button", name="Copy address").click()
    expect(phone.get_by_role("status")).to_have_text(re.compile("Address copied"))
    assert phone.evaluate("navigator.clipboard.readText()") == address
    assert_fits(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="Get a new address").click()
    expect(phone.get_by_role("heading", name="Get a new calendar address?")).to_be_visible()
    assert_accessible(phone)
