"""In Chromium: the audit and data protection pages work and pass axe, and busy pages break no
Content Security Policy.

Chromium reports every blocked inline style, script or eval to the console, so each page here is
visited with a console listener and must leave it free of CSP (and Permissions-Policy) errors.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from coachroom.audit.models import AuditEvent
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, UserFactory
from tests.records.history import make_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Console:
    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._on_message)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _on_message(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            self.errors.append(message.text)

    def assert_no_policy_errors(self, page: Page) -> None:
        blocked = [
            e for e in self.errors if "Content Security Policy" in e or "Permissions-Policy" in e
        ]
        assert not blocked, f"{page.url}\n" + "\n".join(blocked)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Coachroom")).to_be_visible()


@pytest.fixture
def history(pairing, bob):
    slot = scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date.today() - dt.timedelta(weeks=8),
    )
    past = SessionOccurrence.objects.filter(slot=slot, starts_at__lt=timezone.now())
    for session in past:
        scheduling.session_mark_held(session=session, by=bob)
    return slot


def test_busy_pages_keep_to_the_content_security_policy(
    live_server, desktop: Page, pairing, admin, lead, history
):
    _busy_pages(desktop, Console(desktop), live_server.url)


def _busy_pages(page: Page, console: Console, url: str) -> None:
    # Home, then a drop-in whose draft saves as the coach types (the offline outbox).
    sign_in(page, url, "bob@oak.example", PASSWORD)
    expect(page.get_by_role("button", name="Drop in on Alice Example")).to_be_visible()
    console.assert_no_policy_errors(page)
    page.get_by_role("button", name="Drop in on Alice Example").click()
    expect(page.get_by_role("heading", name="Drop-in: Alice Example")).to_be_visible()
    # The outbox's script saves as the coach types, once it has read the device's copy.
    expect(page.locator("form[data-offline-ready]")).to_have_count(1)
    page.get_by_label("What went well").fill("Instructions were short and everyone started.")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at")
    console.assert_no_policy_errors(page)
    _sign_out(page)

    # The completion dashboard and its SVG charts.
    sign_in(page, url, "lead@oak.example", PASSWORD)
    page.goto(url + reverse("reporting:completion"))  # (the navigation is being reshaped)
    expect(page.locator("svg.chart-svg").first).to_be_visible()
    box = page.locator("svg.chart-svg").first.bounding_box()
    assert box is not None and box["width"] >= 32 * 16 - 1  # min-width: 32rem, from the CSS
    console.assert_no_policy_errors(page)
    _sign_out(page)

    # Live staff search.
    sign_in(page, url, "admin@oak.example", PASSWORD)
    page.goto(url + reverse("accounts:staff-list"))
    page.get_by_label("Search by name or email").fill("alice")
    expect(page.get_by_role("cell", name="Bob Example")).to_have_count(0)
    expect(page.get_by_role("cell", name="alice@oak.example")).to_be_visible()
    console.assert_no_policy_errors(page)


def test_admin_filters_the_audit_log_live(live_server, desktop: Page, oak, admin, alice, bob):
    AuditEvent.objects.create(
        school=oak, actor=bob, subject=alice, action="coaching.observation.viewed"
    )
    AuditEvent.objects.create(school=oak, actor=admin, action="accounts.year.created")
    _filter_the_log(desktop, Console(desktop), live_server.url)


def _filter_the_log(page: Page, console: Console, url: str) -> None:
    sign_in(page, url, "admin@oak.example", PASSWORD)
    page.goto(url + reverse("audit:log"))
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="Set up an academic year")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Person (name or email)").fill("bob")
    expect(page.get_by_role("cell", name="Set up an academic year")).to_have_count(0)
    expect(page.get_by_text("Viewed a drop-in")).to_be_visible()
    assert "q=bob" in page.url  # the filtered view can be bookmarked and shared
    page.get_by_label("What happened").select_option(label="Changes to coaching records")
    expect(page.get_by_text("No events match those filters.")).to_be_visible()
    assert_accessible(page)
    console.assert_no_policy_errors(page)


def test_bulk_access_notice_and_my_views(live_server, desktop: Page, oak, admin, alice, bob):
    start = timezone.now() - dt.timedelta(hours=2)
    for n in range(21):
        event = AuditEvent.objects.create(
            school=oak, actor=bob, subject=UserFactory(), action="coaching.timeline.viewed"
        )
        AuditEvent.objects.filter(pk=event.pk).update(created_at=start + dt.timedelta(minutes=n))
    AuditEvent.objects.create(
        school=oak, actor=bob, subject=alice, action="coaching.feedbackmeeting.viewed"
    )
    _notice_and_my_views(desktop, Console(desktop), live_server.url)


def _notice_and_my_views(page: Page, console: Console, url: str) -> None:
    sign_in(page, url, "admin@oak.example", PASSWORD)
    page.goto(url + reverse("audit:log"))
    notice = page.get_by_role("region", name="possible bulk access")
    expect(notice).to_contain_text("Bob Example viewed the coaching notes of 21 teachers")
    assert_accessible(page)
    console.assert_no_policy_errors(page)
    _sign_out(page)

    sign_in(page, url, "alice@oak.example", PASSWORD)
    page.goto(url + reverse("audit:my-views"))
    expect(page.get_by_role("heading", name="Who has viewed your coaching records")).to_be_visible()
    expect(page.get_by_role("cell", name="Bob Example")).to_be_visible()
    expect(page.get_by_role("cell", name="Viewed a feedback meeting")).to_be_visible()
    assert_accessible(page)
    console.assert_no_policy_errors(page)


def test_the_data_protection_lead_finds_the_exports_and_the_admin_does_not(
    live_server, desktop: Page, oak, admin, dpo, alice, bob, pairing
):
    make_history(pairing)
    _data_protection_pages(desktop, Console(desktop), live_server.url)


def _data_protection_pages(page: Page, console: Console, url: str) -> None:
    sign_in(page, url, "dora@oak.example", PASSWORD)
    page.goto(url + reverse("records:index"))
    section = page.get_by_role("region", name="data protection")
    expect(section.get_by_role("link", name="The school's audit log")).to_be_visible()
    assert_accessible(page)
    section.get_by_role("link", name="Export all of the school's data").click()
    expect(page.get_by_text("(1 person)")).to_be_visible()  # alice, whose records are in it
    assert_accessible(page)
    page.goto(url + reverse("records:subject-access"))
    expect(page.get_by_label("Whose data?")).to_be_visible()
    assert_accessible(page)
    console.assert_no_policy_errors(page)
    _sign_out(page)

    sign_in(page, url, "admin@oak.example", PASSWORD)
    page.goto(url + reverse("records:index"))
    expect(page.get_by_text("answered by your data protection lead")).to_be_visible()
    expect(page.get_by_role("link", name="Answer a subject access request")).to_have_count(0)
    assert_accessible(page)
