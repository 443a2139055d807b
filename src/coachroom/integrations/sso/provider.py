"""django-allauth's providers for Microsoft, Google and OpenID Connect, as Coachroom uses them.

allauth's provider registry imports `<app>.provider` from every installed app and registers its
`provider_classes` by id; these take the ids `microsoft`, `google` and `openid_connect`, so
allauth's own provider apps need not be installed. Each adds:

- a nonce in the authorization request, kept in the sign-in's state and compared with the ID
  token's by `signin.py` (allauth sends none);
- Coachroom's own sign-in and callback addresses for the provider (`sso:start`, `sso:callback`);
- fixed scopes and parameters: nothing in the request's query string can add to them.
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.socialaccount.providers.google.provider import GoogleProvider
from allauth.socialaccount.providers.microsoft.provider import MicrosoftGraphProvider
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from coachroom.integrations.sso import oauth

SCOPES = ["openid", "email", "profile"]


class _CoachroomProvider:
    """Mixed in before allauth's provider class."""

    app: Any

    def get_login_url(self, request: HttpRequest, **kwargs: Any) -> str:
        return reverse("sso:start", args=[self.app.provider_id])

    def get_callback_url(self) -> str:
        return reverse("sso:callback", args=[self.app.provider_id])

    def get_oauth2_adapter(self, request: HttpRequest) -> Any:
        return oauth.ADAPTERS[self.app.provider](request, self.app.provider_id)

    def get_default_scope(self) -> list[str]:
        return list(SCOPES)

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        return list(SCOPES)

    def get_auth_params_from_request(self, request: HttpRequest, action: str) -> dict[str, str]:
        return {}

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        nonce = secrets.token_urlsafe(32)
        kwargs["auth_params"] = {**(kwargs.get("auth_params") or {}), "nonce": nonce}
        # allauth keeps any other keyword in the state it stashes for the callback.
        response: HttpResponse = super().redirect(  # type: ignore[misc]  # allauth's, after us
            request, process, next_url, data, nonce=nonce, **kwargs
        )
        return response


class MicrosoftProvider(_CoachroomProvider, MicrosoftGraphProvider):
    def extract_uid(self, data: dict[str, Any]) -> str:
        # The object ID is the person's one stable identifier across the tenant's apps.
        return str(data.get("oid") or data["sub"])

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"first_name": data.get("given_name"), "last_name": data.get("family_name")}


class CoachroomGoogleProvider(_CoachroomProvider, GoogleProvider):
    pass


class CoachroomOpenIDConnectProvider(_CoachroomProvider, OpenIDConnectProvider):
    pass


provider_classes = [MicrosoftProvider, CoachroomGoogleProvider, CoachroomOpenIDConnectProvider]
