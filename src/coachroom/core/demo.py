"""Demo data: the shared context and the loaders each app registers.

A trust with a primary and a secondary school and a term of coaching is built by loaders that
each app registers in its `AppConfig.ready()` with `register_loader(order, loader)`; a new
feature adds its own loader instead of editing this module. `load_demo` runs them by order:

    10 people and schools (accounts)    50 goals (coaching)
    15 inductions (induction)           60 sessions settled (scheduling)
    20 the step library (library)       70 walks, reviews and thanks (leading)
    30 timetabled slots (scheduling)    80 the touches that make the demo feel lived in
    40 a term of coaching (coaching)    90 the dashboards' counters, rebuilt (reporting)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from coachroom.accounts.models import School, Trust, User

DEMO_PASSWORD = "coachroom-demo"  # noqa: S105 - printed for newcomers; demo databases only


@dataclass
class DemoAccount:
    email: str
    name: str
    school: str
    roles: str


@dataclass
class DemoContext:
    rng: random.Random
    trust: Trust | None = None
    schools: dict[str, School] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)


Loader = Callable[[DemoContext], None]
_loaders: dict[str, tuple[int, Loader]] = {}


def register_loader(order: int, loader: Loader) -> None:
    """Add an app's part of the demo; registering the same loader again changes nothing."""
    _loaders[f"{loader.__module__}.{loader.__qualname__}"] = (order, loader)


def loaders() -> list[Loader]:
    return [loader for _order, loader in sorted(_loaders.values(), key=lambda item: item[0])]


@transaction.atomic
def load_demo(seed: int = 2026) -> DemoContext:
    ctx = DemoContext(rng=random.Random(seed))  # noqa: S311 - demo data, not security
    for loader in loaders():
        loader(ctx)
    return ctx
