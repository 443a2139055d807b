"""In Chromium: a coaching lead makes an API token, sees it once, reads completion with it as
Power BI would (the page's own request context, sending only the bearer header's token), and
revokes it; the API's docs page works under the Content Security Policy. Every page of ours
passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.helpers import assert_accessible, assert_fits, sign_in
from tests.factories import PASSWORD
from tests.integrations.reporting_api.programme import drop_ins

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Power BI completion"


def _make_token(page: Page) -> str:
    page.get_by_role("link", name="API tokens for Power BI, Excel or scripts").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(page.get_by_text("You have no API tokens yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill(NAME)
    expect(
        page.get_by_label("Counts and patterns: completion, steps and stick rate")
    ).to_be_checked()
    page.get_by_label("Expires after").select_option(label="30 days")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", name=f"Your new token: “{NAME}”")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    return page.get_by_label("Token", exact=True).input_value()


def test_a_lead_makes_uses_and_revokes_a_token(live_server, phone: Page, pairing, bob, lead):
    drop_ins(pairing, bob)
    sign_in(phone, live_server.url, "lead@oak.example", PASSWORD)
    phone.goto(f"{live_server.url}/account/")
    secret = _make_token(phone)
    assert secret.startswith("cr1_")

    api = f"{live_server.url}/api/v1/completion/weeks"
    bearer = {"Authorization": f"Bearer {secret}"}
    answer = phone.request.get(api, headers=bearer)
    assert answer.status == 200
    weeks = answer.json()["items"]
    assert weeks[0]["school_name"] == "Oak School" and weeks[0]["held"] == 1
    assert phone.request.get(api).status == 401  # the session cookie alone reads nothing

    phone.reload()  # shown once: gone on the next visit, the list shows when it was used
    expect(phone.get_by_role("heading", name=f"Your new token: “{NAME}”")).to_have_count(0)
    row = phone.get_by_role("row").filter(has_text=NAME)
    expect(row).not_to_contain_text("Never")
    expect(row).to_contain_text("Active")

    phone.get_by_role("link", name=f"Revoke “{NAME}”").click()
    expect(phone.get_by_role("heading", name=f"Revoke “{NAME}”?")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="Revoke token").click()
    expect(phone.get_by_text(f"“{NAME}” is revoked: it no longer works.")).to_be_visible()
    expect(phone.get_by_role("row").filter(has_text=NAME)).to_contain_text("Revoked")
    assert_accessible(phone)
    assert phone.request.get(api, headers=bearer).status == 401


def test_the_api_docs_page_runs_under_the_content_security_policy(live_server, desktop: Page):
    blocked: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    desktop.on("console", listen)
    desktop.goto(f"{live_server.url}/api/v1/docs")
    expect(desktop.get_by_role("heading", name="Coachroom API")).to_be_visible()
    expect(desktop.get_by_text("/api/v1/completion/weeks", exact=True)).to_be_visible()
    assert blocked == []
