"""The API tokens page: make a token (shown once), see your tokens with when each was last
used, and revoke one. Trust admins also see and revoke their trusts' reporting tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from coachroom.accounts.models import Trust
from coachroom.core.http import AuthedRequest
from coachroom.integrations.reporting_api import services
from coachroom.integrations.reporting_api.forms import TokenForm
from coachroom.integrations.reporting_api.models import ApiToken
from coachroom.integrations.reporting_api.tokens import requests_per_minute

# The new token's secret, from the POST that made it to the page that shows it once.
SHOWN_ONCE = "coachroom_api_token_shown_once"


@require_http_methods(["GET", "POST"])
def tokens(request: AuthedRequest) -> HttpResponse:
    user = request.user
    trusts = list(Trust.objects.filter(admins=user).order_by("name", "pk"))
    form = TokenForm(request.POST or None, owner=user, trusts=trusts)
    if request.method == "POST" and form.is_valid():
        token, secret = services.token_create(
            owner=user,
            trust=form.trust(),
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            days=form.cleaned_data["days"],
        )
        request.session[SHOWN_ONCE] = {"id": token.pk, "secret": secret}
        return redirect("api:tokens")
    listed = list(
        ApiToken.objects.manageable_by(user)
        .with_standing()
        .select_related("owner", "trust")
        .order_by("-created_at", "-pk")
    )
    new = request.session.pop(SHOWN_ONCE, None)
    created = next((t for t in listed if new and t.pk == new["id"]), None)
    return render(
        request,
        "integrations/reporting_api/tokens.html",
        {
            "form": form,
            "tokens": listed,
            "created": created,
            "secret": new["secret"] if created else None,
            "api_root": request.build_absolute_uri(reverse("api:v1:api-root")),
            "docs_url": reverse("api:v1:openapi-view"),
            "per_minute": requests_per_minute(),
        },
    )


def _get_token(request: AuthedRequest, pk: int) -> ApiToken:
    """One of the person's tokens, or of a trust they administer; any other is a 404."""
    tokens = ApiToken.objects.manageable_by(request.user).select_related("owner", "trust")
    return get_object_or_404(tokens, pk=pk)


@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = _get_token(request, pk)
    if request.method == "POST":
        services.token_revoke(token=token, by=request.user)
        messages.success(request, f"“{token.name}” is revoked: it no longer works.")
        return redirect("api:tokens")
    return render(request, "integrations/reporting_api/token_revoke.html", {"token": token})
