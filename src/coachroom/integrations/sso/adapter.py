"""django-allauth's adapters (settings ACCOUNT_ADAPTER and SOCIALACCOUNT_ADAPTER).

- Apps come from the trusts' providers (`list_apps`), one per provider, named by its slug.
- No sign-up, ever: an SSO sign-in that matches no account is refused, never creates one.
- Every outcome is Coachroom's: `pre_social_login` ends allauth's flow by signing the person
  in or refusing (signin.py), and a failure anywhere earlier (state, code, token) goes to the
  same "who to ask" page rather than allauth's templates.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthError
from django.http import HttpRequest

from coachroom.integrations.sso import crypto, signin
from coachroom.integrations.sso.matching import Reason, Refusal
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind


def social_app(provider: IdentityProvider) -> SocialApp:
    """The provider as an (unsaved) allauth app."""
    settings: dict[str, Any] = {"oauth_pkce_enabled": True}
    if provider.kind == ProviderKind.MICROSOFT:
        settings["tenant"] = provider.tenant_id
    elif provider.kind == ProviderKind.OIDC:
        settings["server_url"] = provider.issuer_url
    try:
        secret = crypto.client_secret(provider)
    except crypto.SecretUnavailable:
        secret = ""  # the start view refuses first; see views.start
    return SocialApp(
        provider=provider.kind,
        provider_id=provider.slug,
        name=provider.brand,
        client_id=provider.client_id,
        secret=secret,
        settings=settings,
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        providers = IdentityProvider.objects.enabled()
        if provider:
            # Always asked for by slug (the provider_id of each app): several trusts may each
            # have a Google app, so the kind alone names none of them.
            providers = providers.filter(slug=provider)
        if client_id:
            providers = providers.filter(client_id=client_id)
        return [social_app(p) for p in providers.order_by("pk")]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        raise ImmediateHttpResponse(signin.complete(request, sociallogin))

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        configured = IdentityProvider.objects.filter(slug=provider.app.provider_id).first()
        if configured is None:
            return
        if error == AuthError.CANCELLED:
            reason, detail = Reason.CANCELLED, request.GET.get("error", "")
        elif exception is not None:
            reason, detail = Reason.FAILED, f"{type(exception).__name__}: {exception}"
        elif "error" in request.GET:
            reason = Reason.FAILED
            detail = f"{request.GET['error']}: {request.GET.get('error_description', '')}"
        else:
            reason, detail = Reason.FAILED, "state"  # missing, used already or expired
        raise ImmediateHttpResponse(
            signin.refuse(request, configured, Refusal(reason), detail=detail)
        )
