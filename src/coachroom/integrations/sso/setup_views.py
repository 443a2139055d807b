"""A trust admin sets up sign-in with Microsoft, Google or another OpenID Connect provider:
the trust's providers, adding one, changing or removing it, and its recent sign-ins."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from coachroom.accounts.models import Trust
from coachroom.audit.models import AuditEvent
from coachroom.core.http import AuthedRequest
from coachroom.integrations.sso import access, crypto, services
from coachroom.integrations.sso.forms import ProviderForm
from coachroom.integrations.sso.matching import REASON_LABELS
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind

RECENT_SIGN_INS = 20


@dataclass(frozen=True)
class ProviderRow:
    provider: IdentityProvider
    secret_readable: bool


@dataclass(frozen=True)
class SignInRow:
    event: AuditEvent
    succeeded: bool
    reason: str
    email: str


@require_GET
def provider_list(request: AuthedRequest) -> HttpResponse:
    trusts = access.trusts_for_admin(request)
    providers = IdentityProvider.objects.filter(trust__in=trusts).select_related("trust", "school")
    by_trust: dict[int, list[ProviderRow]] = {}
    for provider in providers.order_by("school__name", "kind", "pk"):
        row = ProviderRow(provider, crypto.secret_readable(provider))
        by_trust.setdefault(provider.trust_id, []).append(row)
    sections = [(trust, by_trust.get(trust.pk, [])) for trust in trusts]
    return render(
        request,
        "integrations/sso/provider_list.html",
        {"sections": sections, "kinds": ProviderKind.choices},
    )


def _callback_url(request: AuthedRequest, slug: str) -> str:
    return request.build_absolute_uri(reverse("sso:callback", args=[slug]))


def _form_page(
    request: AuthedRequest,
    *,
    form: ProviderForm,
    trust: Trust,
    kind: str,
    slug: str,
    provider: IdentityProvider | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "trust": trust,
        "kind": ProviderKind(kind),
        "provider": provider,
        "redirect_uri": _callback_url(request, slug),
        "secret_readable": provider is None or crypto.secret_readable(provider),
        "recent": _recent_sign_ins(provider) if provider else [],
    }
    return render(request, "integrations/sso/provider_form.html", context)


@require_http_methods(["GET", "POST"])
def provider_create(request: AuthedRequest, trust_pk: int, kind: str) -> HttpResponse:
    trust = access.get_trust_for_admin(request, trust_pk)
    if kind not in ProviderKind.values:
        raise Http404("No such kind of provider.")
    form = ProviderForm(request.POST or None, trust=trust, kind=kind)
    if form.is_valid():
        provider = services.provider_create(
            trust=trust,
            kind=kind,
            by=request.user,
            values=form.values(),
            secret=form.cleaned_data["client_secret"],
            env_var=form.cleaned_data["secret_env_var"],
        )
        messages.success(
            request,
            f"Saved. Staff at {provider.scope_name} now see “{provider.button_label}” on the "
            "sign-in page. Try it in a private window before you turn passwords off.",
        )
        return redirect(provider)
    slug = services.next_slug(trust=trust, kind=kind)
    return _form_page(request, form=form, trust=trust, kind=kind, slug=slug)


@require_http_methods(["GET", "POST"])
def provider_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = access.get_provider_for_admin(request, pk)
    form = ProviderForm(
        request.POST or None, trust=provider.trust, kind=provider.kind, provider=provider
    )
    if form.is_valid():
        changed = services.provider_update(
            provider=provider,
            by=request.user,
            values=form.values(),
            secret=form.cleaned_data["client_secret"],
            env_var=form.cleaned_data["secret_env_var"],
        )
        messages.success(request, "Changes saved." if changed else "Nothing had changed.")
        return redirect(provider)
    return _form_page(
        request,
        form=form,
        trust=provider.trust,
        kind=provider.kind,
        slug=provider.slug,
        provider=provider,
    )


@require_http_methods(["GET", "POST"])
def provider_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = access.get_provider_for_admin(request, pk)
    if request.method == "POST":
        label, scope = provider.button_label, provider.scope_name
        services.provider_remove(provider=provider, by=request.user)
        messages.success(request, f"“{label}” is no longer offered to staff at {scope}.")
        return redirect("sso:list")
    return render(request, "integrations/sso/provider_remove.html", {"provider": provider})


def _recent_sign_ins(provider: IdentityProvider) -> list[SignInRow]:
    """The provider's latest sign-ins and refusals, for troubleshooting with the IT team."""
    events = (
        AuditEvent.objects.filter(
            action__in=services.SIGN_IN_ACTIONS,
            target_type=IdentityProvider._meta.label_lower,
            target_id=str(provider.pk),
        )
        .select_related("subject")
        .order_by("-created_at", "-pk")[:RECENT_SIGN_INS]
    )
    rows = []
    for event in events:
        reason = str(event.data.get("reason", ""))
        rows.append(
            SignInRow(
                event=event,
                succeeded=event.action == services.SIGNED_IN,
                reason=REASON_LABELS.get(reason, reason),  # type: ignore[call-overload]
                email=str(event.data.get("email", "")),
            )
        )
    return rows
