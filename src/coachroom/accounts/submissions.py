"""One record per create form, however often it is sent: the one-off key every create form
carries (`{% once_field %}`), and the table of keys already used.

A double tap, a retry after a dropped connection or Back-and-resend posts the same form with
the same key. The first post claims the key (a unique row per person and key) and, when it
succeeds, notes where it went; a repeat is sent there too and creates nothing. A post that
fails validation releases its key, so the corrected form can be sent with it again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, ClassVar, TypeVar, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from coachroom.core.errors import DomainError

ONCE_FIELD = "once"
KEPT_FOR = dt.timedelta(days=2)  # a repeat comes within moments; a day's offline outbox at most
V = TypeVar("V", bound=Callable[..., HttpResponse])


class UsedFormKey(models.Model):
    """A create form's one-off key, claimed by the first post that carried it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    result_url = models.CharField(max_length=300, blank=True)  # empty while the first is in flight
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "key"], name="form_key_used_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["user", "created_at"], name="form_key_by_age"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class OnceForm(forms.Form):
    """The key as posted: 32 hex digits (a uuid4), or nothing (an old page, a script)."""

    once = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False)


def new_key() -> str:
    return uuid.uuid4().hex


def posted_key(request: HttpRequest) -> str:
    form = OnceForm(request.POST)
    return form.cleaned_data["once"] if form.is_valid() else ""


def _claim(request: Any, key: str) -> UsedFormKey | HttpResponse:
    """The new claim on `key`, or the answer to a repeat: where the first post went. The
    person's keys older than `KEPT_FOR` go as they claim a new one: no repeat is coming."""
    UsedFormKey.objects.filter(user=request.user, created_at__lt=timezone.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            return UsedFormKey.objects.create(user=request.user, key=key, path=request.path[:300])
    except IntegrityError:
        earlier = UsedFormKey.objects.filter(user=request.user, key=key).first()
    if earlier is not None and earlier.result_url:
        messages.info(request, "That was already saved, once. Here it is.")
        return redirect(earlier.result_url)
    raise DomainError("This form is already being sent. Wait a moment, then check it was saved.")


def once(view: V) -> V:
    """Make a create view idempotent by its form's one-off key: a repeated post of the same
    form goes where the first went and creates nothing."""

    @wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        key = posted_key(request) if request.method == "POST" else ""
        if not key:
            return view(request, *args, **kwargs)
        claim = _claim(request, key)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            claim.delete()
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            claim.result_url = response["Location"][:300]
            claim.save(update_fields=["result_url"])
        else:  # shown again with errors (or "Find steps"): the key may be sent again
            claim.delete()
        return response

    return cast(V, wrapper)
