"""A teacher reviews her own lesson from a clip against her step, in a browser: each point
seen, partly or not yet with a time in the clip, then keep going (the step moves to
practising) and, after a second lesson, refine it (a new step goes to her coach). Her coach
reads only the review she shares. Every page is axe-clean."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachroom.coaching.models import ActionStep, StepState
from coachroom.coaching.selfreview.models import SelfReview
from coachroom.video.models import Clip
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, make_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ready_clip(alice, school) -> Clip:
    """A processed clip row: the review links to it and never plays it, so no file is needed."""
    now = timezone.now()
    return Clip.objects.create(
        school=school,
        owner=alice,
        uploaded_by=alice,
        key="journey-clip",
        title="Year 9 starter",
        status=Clip.Status.READY,
        protocol_confirmed_at=now,
        ready_at=now,
        delete_after=now + dt.timedelta(days=90),
    )


def _review(page: Page, *, first: str, second: str, at: str = "") -> None:
    page.get_by_role("group", name="Stops talking").get_by_label(first).check()
    page.get_by_role("group", name="Scans the room").get_by_label(second).check()
    if at:
        page.get_by_label("Where in the clip (mm:ss) for point 1").fill(at)


def test_a_teacher_reviews_her_lesson_and_moves_her_step_along(
    live_server, desktop: Page, pairing, alice, bob
):
    step = make_step(pairing, state=StepState.AGREED)
    _ready_clip(alice, pairing.school)
    sign_in(desktop, live_server.url, alice.email, PASSWORD)
    desktop.goto(live_server.url + step.get_absolute_url())
    assert_accessible(desktop)
    desktop.get_by_role("link", name="Review a lesson yourself").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Review your lesson")
    assert_accessible(desktop)

    # a time that isn't minutes:seconds is refused, and what she chose is kept
    desktop.get_by_label("Your clip of the lesson").select_option(
        label="Year 9 starter (04/11/2026)"
    )
    _review(desktop, first="Seen", second="Partly", at="a minute in")
    desktop.get_by_label("Keep working on this step").check()
    desktop.get_by_role("button", name="Save my review").click()
    expect(desktop.get_by_text("Write the time as minutes:seconds").first).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_label("Where in the clip (mm:ss) for point 1").fill("1:05")
    desktop.get_by_label("Share this review with my coach, Bob Example").check()
    desktop.get_by_role("button", name="Save my review").click()

    expect(desktop.get_by_text("Your self-review is saved")).to_be_visible()
    expect(desktop.locator("li", has_text="Stops talking")).to_contain_text("Seen at 1:05")
    expect(desktop.get_by_text("Bob Example can read this review")).to_be_visible()
    assert_accessible(desktop)
    step.refresh_from_db()
    assert step.state == StepState.PRACTISING

    # a second lesson: she refines the step, and the new one waits for her coach
    desktop.goto(live_server.url + reverse("coaching:self-review-new", args=[step.pk]))
    _review(desktop, first="Seen", second="Not yet")
    desktop.get_by_label("Refine this step").check()
    desktop.get_by_label("Or write the step").fill("Stop, scan, then say the key point")
    desktop.get_by_label("What it looks like").fill("Stops talking\nScans every row\nSays it")
    desktop.get_by_role("button", name="Save my review").click()
    expect(desktop.get_by_text("your refined step has gone to your coach")).to_be_visible()

    desktop.goto(live_server.url + reverse("coaching:my-timeline"))
    entries = desktop.locator("#timeline-entries")
    expect(entries.get_by_role("link", name="Self-review")).to_have_count(2)
    expect(entries).to_contain_text("1 seen, 1 partly, 0 not yet (shared with your coach)")
    expect(entries).to_contain_text("1 seen, 0 partly, 1 not yet (only you)")
    expect(entries).to_contain_text("refined into a new step")
    expect(entries).to_contain_text("teacher tried it in a lesson; now practising")
    assert_accessible(desktop)
    step.refresh_from_db()
    new = ActionStep.objects.get(supersedes=step)
    assert (step.state, new.state) == (StepState.SUPERSEDED, StepState.PROPOSED)

    # her coach reads the shared review on her timeline, and not the other
    desktop.context.clear_cookies()
    sign_in(desktop, live_server.url, bob.email, PASSWORD)
    desktop.goto(live_server.url + reverse("coaching:timeline", args=[alice.pk]))
    expect(
        desktop.locator("#timeline-entries").get_by_role("link", name="Self-review")
    ).to_have_count(1)
    shared = SelfReview.objects.get(shared_with_coach=True)
    desktop.goto(live_server.url + shared.get_absolute_url())
    expect(desktop.get_by_text("Reviewed from a clip of the lesson")).to_be_visible()
    assert_accessible(desktop)
