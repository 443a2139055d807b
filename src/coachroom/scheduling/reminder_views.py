"""Email preferences, and the one-click unsubscribe link every reminder carries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coachroom.accounts.access import memberships_of
from coachroom.accounts.models import User
from coachroom.core.http import AuthedRequest
from coachroom.scheduling import reminders
from coachroom.scheduling.models import NotificationPreferences


class NotificationPreferencesForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = NotificationPreferences
        fields = [kind.field for kind in reminders.KINDS.values()]

    def __init__(self, *args: Any, applies: dict[str, bool], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # checkbox labels read as sentences: no colon
        super().__init__(*args, **kwargs)
        for name, kind in reminders.KINDS.items():
            field = self.fields[name]
            field.label = kind.label
            field.help_text = kind.audience
            if not applies[name]:
                field.help_text += " Your roles don't include this at the moment."


def _applies_to(request: HttpRequest) -> dict[str, bool]:
    """Which emails the person's roles can bring them, to say so beside each checkbox."""
    memberships = memberships_of(request.user)
    coach = any(m.is_coach for m in memberships)
    return {
        reminders.MORNING_LIST.field: coach,
        reminders.OVERDUE_NUDGES.field: coach,
        reminders.WEEKLY_DIGEST.field: any(m.is_coaching_lead for m in memberships),
    }


@require_http_methods(["GET", "POST"])
def notifications(request: AuthedRequest) -> HttpResponse:
    prefs = reminders.preferences_of(request.user)
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None,
        instance=prefs,
        applies=_applies_to(request),
    )
    if form.is_valid():
        form.save()
        messages.success(request, "Your email preferences have been saved.")
        return redirect("scheduling:notifications")
    return render(request, "scheduling/notifications.html", {"form": form})


# The signed token is the credential: the link works without signing in, and mail clients'
# RFC 8058 one-click POST carries no CSRF token. GET only asks, so link scanners change nothing.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, kind = reminders.read_unsubscribe_token(token)
    except reminders.BadToken:
        raise Http404("This unsubscribe link is not valid.") from None
    user = get_object_or_404(User, pk=user_id)
    context = {"kind": kind, "token": token}
    if request.method == "POST":
        reminders.unsubscribe(user=user, kind=kind)
        return render(request, "scheduling/unsubscribe_done.html", context)
    return render(request, "scheduling/unsubscribe.html", context)
