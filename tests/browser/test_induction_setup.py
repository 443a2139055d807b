"""The induction tutor sets up an ECT's induction on a phone, records an absence, and the ECT
reads their dates on a desktop. Every page checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coachroom.accounts.models import CoachingRelationship
from coachroom.induction.models import Induction
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_tutor_sets_up_an_induction_and_the_ect_sees_it(
    live_server, phone: Page, desktop: Page, oak_year, alice, bob, tess
):
    url = live_server.url
    sign_in(phone, url, "tess@oak.example", PASSWORD)
    phone.get_by_role("link", name="ECTs").click()
    expect(phone.get_by_text("No inductions are set up here yet")).to_be_visible()
    assert_accessible(phone)

    phone.get_by_role("link", name="Set up an induction").click()
    phone.get_by_label("Early-career teacher").select_option(
        label="Alice Example (alice@oak.example)"
    )
    phone.get_by_label("Induction start date").fill("2026-09-07")
    phone.get_by_label("Appropriate body", exact=True).fill("Oakshire Teaching School Hub")
    phone.get_by_label("Mentor").select_option(label="Bob Example (bob@oak.example)")
    phone.get_by_label("Induction tutor").select_option(label="Tess Example (tess@oak.example)")
    assert_accessible(phone)
    phone.get_by_role("button", name="Set up induction").click()

    expect(phone.get_by_role("heading", name="Induction: Alice Example")).to_be_visible()
    dates = phone.get_by_role("table", name="Progress reviews and formal assessments")
    expect(dates.get_by_role("row")).to_have_count(7)  # a header and six dates
    expect(
        dates.get_by_role("row", name="16 Jul 2027 Formal assessment, end of year 1")
    ).to_be_visible()
    assert_accessible(phone)
    assert Induction.objects.get().mentor == bob
    assert CoachingRelationship.objects.get(coachee=alice, kind="ecf").coach == bob

    phone.get_by_label("First day absent").fill("2026-10-05")
    phone.get_by_label("Last day absent").fill("2026-10-09")
    phone.get_by_role("button", name="Record absence").click()
    expect(phone.get_by_text("5 Oct 2026 to 9 Oct 2026")).to_be_visible()
    expect(phone.get_by_text("5 school days absent")).to_be_visible()

    sign_in(desktop, url, "alice@oak.example", PASSWORD)
    desktop.get_by_role("link", name="My induction").click()
    expect(desktop.get_by_role("heading", name="Your induction")).to_be_visible()
    expect(desktop.get_by_text("Tess Example")).to_be_visible()
    expect(desktop.get_by_text("21 Jul 2028").first).to_be_visible()
    assert_accessible(desktop)
