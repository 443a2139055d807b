"""django-allauth's OAuth2 adapters for the three kinds of provider, changed in three ways:

- each is built for one configured provider (its slug), so a trust can have its own Microsoft
  or Google app beside another trust's, with its own sign-in and callback addresses;
- the sign-in is OpenID Connect throughout: the scopes are `openid email profile` and the
  person's claims come from the ID token, whose signature is always checked (`tokens.py`),
  including Microsoft's (allauth's Microsoft provider would read Microsoft Graph instead);
- Microsoft's and Google's endpoints come from `endpoints.py`, so tests can run them against a
  provider on loopback.

allauth still does the protocol: the state (kept in the session, single use, ten minutes),
PKCE, the redirect, the code exchange and the token endpoint's client authentication.
"""

from __future__ import annotations

from typing import Any

import requests
from allauth.socialaccount.models import SocialApp, SocialLogin, SocialToken
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from allauth.socialaccount.providers.microsoft.views import MicrosoftGraphOAuth2Adapter
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import HttpRequest
from django.urls import reverse

from coachroom.integrations.sso import endpoints
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind
from coachroom.integrations.sso.tokens import TokenRejected, verify_id_token


class _IdTokenAdapter:
    """What the three adapters share; mixed in before allauth's adapter class."""

    provider_id: str
    request: HttpRequest
    get_provider: Any  # allauth's OAuth2Adapter.get_provider

    def __init__(self, request: HttpRequest, provider_id: str) -> None:
        # allauth looks the provider (and so the app) up by this id: the provider's slug.
        self.provider_id = provider_id
        OAuth2Adapter.__init__(self, request)

    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        return str(build_absolute_uri(request, reverse("sso:callback", args=[self.provider_id])))

    def oidc_endpoints(self) -> dict[str, Any]:
        raise NotImplementedError

    def issuers(self) -> str | list[str]:
        return str(self.oidc_endpoints()["issuer"])

    @property
    def authorize_url(self) -> str:
        return str(self.oidc_endpoints()["authorization_endpoint"])

    @property
    def access_token_url(self) -> str:
        return str(self.oidc_endpoints()["token_endpoint"])

    def more_claims(self, claims: dict[str, Any], token: SocialToken) -> dict[str, Any]:
        return claims

    def complete_login(
        self, request: HttpRequest, app: SocialApp, token: SocialToken, **kwargs: Any
    ) -> SocialLogin:
        id_token = (kwargs.get("response") or {}).get("id_token")
        if not id_token:
            raise TokenRejected("The provider sent no ID token: is the openid scope allowed?")
        claims = verify_id_token(
            token=id_token,
            jwks_uri=self.oidc_endpoints()["jwks_uri"],
            issuer=self.issuers(),
            client_id=app.client_id,
        )
        claims = self.more_claims(claims, token)
        return self.get_provider().sociallogin_from_response(request, claims)


class MicrosoftAdapter(_IdTokenAdapter, MicrosoftGraphOAuth2Adapter):
    """Entra ID's v2.0 endpoints for the provider's own tenant (never `common`)."""

    def oidc_endpoints(self) -> dict[str, Any]:
        return endpoints.microsoft_endpoints(self.get_provider().app.settings["tenant"])


class GoogleAdapter(_IdTokenAdapter, GoogleOAuth2Adapter):
    def oidc_endpoints(self) -> dict[str, Any]:
        return endpoints.google_endpoints()

    def issuers(self) -> list[str]:
        # Google's ID tokens name their issuer with or without the scheme.
        issuer = str(self.oidc_endpoints()["issuer"])
        return [issuer, issuer.removeprefix("https://")]


class OpenIDConnectAdapter(_IdTokenAdapter, OpenIDConnectOAuth2Adapter):
    """Any provider that publishes a discovery document; allauth reads it at each sign-in."""

    def oidc_endpoints(self) -> dict[str, Any]:
        return dict(self.openid_config)

    def more_claims(self, claims: dict[str, Any], token: SocialToken) -> dict[str, Any]:
        """Some providers put the email address only in the userinfo response: fill in what
        the ID token lacks from it, when it is about the same person (Core §5.3.2)."""
        userinfo_url = self.openid_config.get("userinfo_endpoint")
        if "email" in claims or not userinfo_url:
            return claims
        try:
            userinfo = self._fetch_user_info(token.token)
        except (requests.RequestException, ValueError) as error:
            raise TokenRejected("The provider's userinfo could not be read.") from error
        if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
            raise TokenRejected("The userinfo response is about someone else.")
        return {**userinfo, **claims}


ADAPTERS: dict[str, type[_IdTokenAdapter]] = {
    ProviderKind.MICROSOFT: MicrosoftAdapter,
    ProviderKind.GOOGLE: GoogleAdapter,
    ProviderKind.OIDC: OpenIDConnectAdapter,
}


def adapter_for(request: HttpRequest, provider: IdentityProvider) -> OAuth2Adapter:
    return ADAPTERS[provider.kind](request, provider.slug)
