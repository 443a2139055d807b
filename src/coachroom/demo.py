"""Demo data: a trust with a primary and a secondary school and a term of coaching.

Each capability adds its part: `CONTRIBUTORS` lists functions that take the shared
`DemoContext` in order, so a new feature appends its own loader instead of editing this one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from coachroom.accounts.models import School, Trust, User

DEMO_PASSWORD = "coachroom-demo"  # noqa: S105 - printed for newcomers; demo databases only

CONTRIBUTORS = [
    "coachroom.accounts.demo.load",
    "coachroom.library.demo.load",
    "coachroom.programme.demo.load_slots",
    "coachroom.coaching.demo.load",
    "coachroom.programme.goal_demo.load",
    "coachroom.programme.demo.settle",
    "coachroom.coaching.walk_demo.load",
    "coachroom.programme.demo.delights",
]


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


def _contributor(path: str) -> Callable[[DemoContext], None]:
    module, name = path.rsplit(".", 1)
    fn: Callable[[DemoContext], None] = getattr(import_module(module), name)
    return fn


@transaction.atomic
def load_demo(seed: int = 2026) -> DemoContext:
    ctx = DemoContext(rng=random.Random(seed))  # noqa: S311 - demo data, not security
    for path in CONTRIBUTORS:
        _contributor(path)(ctx)
    return ctx


def database_is_empty() -> bool:
    from coachroom.accounts.models import School, User

    return not School.objects.exists() and not User.objects.exists()
