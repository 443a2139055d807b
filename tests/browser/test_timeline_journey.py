"""The teacher timeline's "Show earlier entries" in a browser: htmx appends the next batch,
focus moves to the first new entry, the address can be shared, and the page stays axe-clean."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from coachroom.coaching.models import Observation
from coachroom.coaching.timeline import BATCH
from tests.browser.helpers import assert_accessible, sign_in
from tests.cast import TEST_NOW
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_earlier_entries_appends_the_next_batch_and_moves_focus(
    live_server, desktop: Page, pairing, alice
):
    for i in range(BATCH + 5):
        Observation.objects.create(
            school=pairing.school,
            relationship=pairing,
            teacher=alice,
            observer=pairing.coach,
            status="submitted",
            observed_at=TEST_NOW - dt.timedelta(days=1) - i * dt.timedelta(hours=1),
        )
    sign_in(desktop, live_server.url, alice.email, PASSWORD)
    desktop.goto(live_server.url + reverse("coaching:timeline", args=[alice.pk]))
    entries = desktop.locator("#timeline-entries > li")
    expect(entries).to_have_count(BATCH)
    assert_accessible(desktop)

    desktop.get_by_role("link", name="Show earlier entries").click()

    expect(entries).to_have_count(BATCH + 5)
    expect(desktop.locator(f"#entry-{BATCH + 1}")).to_be_focused()
    expect(desktop.get_by_role("status")).to_contain_text("that is everything")
    expect(desktop.get_by_role("link", name="Show earlier entries")).to_have_count(0)
    assert f"shown={2 * BATCH}" in desktop.url
    assert_accessible(desktop)
    # the address in the bar shows the same entries when opened afresh (no JavaScript needed)
    desktop.goto(desktop.url)
    expect(entries).to_have_count(BATCH + 5)
