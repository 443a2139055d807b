"""Issue #15's walk, end to end on a phone and on a desktop, through the pages alone: the
induction tutor sets up an ECT's induction; the mentor drops in, holds the feedback meeting
that sets a step and tags the step with the framework; the tutor writes and signs the progress
review that is due; the ECT comments and signs; the tutor downloads the PDF for the appropriate
body. Only the people, the school's calendar and the framework's wording are made directly.
Every page checked with axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachroom.induction.models import FrameworkStatement, FrameworkTag, Induction, InductionReview
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEP = "Pause and scan before the key point"


def switch_to(page: Page, base_url: str, email: str) -> None:
    """Sign out (waiting for the sign-in page, so the next request is not cut short) and in."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Coachroom")).to_be_visible()
    sign_in(page, base_url, email, PASSWORD)
    expect(page.get_by_role("heading", name=re.compile(r"^Hello, "))).to_be_visible()


def the_tutor_sets_up_alices_induction(page: Page) -> None:
    page.get_by_role("link", name="ECTs").click()
    expect(page.get_by_role("heading", name="Early-career teachers")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Set up an induction").click()
    page.get_by_label("Early-career teacher").select_option(
        label="Alice Example (alice@oak.example)"
    )
    page.get_by_label("Induction start date").fill("2026-09-07")
    page.get_by_label("FTE", exact=True).fill("1")
    page.get_by_label("Appropriate body", exact=True).fill("Oakshire Teaching School Hub")
    page.get_by_label("Mentor").select_option(label="Bob Example (bob@oak.example)")
    page.get_by_label("Induction tutor").select_option(label="Tess Example (tess@oak.example)")
    assert_accessible(page)
    page.get_by_role("button", name="Set up induction").click()
    expect(page.get_by_role("heading", name="Induction: Alice Example")).to_be_visible()
    summary = page.locator("dl.summary").first
    for who in ("Bob Example", "Tess Example", "Oakshire Teaching School Hub"):
        expect(summary.get_by_role("definition").filter(has_text=who)).to_be_visible()
    assert_accessible(page)


def the_mentor_runs_a_week_of_mentoring(page: Page) -> None:
    """From the mentor's home page: a drop-in with notes, then the feedback meeting that sets
    a step, then the step tagged with a framework statement."""
    coachees = page.get_by_role("region", name="Your coachees")
    expect(coachees.get_by_role("link", name="Alice Example", exact=True)).to_be_visible()
    assert_accessible(page)

    coachees.get_by_role("button", name="Drop in on Alice Example").click()
    expect(page.get_by_role("heading", name="Drop-in: Alice Example")).to_be_visible()
    # The form autosaves with htmx: let its scripts run before typing (see the coaching cycle).
    page.wait_for_load_state()
    page.get_by_label("What went well").fill("Calm, quick start; every pupil writing in silence.")
    assert_accessible(page)
    page.get_by_role("button", name="Save drop-in").click()
    expect(page.get_by_text("Drop-in for Alice Example saved.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Hold the feedback meeting").click()
    expect(page.get_by_role("heading", name="Feedback meeting: Alice Example")).to_be_visible()
    page.get_by_label("Precise praise").fill("Your 15-word instruction got everyone going.")
    page.get_by_label("Or write the step").fill(STEP)
    page.get_by_label("What it looks like").fill("Stops before the key point\nScans the room")
    page.get_by_label("Round 1: what was tried").fill("Paused before the key idea")
    page.get_by_label("Round 1: feedback").fill("Hold it one second longer")
    assert_accessible(page)
    page.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("Meeting saved.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=STEP).click()
    expect(page.get_by_role("heading", name=STEP)).to_be_visible()
    panel = page.locator("#framework-tags")
    expect(panel.get_by_text("Not tagged with the framework yet.")).to_be_visible()
    assert_accessible(page)
    step_url = page.url
    page.get_by_label("Framework section").select_option("2")
    page.get_by_label("Statement number (optional)").fill("2.3")
    page.get_by_role("button", name="Add tag").click()
    tag = panel.get_by_role("listitem").filter(has_text="Made-up wording about memory")
    expect(tag).to_be_visible()
    assert page.url == step_url  # htmx swapped the panel in place
    assert_accessible(page)

    # The tag shows in the picture of the framework on Alice's timeline: a picture, no ticks.
    page.get_by_role("link", name="Coachroom", exact=True).click()
    coachees = page.get_by_role("region", name="Your coachees")
    coachees.get_by_role("link", name="Alice Example", exact=True).click()
    coverage = page.get_by_role("region", name="The framework in Alice's mentoring")
    section = coverage.get_by_role("listitem").filter(has_text="2 How pupils learn")
    expect(section).to_contain_text("1 step, 0 meetings")
    assert_accessible(page)


def the_tutor_writes_and_signs_the_review(page: Page) -> None:
    page.get_by_role("link", name="ECTs").click()
    cohort = page.get_by_role("region", name="Early-career teachers in induction")
    alice = cohort.get_by_role("row").filter(has=page.get_by_role("link", name="Alice Example"))
    expect(alice.get_by_role("cell", name=re.compile(r"^1 of \d+$"))).to_be_visible()  # met once
    assert_accessible(page)
    alice.get_by_role("link", name="Alice Example").click()
    expect(page.get_by_role("heading", name="Induction: Alice Example")).to_be_visible()
    page.get_by_role("button", name="Start the progress review, autumn 2026").click()
    expect(
        page.get_by_role("heading", name="Progress review, Autumn 2026: Alice Example")
    ).to_be_visible()
    page.get_by_label("On track", exact=True).check()
    page.get_by_label("Evidence summary").fill("Routines are secure; pausing to scan is habitual.")
    page.get_by_label("Development targets").fill("Plan a hinge question for each lesson.")
    assert_accessible(page)
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review saved.")).to_be_visible()
    page.get_by_role("button", name="Sign as induction tutor").click()
    expect(page.get_by_text("Signed as the induction tutor.")).to_be_visible()
    assert_accessible(page)


def the_ect_comments_and_signs(page: Page) -> None:
    page.get_by_role("link", name="My induction").click()
    expect(page.get_by_role("heading", name="Your induction", exact=True)).to_be_visible()
    assert_accessible(page)
    # (a visually hidden part of a name may come with a space before it, or not)
    page.get_by_role(
        "link", name=re.compile(r"Signed by the tutor\s?: Progress review, Autumn 2026")
    ).click()
    expect(page.get_by_text("Routines are secure; pausing to scan is habitual.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your comments (optional)").fill("Agreed: hinge questions next.")
    page.get_by_role("button", name="Sign the review").click()
    expect(page.get_by_text("Signed. Thank you.")).to_be_visible()
    assert_accessible(page)
    # Alice chooses to let her tutor read her mentoring.
    page.get_by_role("link", name="My induction").click()
    page.get_by_role("button", name="Share my mentoring records with Tess Example").click()
    expect(page.get_by_text("Tess Example can now read your mentoring records.")).to_be_visible()
    assert_accessible(page)


def the_tutor_downloads_the_pdf(page: Page) -> None:
    page.get_by_role("link", name="ECTs").click()
    page.get_by_role("link", name="Alice Example", exact=True).click()
    expect(page.get_by_role("link", name="read Alice's mentoring")).to_be_visible()  # shared
    page.get_by_role("link", name=re.compile(r"Progress review, Autumn 2026")).click()
    expect(page.get_by_text("Alice Example, 4 Nov 2026")).to_be_visible()  # the ECT signed
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF for the appropriate body").click()
    assert download.value.suggested_filename == "Alice-Example-Progress-review-Autumn-2026.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_induction_walk_from_set_up_to_the_appropriate_bodys_pdf(
    request, screen, live_server, oak_year, alice, bob, tess
):
    page: Page = request.getfixturevalue(screen)
    FrameworkStatement.objects.create(
        section=2,
        number="2.3",
        kind="learn that",
        text="Made-up wording about memory.",
        loaded_at=timezone.now(),
    )
    url = live_server.url

    sign_in(page, url, "tess@oak.example", PASSWORD)
    the_tutor_sets_up_alices_induction(page)
    switch_to(page, url, "bob@oak.example")
    the_mentor_runs_a_week_of_mentoring(page)
    switch_to(page, url, "tess@oak.example")
    the_tutor_writes_and_signs_the_review(page)
    switch_to(page, url, "alice@oak.example")
    the_ect_comments_and_signs(page)
    switch_to(page, url, "tess@oak.example")
    the_tutor_downloads_the_pdf(page)

    induction = Induction.objects.get(ect=alice)
    assert (induction.mentor, induction.tutor) == (bob, tess)
    assert FrameworkTag.objects.get(step__title=STEP).statement == "2.3"
    review = InductionReview.objects.get(induction=induction)
    assert review.tutor_signed_at and review.ect_signed_at
    assert review.ect_comments == "Agreed: hinge questions next."
