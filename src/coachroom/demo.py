"""`coachroom demo`: the demo trust, built by the loaders each app registers (core/demo.py)."""

from __future__ import annotations

from coachroom.accounts.models import School, User
from coachroom.core.demo import DEMO_PASSWORD, DemoContext, load_demo

__all__ = ["DEMO_PASSWORD", "DemoContext", "database_is_empty", "load_demo"]


def database_is_empty() -> bool:
    return not School.objects.exists() and not User.objects.exists()
