"""The demo's last step: count what the other loaders made (some of it in bulk)."""

from __future__ import annotations

from coachroom.core.demo import DemoContext
from coachroom.reporting import counters


def rebuild_counts(ctx: DemoContext) -> None:
    for school in ctx.schools.values():
        counters.rebuild_school(school.pk)
