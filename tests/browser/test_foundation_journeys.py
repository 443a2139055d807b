from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coach_signs_in_on_a_phone_and_sees_their_coachees(live_server, phone: Page, pairing):
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    expect(phone.get_by_role("heading", name="Hello, Bob")).to_be_visible()
    expect(phone.get_by_role("link", name="Alice Example", exact=True)).to_be_visible()
    expect(phone.get_by_role("button", name="Drop in on Alice Example")).to_be_visible()
    assert_accessible(phone)


def test_coach_opens_reflections_to_read_on_a_phone(live_server, phone: Page, pairing):
    sign_in(phone, live_server.url, "bob@oak.example", PASSWORD)
    expect(phone.get_by_role("heading", name="Hello, Bob")).to_be_visible()
    phone.goto(f"{live_server.url}/coaching/reflections/")
    expect(phone.get_by_role("heading", name="Reflections to read", level=1)).to_be_visible()
    expect(phone.get_by_text("You have read every reflection")).to_be_visible()
    assert_accessible(phone)


def test_teacher_signs_in_and_shares_history_with_their_coach(live_server, phone: Page, pairing):
    sign_in(phone, live_server.url, "alice@oak.example", PASSWORD)
    expect(phone.get_by_text("Bob Example coaches you")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="Share your earlier coaching with Bob").click()
    expect(phone.get_by_text("Bob Example can now see your earlier coaching.")).to_be_visible()
    pairing.refresh_from_db()
    assert pairing.history_shared


def test_wrong_password_shows_an_accessible_error(live_server, phone: Page, alice):
    sign_in(phone, live_server.url, "alice@oak.example", "not-the-password")
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(phone)


def test_admin_searches_staff_and_invites_a_teacher(live_server, desktop: Page, admin, alice, bob):
    sign_in(desktop, live_server.url, "admin@oak.example", PASSWORD)
    desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    assert_accessible(desktop)
    desktop.get_by_role("link", name="Staff", exact=True).click()
    expect(desktop.get_by_role("heading", name="Staff")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_label("Search by name or email").fill("bob")
    expect(desktop.get_by_role("link", name="Alice Example")).to_be_hidden()
    expect(desktop.get_by_role("link", name="Bob Example")).to_be_visible()

    desktop.get_by_role("link", name="Invite a member of staff").click()
    desktop.get_by_role("button", name="Send invitation").click()
    expect(desktop.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_label("Email address").fill("new.person@oak.example")
    desktop.get_by_label("First name").fill("New")
    desktop.get_by_label("Last name").fill("Person")
    desktop.get_by_role("button", name="Send invitation").click()
    expect(
        desktop.get_by_text("An invitation has been sent to new.person@oak.example")
    ).to_be_visible()
    assert_accessible(desktop)


def test_lead_pages_pass_axe(live_server, desktop: Page, lead, pairing):
    sign_in(desktop, live_server.url, "lead@oak.example", PASSWORD)
    for link in ("Coaching pairs", "School calendar", "Staff"):
        desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
        desktop.get_by_role("link", name=link, exact=True).click()
        expect(desktop.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(desktop)
