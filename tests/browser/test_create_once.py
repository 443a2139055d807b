"""A create form sends once: a double tap on its button makes one record (the button is
disabled while the form is on its way, and the server answers a repeat of the same form's
one-off key with what the first made)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coachroom.coaching.models import FeedbackMeeting
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_tap_on_save_meeting_makes_one_meeting(live_server, phone: Page, pairing):
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    phone.get_by_role("link", name="Meeting with Alice Example").click()
    expect(phone.get_by_role("heading", name="Feedback meeting: Alice Example")).to_be_visible()
    phone.wait_for_load_state()
    phone.get_by_label("Precise praise").fill("Your 15-word instruction got everyone going.")
    phone.get_by_label("Or write the step").fill("Stop, scan, say")
    phone.get_by_label("What it looks like").fill("Stops before the key point")
    phone.get_by_label("Round 1: what was tried").fill("Paused before the key idea")
    phone.get_by_label("Round 1: feedback").fill("Hold it one second longer")
    phone.get_by_role("button", name="Save meeting").dblclick()
    expect(phone.get_by_text("Meeting saved.")).to_be_visible()
    assert_accessible(phone)
    assert FeedbackMeeting.objects.count() == 1
