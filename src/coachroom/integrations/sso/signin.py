"""The end of a single sign-on: check the nonce, match the account, sign in or refuse.

django-allauth hands over (via `adapter.SocialAccountAdapter.pre_social_login`) once it has
checked the state and exchanged the code, and `oauth.py` has checked the ID token. From here
Coachroom signs the person in itself, with Django's own `login()`: allauth never creates,
connects or changes an account, and stores nothing about it.
"""

from __future__ import annotations

import hmac
from typing import Any

from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from coachroom.integrations.sso import services
from coachroom.integrations.sso.matching import Reason, Refusal, match
from coachroom.integrations.sso.models import IdentityProvider

BACKEND = "django.contrib.auth.backends.ModelBackend"
REFUSAL_KEY = "coachroom_sso_refusal"


def provider_of(sociallogin: SocialLogin) -> IdentityProvider:
    return IdentityProvider.objects.select_related("trust", "school").get(
        slug=sociallogin.provider.app.provider_id
    )


def nonce_matches(state: dict[str, Any], claims: dict[str, Any]) -> bool:
    expected = str(state.get("nonce") or "")
    received = str(claims.get("nonce") or "")
    return bool(expected) and hmac.compare_digest(expected, received)


def refuse(
    request: HttpRequest, provider: IdentityProvider, refusal: Refusal, *, detail: str = ""
) -> HttpResponse:
    """Record the refusal and send the person to the page that says who to ask."""
    services.refusal_recorded(provider=provider, refusal=refusal, detail=detail)
    request.session[REFUSAL_KEY] = {
        "reason": str(refusal.reason),
        "email": refusal.email,
        "provider": provider.pk,
        "user": refusal.user.pk if refusal.user else None,
    }
    return redirect("sso:refused")


def _next_url(request: HttpRequest, state: dict[str, Any]) -> str:
    wanted = str(state.get("next") or "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def complete(request: HttpRequest, sociallogin: SocialLogin) -> HttpResponse:
    provider = provider_of(sociallogin)
    claims: dict[str, Any] = sociallogin.account.extra_data
    state: dict[str, Any] = sociallogin.state or {}
    if not nonce_matches(state, claims):
        return refuse(request, provider, Refusal(Reason.FAILED), detail="nonce")
    result = match(provider, claims)
    if isinstance(result, Refusal):
        return refuse(request, provider, result)
    login(request, result, backend=BACKEND)
    services.sign_in_recorded(provider=provider, user=result)
    return redirect(_next_url(request, state))
