"""Who may sign in with a password: a hook for the apps above accounts.

Accounts owns the password sign-in, the password reset and the invitation link; single sign-on
(`integrations.sso`, higher up) decides whether a trust has turned passwords off for someone. It
registers a rule here in its `AppConfig.ready()`, so accounts never imports it (see
docs/architecture.md, "When a lower app needs a higher one").

A rule takes an email address and returns why that address may not use a password (a sentence
that points to the way it does sign in), or None. For an address that belongs to no account it
must answer as it would for an account it covers, so that the answer never tells anyone which
accounts exist.
"""

from __future__ import annotations

from collections.abc import Callable

PasswordRule = Callable[[str], "str | None"]

_rules: list[PasswordRule] = []


def register_password_rule(rule: PasswordRule) -> None:
    """Add a rule; registering the same rule again changes nothing."""
    if rule not in _rules:
        _rules.append(rule)


def password_refusal(email: str) -> str | None:
    """Why this address may not sign in with a password, or None when it may."""
    address = (email or "").strip().lower()
    if not address:
        return None
    for rule in _rules:
        reason = rule(address)
        if reason:
            return reason
    return None
