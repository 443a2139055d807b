"""Induction end to end: the tutor sets up an ECT's induction on a phone and records an absence,
and the ECT reads their dates on a desktop; the tutor writes and signs a progress review, the
ECT and the headteacher sign it, and its PDF downloads. Every page checked with axe."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coachroom.accounts.models import CoachingRelationship
from coachroom.induction import setup
from coachroom.induction.models import Induction, InductionReview
from coachroom.induction.setup import InductionDetails
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
    expect(desktop.get_by_role("heading", name="Your induction", exact=True)).to_be_visible()
    expect(desktop.get_by_text("Tess Example", exact=True)).to_be_visible()
    expect(desktop.get_by_text("21 Jul 2028").first).to_be_visible()
    assert_accessible(desktop)


def test_the_tutor_completes_a_review_the_ect_signs_and_the_pdf_downloads(
    live_server, phone: Page, desktop: Page, oak, oak_year, alice, bob, tess, head
):
    setup.induction_set_up(
        school=oak,
        ect=alice,
        details=InductionDetails(
            starts_on=dt.date(2026, 9, 7),
            fte=Decimal("1"),
            appropriate_body="Oakshire TSH",
            mentor=bob,
            tutor=tess,
        ),
        by=tess,
    )
    url = live_server.url
    sign_in(phone, url, "tess@oak.example", PASSWORD)
    phone.get_by_role("link", name="ECTs").click()
    phone.get_by_role("link", name="Alice Example").click()
    phone.get_by_role("button", name="Start the progress review, autumn 2026").click()
    expect(
        phone.get_by_role("heading", name="Progress review, Autumn 2026: Alice Example")
    ).to_be_visible()
    phone.get_by_label("On track", exact=True).check()
    phone.get_by_label("Evidence summary").fill("Routines are secure; questions reach everyone.")
    phone.get_by_label("Development targets").fill("Plan a hinge question for each lesson.")
    phone.get_by_role("button", name="Save review").click()
    expect(phone.get_by_text("Review saved.")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="Sign as induction tutor").click()
    expect(phone.get_by_text("Signed as the induction tutor.")).to_be_visible()
    review_url = phone.url

    sign_in(desktop, url, "alice@oak.example", PASSWORD)
    desktop.get_by_role("link", name="My induction").click()
    # (a visually hidden part of a name may come with a space before it, or not)
    signed = re.compile(r"Signed by the tutor\s?: Progress review, Autumn 2026")
    desktop.get_by_role("link", name=signed).click()
    expect(desktop.get_by_text("Routines are secure; questions reach everyone.")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_label("Your comments (optional)").fill("Agreed: hinge questions next.")
    desktop.get_by_role("button", name="Sign the review").click()
    expect(desktop.get_by_text("Signed. Thank you.")).to_be_visible()

    desktop.get_by_role("button", name="Sign out").click()
    # signing out first sends what the device holds, then leaves: wait for it to finish
    expect(desktop.get_by_role("heading", name="Sign in to Coachroom")).to_be_visible()
    sign_in(desktop, url, "head@oak.example", PASSWORD)
    desktop.goto(review_url)
    desktop.get_by_role("button", name="Sign for the headteacher").click()
    expect(desktop.get_by_text("Signed for the headteacher.")).to_be_visible()
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="Download the PDF for the appropriate body").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert InductionReview.objects.get().is_complete
