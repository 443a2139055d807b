"""Typed requests for views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from coachroom.accounts.models import User


class AuthedRequest(HttpRequest):
    """A signed-in person's request (the sign-in middleware lets no one else through). Views
    that need a current school take `accounts.viewer.MemberRequest` from `member_required`."""

    user: User
    htmx: HtmxDetails
