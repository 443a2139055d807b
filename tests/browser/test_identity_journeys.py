"""Taking a role away, reading a locked identity and closing a year, in a browser with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coachroom.accounts.identity import IDENTITY_LOCKED
from coachroom.accounts.models import Membership
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_removes_the_coach_role_after_seeing_the_pairs_that_end(
    live_server, desktop: Page, admin, oak, oak_year, pairing, bob, elm, carol
):
    MembershipFactory(user=carol, school=elm)
    sign_in(desktop, live_server.url, "admin@oak.example", PASSWORD)
    desktop.goto(f"{live_server.url}/staff/{Membership.objects.get(user=carol, school=oak).pk}/")
    expect(desktop.get_by_text(IDENTITY_LOCKED)).to_be_visible()
    assert_accessible(desktop)

    desktop.goto(f"{live_server.url}/staff/{Membership.objects.get(user=bob, school=oak).pk}/")
    desktop.get_by_label("Coach", exact=True).uncheck()
    desktop.get_by_role("button", name="Save changes").click()
    expect(desktop.get_by_role("heading", name="Change Bob Example's roles?")).to_be_visible()
    expect(desktop.get_by_text("Coaching Alice Example")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Save and end 1 pair").click()
    expect(desktop.get_by_text("Bob Example's details have been saved.")).to_be_visible()
    pairing.refresh_from_db()
    assert pairing.ended_on is not None

    desktop.goto(f"{live_server.url}/calendar/{oak_year.pk}/")
    desktop.get_by_role("link", name=f"Close {oak_year.name}").click()
    expect(desktop.get_by_text("There is nothing to close")).to_be_visible()
    assert_accessible(desktop)


def test_a_teacher_asks_to_change_their_email(live_server, desktop: Page, alice):
    sign_in(desktop, live_server.url, "alice@oak.example", PASSWORD)
    desktop.goto(f"{live_server.url}/account/")
    desktop.get_by_role("link", name="Change your email address").click()
    assert_accessible(desktop)
    desktop.get_by_label("New email address").fill("alice@home.example")
    desktop.get_by_label("Your current password").fill(PASSWORD)
    desktop.get_by_role("button", name="Send the link").click()
    expect(desktop.get_by_text("We have emailed a link to alice@home.example.")).to_be_visible()
    desktop.goto(f"{live_server.url}/account/email/confirm/not-a-token/")
    expect(desktop.get_by_role("heading", name="This link has expired")).to_be_visible()
    assert_accessible(desktop)
