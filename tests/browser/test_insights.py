"""A coaching lead asks "what works here?" and reads the answers, on desktop and phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, assert_fits, sign_in
from tests.factories import PASSWORD
from tests.reporting.insights.history import make_year_of_coaching

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(oak):
    return make_year_of_coaching(oak, teachers=12)


def test_lead_opens_insights_from_the_programme_page(live_server, desktop: Page, lead, history):
    sign_in(desktop, live_server.url, "lead@oak.example", PASSWORD)
    desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    desktop.get_by_role("link", name="Insights: what works here?").click()
    expect(desktop.get_by_role("heading", name="What works here?", level=1)).to_be_visible()
    chart = desktop.get_by_role("img", name="Steps the teacher proposed, or the coach", exact=False)
    expect(chart).to_be_visible()
    expect(
        desktop.get_by_role("table", name="Steps the teacher proposed, or the coach: the figures")
    ).to_be_visible()
    expect(desktop.get_by_text("not proof of cause").first).to_be_visible()
    expect(desktop.get_by_text("Withheld.").first).to_be_visible()
    assert_accessible(desktop)


def test_insights_fit_a_phone(live_server, phone: Page, lead, history):
    sign_in(phone, live_server.url, "lead@oak.example", PASSWORD)
    phone.goto(f"{live_server.url}/programme/insights/")
    expect(phone.get_by_role("heading", name="What works here?", level=1)).to_be_visible()
    assert_fits(phone)
    assert_accessible(phone)
