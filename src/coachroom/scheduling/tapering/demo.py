"""The demo's tapering: pairs whose teachers have secured enough steps that stuck (over this
year and last) are suggested a lighter rhythm; in one of them the coach has proposed it and the
teacher has still to answer. Through the real services, after last year's history is loaded."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School
from coachroom.coaching.demo import demo_clock
from coachroom.core.demo import DemoContext
from coachroom.scheduling.tapering import services


def load(ctx: DemoContext) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for school in School.objects.order_by("name"):
        pairs = list(
            CoachingRelationship.objects.current()
            .filter(school=school, kind=CoachingRelationship.Kind.INSTRUCTIONAL)
            .select_related("coach", "coachee")
            .order_by("coachee__last_name", "pk")
        )
        found = services.suggestions(pairs, school)
        if len(found) < 2:
            continue
        # the second pair has talked it over: the coach proposed, the teacher has to answer
        proposed = found[1]
        with demo_clock(yesterday, 16, 5):
            services.cadence_propose(pair=proposed.pair, by=proposed.pair.coach, to=proposed.to)
