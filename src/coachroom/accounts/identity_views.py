"""A person's own email address, and the links that change it or reset a password.

See accounts/identity.py for who may change whose identity.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from coachroom.accounts import services
from coachroom.accounts.forms import EmailChangeForm
from coachroom.accounts.signin_policy import password_refusal
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest


@require_http_methods(["GET", "POST"])
def email_change(request: AuthedRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, user=request.user)
    if form.is_valid():
        new_email = form.cleaned_data["new_email"]
        services.email_change_request(person=request.user, new_email=new_email, by=request.user)
        messages.info(
            request,
            f"We have emailed a link to {new_email}. Your email address changes once you "
            "follow it; until then, sign in with your current address.",
        )
        return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed to the new address. Following it (a button, so that a mail scanner
    opening the link changes nothing) makes the change and signs the person out elsewhere."""
    change = services.email_change_for_token(token)
    if request.method == "POST" and change is not None:
        try:
            person = services.email_change_confirm(token=token)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("accounts:email-confirm", token=token)
        if request.user.is_authenticated and request.user.pk == person.pk:
            update_session_auth_hash(request, person)
            messages.success(request, f"Your email address is now {person.email}.")
            return redirect("accounts:profile")
        messages.success(request, f"The email address is now {person.email}. Sign in with it.")
        return redirect("login")
    return render(request, "accounts/email_confirm.html", {"change": change})


class PasswordSetView(PasswordResetConfirmView):
    """Django's password reset, plus: the person's calendar addresses stop working. (Their
    other sessions end because a session is bound to the password.)"""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.validlink and self.user is not None:
            # Invitations and reset links lead here; where the person's trust has turned
            # passwords off (integrations.sso), the page points to the sign-in button instead.
            context["password_off"] = password_refusal(self.user.email)
        return context

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        if password_refusal(form.user.email):
            return self.form_invalid(form)
        response = super().form_valid(form)
        services.credentials_reset(person=form.user)
        return response
