"""A school admin connects the school's directory: makes a SCIM token, sees it once, the
directory uses it, and the admin revokes it. Every page passes axe."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from coachroom.integrations.provisioning.models import ScimToken
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _users(url: str, secret: str) -> int:
    reply = requests.get(
        f"{url}/scim/v2/Users",
        params={"filter": 'userName eq "alice@oak.example"'},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=20,
    )
    return reply.status_code


def test_an_admin_makes_a_scim_token_sees_it_once_and_revokes_it(
    live_server, desktop: Page, admin, alice
):
    url = live_server.url
    sign_in(desktop, url, "admin@oak.example", PASSWORD)
    desktop.goto(f"{url}/staff/")
    desktop.get_by_role("link", name="Connect your directory (SCIM)").click()
    expect(desktop.get_by_role("heading", name="Staff provisioning (SCIM)")).to_be_visible()
    expect(desktop.get_by_label("Tenant URL (SCIM base URL)")).to_have_value(f"{url}/scim/v2/")
    expect(desktop.get_by_text("No tokens yet.")).to_be_visible()
    assert_accessible(desktop)

    desktop.get_by_label("Name").fill("Microsoft Entra ID")
    desktop.get_by_role("button", name="Make a token").click()
    heading = desktop.get_by_role("heading", name="Your new token “Microsoft Entra ID”")
    expect(heading).to_be_focused()
    secret = desktop.get_by_label("Secret token").input_value()
    assert secret.startswith("crscim_")
    expect(desktop.get_by_role("button", name="Copy token")).to_be_visible()
    tokens = desktop.get_by_role("table", name="SCIM tokens for Oak School")
    expect(tokens.get_by_role("row")).to_have_count(2)
    expect(tokens.get_by_text("Not yet")).to_be_visible()
    assert_accessible(desktop)

    # The directory uses it; the page then says when.
    assert _users(url, secret) == 200
    desktop.goto(f"{url}/staff/provisioning/")
    expect(desktop.get_by_label("Secret token")).to_have_count(0)  # shown once only
    assert secret not in desktop.content()
    expect(tokens.get_by_text("Not yet")).to_have_count(0)

    tokens.get_by_role("link", name="Revoke the token “Microsoft Entra ID”").click()
    expect(
        desktop.get_by_role("heading", name="Revoke the token “Microsoft Entra ID”?")
    ).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Revoke the token").click()

    expect(
        desktop.get_by_text("has been revoked: your directory can no longer use it")
    ).to_be_visible()
    expect(desktop.get_by_text("No tokens yet.")).to_be_visible()
    assert_accessible(desktop)
    assert _users(url, secret) == 401
    assert ScimToken.objects.get().revoked_by == admin
