"""One whole coaching cycle on a phone-sized screen, with axe checks on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from coachroom.coaching.models import ActionStep, StepState
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Coachroom")).to_be_visible()


def drop_in(page: Page, rating: str | None, when: dt.datetime | None = None) -> None:
    page.get_by_role("button", name="Drop in on Alice Example").click()
    expect(page.get_by_role("heading", name="Drop-in: Alice Example")).to_be_visible()
    if rating:
        page.get_by_role("radio", name=rating).check()
    if when:
        page.get_by_text("Class and time").click()
        page.get_by_label("When").fill(f"{when:%Y-%m-%dT%H:%M}")
    page.get_by_label("What went well").fill("Calm, quick start; every pupil writing.")
    page.get_by_role("button", name="Save drop-in").click()
    expect(page.get_by_text("Drop-in for Alice Example saved.")).to_be_visible()


def test_a_whole_cycle_from_drop_in_to_a_secured_step(live_server, phone: Page, pairing):
    url = live_server.url
    sign_in(phone, url, "bob@oak.example", PASSWORD)
    assert_accessible(phone)

    # The first drop-in: the draft autosaves as the coach types.
    phone.get_by_role("button", name="Drop in on Alice Example").click()
    expect(phone.get_by_role("heading", name="Drop-in: Alice Example")).to_be_visible()
    # The outbox's script saves as the coach types, once it has read the device's copy.
    expect(phone.locator("form[data-offline-ready]")).to_have_count(1)
    phone.get_by_label("What went well").fill("Instructions were short and everyone started.")
    expect(phone.locator("#autosave-status")).to_contain_text("Saved at")
    assert_accessible(phone)
    phone.get_by_role("button", name="Save drop-in").click()
    expect(phone.get_by_text("Drop-in for Alice Example saved.")).to_be_visible()
    assert_accessible(phone)

    # The feedback meeting, with one rehearsal round.
    phone.get_by_role("link", name="Hold the feedback meeting").click()
    expect(phone.get_by_role("heading", name="Feedback meeting: Alice Example")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_label("Precise praise").fill("Your 15-word instruction got everyone going.")
    # The step picker searches as you type, grouped by strand, each step's drill to hand.
    phone.get_by_label("Search the step library").fill("pause")
    expect(phone.locator("#step-picker")).to_contain_text("matching “pause”")
    phone.locator("#step-picker details summary").first.click()
    expect(phone.locator("#step-picker details").first).to_have_attribute("open", "")
    assert_accessible(phone)
    phone.get_by_label("Or write the step").fill("Stop, scan, say")
    phone.get_by_label("What it looks like").fill("Stops before the key point\nSweeps the room")
    phone.get_by_label("Round 1: what was tried").fill("Paused before the key idea")
    phone.get_by_label("Round 1: feedback").fill("Hold it one second longer")
    phone.get_by_role("button", name="Save meeting").click()
    expect(phone.get_by_text("Meeting saved.")).to_be_visible()
    assert_accessible(phone)
    sign_out(phone)

    # The teacher sees the proposed step, agrees, and reflects.
    sign_in(phone, url, "alice@oak.example", PASSWORD)
    expect(phone.get_by_role("link", name="Stop, scan, say")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="Agree to this step").click()
    expect(phone.get_by_text("“Stop, scan, say” is agreed.")).to_be_visible()
    expect(phone.get_by_text("Practising", exact=True)).to_be_visible()  # rehearsed already
    assert_accessible(phone)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My coaching").click()
    expect(phone.get_by_role("heading", name="Your coaching")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="Feedback meeting").first.click()
    phone.get_by_role("textbox", name="Your reflection").fill(
        "I'll try it with Year 9 on Thursday."
    )
    phone.get_by_role("button", name="Save reflection").click()
    expect(phone.get_by_text("Your reflection has been saved.")).to_be_visible()
    assert_accessible(phone)
    sign_out(phone)

    # Two re-observations in a row where the step is seen secure it, on different days: a
    # second sighting the same day is recorded but does not count, and the page says why.
    sign_in(phone, url, "bob@oak.example", PASSWORD)
    drop_in(phone, "Seen")
    phone.get_by_role("link", name="Home").click()
    drop_in(phone, "Seen")
    expect(phone.get_by_text("on the same day as the last sighting")).to_be_visible()
    assert_accessible(phone)
    step = ActionStep.objects.get(teacher=pairing.coachee)
    assert (step.state, step.streak) == (StepState.PRACTISING, 1)
    phone.get_by_role("link", name="Home").click()
    drop_in(phone, "Seen", when=timezone.localtime() + dt.timedelta(days=1))
    step.refresh_from_db()
    assert step.state == StepState.SECURED
    phone.get_by_role("link", name="Stop, scan, say").click()
    expect(phone.get_by_text("Secured", exact=True).first).to_be_visible()
    assert_accessible(phone)
    sign_out(phone)

    # The teacher sees the whole path.
    sign_in(phone, url, "alice@oak.example", PASSWORD)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My coaching").click()
    expect(phone.get_by_text("secured", exact=False).first).to_be_visible()
    assert_accessible(phone)
