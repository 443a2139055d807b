"""Access-matrix rows for timetabled coaching (merged into tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from tests.access import Row


def slot(o: dict[str, Any]) -> ScheduledSlot:
    return scheduling.slot_create(
        relationship=o["pair"],
        by=o["bob"],
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 9, 7),
    )


def session(o: dict[str, Any]) -> int:
    return SessionOccurrence.objects.filter(slot=slot(o)).order_by("-starts_at").first().pk


PAIR_SCHEDULERS = {"bob": 200, "lead": 200, "admin": 200, "outsider": 404, "carol": 404}
SESSION_VIEWERS = {"alice": 200, "bob": 200, "lead": 200, "admin": 200}
SESSION_WRITERS = {"alice": 403, "bob": 200, "lead": 200, "admin": 200}

SCHEDULE_ROWS: dict[str, Row] = {
    "scheduling:team-schedule": Row({"lead": 200, "admin": 200, "outsider": 200}),
    "scheduling:pair-slots": Row(PAIR_SCHEDULERS, args=lambda o: [o["pair"].pk]),
    "scheduling:slot-move": Row(PAIR_SCHEDULERS, args=lambda o: [slot(o).pk]),
    "scheduling:slot-end": Row(PAIR_SCHEDULERS, args=lambda o: [slot(o).pk]),
    # everyone's week: sessions they lead and sessions in which they are coached
    "scheduling:week": Row({"trust_admin": 403}, default=200),
    "scheduling:upcoming": Row({"trust_admin": 403}, default=200),
    "scheduling:session-detail": Row(SESSION_VIEWERS, default=404, args=lambda o: [session(o)]),
    # an empty POST re-renders the page with the form's errors
    "scheduling:session-missed": Row(
        SESSION_WRITERS, default=404, method="post", args=lambda o: [session(o)]
    ),
    "scheduling:session-reschedule": Row(
        SESSION_WRITERS, default=404, method="post", args=lambda o: [session(o)]
    ),
    "scheduling:session-cover": Row(
        SESSION_WRITERS, default=404, method="post", args=lambda o: [session(o)]
    ),
    "scheduling:session-held": Row(
        {"alice": 403, "bob": 302, "lead": 302, "admin": 302},
        default=404,
        method="post",
        args=lambda o: [session(o)],
    ),
}

SCHEDULE_ROWS["reporting:capacity"] = Row({"lead": 200, "admin": 200, "head": 200, "outsider": 200})
SCHEDULE_ROWS["reporting:dashboard"] = Row(
    {"lead": 200, "admin": 200, "head": 200, "outsider": 200}
)
SCHEDULE_ROWS["reporting:trust-dashboard"] = Row({"trust_admin": 200})
