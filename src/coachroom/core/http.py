"""Typed requests for views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from coachroom.accounts.models import Membership, User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
    membership: Membership
