"""Signing in with a trust's provider: the buttons on the sign-in page, the start and the
callback of the OpenID Connect flow, and the page that says who to ask when it is refused.

The sign-in page cannot know a visitor's school before they sign in, so it shows a button for
every enabled provider in this Coachroom (in most installations, one trust's one or two).
When two would read the same, each names whose staff it is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from coachroom.accounts.models import Membership
from coachroom.integrations.sso import crypto, endpoints, oauth, signin
from coachroom.integrations.sso.matching import Reason, Refusal
from coachroom.integrations.sso.models import IdentityProvider


@dataclass(frozen=True)
class Button:
    label: str
    url: str
    scope: str


def sign_in_buttons(providers: list[IdentityProvider]) -> list[Button]:
    labels = [p.button_label for p in providers]
    return [
        Button(
            label=p.button_label,
            url=reverse("sso:start", args=[p.slug]),
            scope=p.scope_name if labels.count(p.button_label) > 1 else "",
        )
        for p in providers
    ]


class SignInView(LoginView):
    """Coachroom's sign-in page (accounts' form, axes' locks), with the providers' buttons."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        providers = list(
            IdentityProvider.objects.enabled()
            .select_related("trust", "school")
            .order_by("trust__name", "school__name", "kind", "pk")
        )
        context["sso_buttons"] = sign_in_buttons(providers)
        context["sso_form_origins"] = endpoints.form_origins(providers)
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if context.get("sso_form_origins"):
            # A button's form posts here, and the answer redirects to the provider: browsers
            # hold that redirect to the page's form-action policy too.
            response._csp_update = {"form-action": context["sso_form_origins"]}  # type: ignore[attr-defined]
        return response


def _enabled_provider(slug: str) -> IdentityProvider:
    qs = IdentityProvider.objects.enabled().select_related("trust", "school")
    return get_object_or_404(qs, slug=slug)


@login_not_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The button's form: off to the provider. A GET (a bookmarked or shared link) goes to
    the sign-in page instead, so that a sign-in only ever starts from Coachroom's own page."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method != "POST":
        return redirect("login")
    provider = _enabled_provider(slug)
    if not crypto.secret_readable(provider):
        return signin.refuse(request, provider, Refusal(Reason.UNAVAILABLE), detail="secret")
    try:
        response: HttpResponse = OAuth2LoginView.adapter_view(oauth.adapter_for(request, provider))(
            request
        )
    except (requests.RequestException, OAuth2Error, ValueError) as error:
        detail = f"{type(error).__name__}: {error}"
        return signin.refuse(request, provider, Refusal(Reason.UNAVAILABLE), detail=detail)
    return response


@login_not_required
@require_GET
def callback(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the provider sends the person back. allauth checks the state and exchanges the
    code; `adapter.SocialAccountAdapter` hands the rest to signin.py."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    provider = _enabled_provider(slug)
    response: HttpResponse = OAuth2CallbackView.adapter_view(oauth.adapter_for(request, provider))(
        request
    )
    return response


def _schools_to_ask(refusal: dict[str, Any], provider: IdentityProvider | None) -> list[Any]:
    """For someone Coachroom knows: their schools under this provider, with their admins."""
    if provider is None or not refusal.get("user"):
        return []
    memberships = Membership.objects.filter(
        user_id=refusal["user"], school_id__in=provider.school_ids()
    ).select_related("school")
    schools = sorted({m.school for m in memberships}, key=lambda s: s.name)
    admins = (
        Membership.objects.active()
        .filter(school__in=schools, is_school_admin=True)
        .exclude(user_id=refusal["user"])
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    by_school: dict[int, list[str]] = {}
    for admin in admins:
        by_school.setdefault(admin.school_id, []).append(admin.user.full_name)
    return [(school, by_school.get(school.pk, [])) for school in schools]


@login_not_required
@require_GET
def refused(request: HttpRequest) -> HttpResponse:
    """Why single sign-on did not let someone in, and who can put it right. What happened is
    kept in the session by signin.refuse and shown once; a reload shows the general advice."""
    refusal: dict[str, Any] = request.session.pop(signin.REFUSAL_KEY, None) or {}
    provider = (
        IdentityProvider.objects.select_related("trust", "school")
        .filter(pk=int(refusal.get("provider") or 0))
        .first()
    )
    context = {
        "reason": refusal.get("reason", ""),
        "email": refusal.get("email", ""),
        "provider": provider,
        "schools": _schools_to_ask(refusal, provider),
    }
    return render(request, "integrations/sso/refused.html", context)
