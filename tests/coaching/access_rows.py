"""Access-matrix rows for the coaching cycle (merged into tests/test_access_matrix.py).

Objects belong to alice (coached by bob at Oak). The coaching lead sees step titles and
states and alice's timeline, but not drop-ins or meetings unless submitted for review.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coachroom.coaching.models import FeedbackMeeting, Observation
from tests.access import Row
from tests.factories import make_step

PARTIES = {"alice": 200, "bob": 200}
NOBODY_ELSE = 404


def observation(o: dict[str, Any], status: str = "submitted") -> Observation:
    pair = o["pair"]
    return Observation.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        observer=pair.coach,
        status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
        notes="Pupils at the back table waited for the recap.",
    )


def meeting(o: dict[str, Any]) -> FeedbackMeeting:
    pair = o["pair"]
    return FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        praise="Calm, quick start",
        decision="new",
    )


def step(o: dict[str, Any], state: str) -> int:
    return make_step(o["pair"], state=state).pk


COACHING_ROWS: dict[str, Row] = {
    "coaching:drop-in-start": Row(
        {"bob": 302}, default=NOBODY_ELSE, method="post", args=lambda o: [o["pair"].pk]
    ),
    "coaching:meeting-new": Row({"bob": 200}, default=NOBODY_ELSE, args=lambda o: [o["pair"].pk]),
    # without htmx the picker sends its coach to the meeting page with the same query
    "coaching:step-picker": Row({"bob": 302}, default=NOBODY_ELSE, args=lambda o: [o["pair"].pk]),
    # needs ?pair=&library_step= naming one of the coach's own pairs; bare, nobody gets in
    "coaching:meeting-with-step": Row({}, default=NOBODY_ELSE),
    "coaching:drop-in-detail": Row(
        PARTIES, default=NOBODY_ELSE, args=lambda o: [observation(o).pk]
    ),
    "coaching:drop-in-edit": Row(
        {"bob": 200}, default=NOBODY_ELSE, args=lambda o: [observation(o, "draft").pk]
    ),
    "coaching:drop-in-autosave": Row(
        {"bob": 302},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [observation(o, "draft").pk],
    ),
    "coaching:meeting-detail": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [meeting(o).pk]),
    # alice's empty reflection re-renders with an error; bob may read but not reflect (409)
    "coaching:meeting-reflect": Row(
        {"alice": 200, "bob": 409},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [meeting(o).pk],
    ),
    "coaching:step-detail": Row(
        {**PARTIES, "lead": 200}, default=NOBODY_ELSE, args=lambda o: [step(o, "practising")]
    ),
    "coaching:step-agree": Row(
        {"alice": 302, "bob": 302},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [step(o, "proposed")],
    ),
    "coaching:step-tried": Row(
        {"alice": 302, "bob": 409},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [step(o, "agreed")],
    ),
    "coaching:step-resume": Row(
        {"alice": 409, "bob": 409},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [step(o, "practising")],
    ),
    "coaching:step-pause": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [step(o, "agreed")]),
    "coaching:step-withdraw": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [step(o, "agreed")]),
    "coaching:step-reopen": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [step(o, "secured")]),
    "coaching:step-counter": Row(
        {"alice": 200, "bob": 409}, default=NOBODY_ELSE, args=lambda o: [step(o, "proposed")]
    ),
    "coaching:timeline": Row(
        {**PARTIES, "lead": 200}, default=NOBODY_ELSE, args=lambda o: [o["alice"].pk]
    ),
    "coaching:my-timeline": Row({}, default=302),
    # a coach's own list of unread reflections (Elm's coach sees Elm's); non-coaches are refused
    "coaching:reflections": Row({"bob": 200, "carol": 200, "lead": 200, "outsider": 200}),
}
