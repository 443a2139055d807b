"""The OpenID Connect provider on loopback, and Oak's trust set up to sign in with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.sso.oidc_provider import OIDCProvider


@pytest.fixture(scope="session")
def _running_idp() -> Iterator[OIDCProvider]:
    provider = OIDCProvider()
    yield provider
    provider.stop()


@pytest.fixture
def idp(_running_idp: OIDCProvider, settings) -> OIDCProvider:
    """The provider, reset for the test; Microsoft's and Google's addresses point at it."""
    _running_idp.person = {}
    _running_idp.tamper = None
    _running_idp.codes.clear()
    _running_idp.authorize_requests.clear()
    settings.SSO_MICROSOFT_LOGIN_URL = _running_idp.base_url
    settings.SSO_GOOGLE_ENDPOINTS = _running_idp.google_endpoints()
    return _running_idp
