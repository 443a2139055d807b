"""Signing in with the trust's provider in a real browser, against the OpenID Connect provider
running on loopback (tests/integrations/sso/oidc_provider.py), with axe on the sign-in page and
on the page that says who to ask."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from coachroom.integrations.sso.models import ProviderKind
from tests.browser.helpers import assert_accessible
from tests.integrations.sso.helpers import make_provider
from tests.integrations.sso.oidc_provider import OIDCProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp(settings) -> Iterator[OIDCProvider]:
    provider = OIDCProvider()
    settings.SSO_MICROSOFT_LOGIN_URL = provider.base_url
    yield provider
    provider.stop()


def test_a_teacher_signs_in_with_her_schools_account(live_server, desktop: Page, idp, alice, oak):
    make_provider(idp, oak.trust)
    make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT, passwords_allowed=False)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)

    desktop.goto(f"{live_server.url}/sign-in/")
    expect(desktop.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Sign in with Oak Login").click()
    expect(desktop.get_by_role("heading", name="Hello, Alice")).to_be_visible()


def test_someone_without_an_account_is_told_who_to_ask(live_server, desktop: Page, idp, oak):
    make_provider(idp, oak.trust)
    idp.sign_in_as(email="new.teacher@oak.example", email_verified=True)

    desktop.goto(f"{live_server.url}/sign-in/")
    desktop.get_by_role("button", name="Sign in with Oak Login").click()
    expect(
        desktop.get_by_role(
            "heading", name="There is no Coachroom account for new.teacher@oak.example"
        )
    ).to_be_visible()
    expect(desktop.get_by_role("heading", name="Who to ask")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_role("link", name="Back to the sign-in page").click()
    expect(desktop.get_by_role("heading", name="Sign in to Coachroom")).to_be_visible()
