"""Limits on sign-in abuse: whose address a request comes from, password spraying, and how
often password-reset and invitation emails go out.

django-axes locks an account for one address after a few wrong passwords (settings.py); this
module tells it the client's real address behind the reverse proxy, adds a second lock on an
address that fails against many accounts, and caps the emails anyone can make Coachroom send.
Every count is read from the database (axes' attempts, the audit trail), so all server
processes share it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from collections.abc import Iterator
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import Membership, User
from coachroom.accounts.signin_policy import password_refusal
from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError

log = logging.getLogger(__name__)

RESET_SENT = "accounts.password_reset.sent"
RESET_HELD_BACK = "accounts.password_reset.throttled"
INVITATION_SENT = "accounts.staff.invitation_sent"
INVITATION_HELD_BACK = "accounts.staff.invitation_throttled"
WINDOW = dt.timedelta(hours=1)


# The client's address ----------------------------------------------------------------------


def _address(value: str) -> str | None:
    """A bare IP address from a header entry (a port after an IPv4 address or a bracketed IPv6
    address is dropped), or None when it is not an address."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of whoever sent the request.

    With TRUSTED_PROXY_COUNT = 0 that is the connection's own address. Behind N proxies, each
    appends the address it was reached from to X-Forwarded-For, so the client's address is the
    Nth entry from the right; anything further left was written by the client and is ignored.
    A header too short to have passed through every proxy is not trusted at all."""
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry for entry in header.split(",") if entry.strip()]
    if len(entries) < count:
        return remote
    return _address(entries[-count]) or remote


# Password spraying ----------------------------------------------------------------------------


def address_failures(ip_address: str | None, *, since: dt.datetime) -> int:
    """Failed sign-ins from one address, to any accounts, since a moment (not yet cleared by
    a successful sign-in)."""
    if not ip_address:
        return 0
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler, also locking an address that has failed against many accounts
    within the cool-off (SIGNIN_ADDRESS_FAILURE_LIMIT), whichever accounts it tries next."""

    def _address_locked(self, request: HttpRequest) -> bool:
        ip_address = getattr(request, "axes_ip_address", None)
        since = get_cool_off_threshold(request)
        return address_failures(ip_address, since=since) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return bool(super().is_locked(request, credentials)) or self._address_locked(request)

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if not self._address_locked(request):
            return
        ip_address = getattr(request, "axes_ip_address", None)
        log.warning(
            "Sign-in paused for an address after failures across many accounts",
            extra={"event": "signin.address_locked", "address": ip_address},
        )
        request.axes_locked_out = True  # type: ignore[attr-defined]
        request.axes_credentials = credentials  # type: ignore[attr-defined]
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=ip_address,
        )


# Emails ---------------------------------------------------------------------------------------


def _sent_this_hour(action: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(action=action, created_at__gte=timezone.now() - WINDOW)


def reset_email_allowed(*, user: User, address: str | None) -> bool:
    """Whether a reset link may go to this account now; if not, say so in the log and audit."""
    sent = _sent_this_hour(RESET_SENT)
    if sent.filter(subject=user).count() >= settings.PASSWORD_RESETS_PER_ACCOUNT_HOUR:
        reason = "account"
    elif address and (
        sent.filter(data__address=address).count() >= settings.PASSWORD_RESETS_PER_ADDRESS_HOUR
    ):
        reason = "address"
    else:
        return True
    log.warning(
        "Password reset email held back",
        extra={
            "event": "password_reset.throttled",
            "user_id": user.pk,
            "address": address,
            "limit": reason,
        },
    )
    audit.record(
        actor=None,
        action=RESET_HELD_BACK,
        target=user,
        subject=user,
        data={"address": address, "limit": reason},
    )
    return False


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending at most a few links an hour to each account and from each
    address. The page that follows is the same whether a link went, was held back, or the
    address belongs to no account, so the form never tells anyone which accounts exist."""

    address: str | None = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        request = kwargs.get("request")
        self.address = client_ip(request) if request is not None else None
        super().save(*args, **kwargs)

    def get_users(self, email: str) -> Iterator[User]:
        for user in super().get_users(email):
            # Someone whose trust has turned passwords off signs in with its Microsoft or
            # Google button: a reset link would only set a password they cannot use.
            if password_refusal(user.email):
                continue
            if reset_email_allowed(user=user, address=self.address):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name=html_email_template_name,
        )
        user = context["user"]
        audit.record(
            actor=None, action=RESET_SENT, target=user, subject=user, data={"address": self.address}
        )


def check_invitation(*, membership: Membership, by: User | None) -> None:
    """Refuse another invitation email to someone already sent several in the last hour."""
    user = membership.user
    sent = _sent_this_hour(INVITATION_SENT).filter(subject=user).count()
    if sent < settings.INVITATIONS_PER_ACCOUNT_HOUR:
        return
    log.warning(
        "Invitation email held back",
        extra={
            "event": "invitation.throttled",
            "user_id": user.pk,
            "school_id": membership.school_id,
        },
    )
    audit.record(
        actor=by,
        action=INVITATION_HELD_BACK,
        school=membership.school,
        target=membership,
        subject=user,
    )
    raise DomainError(
        f"No invitation sent: {user.email} has already been sent {sent} in the last hour. "
        "Ask them to check their junk folder, or send another later."
    )
