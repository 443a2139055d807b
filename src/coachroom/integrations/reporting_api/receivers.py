"""Revoke a person's API tokens when their password is reset or their email changes: like the
calendar address, a token reads Coachroom without signing in, so it goes with the old secrets."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from coachroom.accounts.models import User
from coachroom.accounts.signals import credentials_changed
from coachroom.integrations.reporting_api.services import tokens_revoke_for


@receiver(credentials_changed)
def revoke_api_tokens(sender: Any, user: User, reason: str = "", **_: Any) -> None:
    tokens_revoke_for(user=user, reason=reason or "credentials_changed")
