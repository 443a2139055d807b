"""Access-matrix rows for the framework tags (merged into tests/test_access_matrix.py).

The step and meeting belong to alice, mentored by bob in an ECT-mentoring pair at Oak. Only bob
tags them; alice and the coaching lead can see the step (alice the meeting too), so they get a
403; everyone else, Elm's outsider included, gets the 404 of a record they cannot see.
"""

from __future__ import annotations

from typing import Any

from coachroom.accounts.models import CoachingRelationship
from tests.access import Row
from tests.coaching.access_rows import meeting
from tests.factories import make_step


def mentoring(o: dict[str, Any]) -> CoachingRelationship:
    pair: CoachingRelationship = o["pair"]
    pair.kind = CoachingRelationship.Kind.ECF
    pair.save(update_fields=["kind"])
    return pair


INDUCTION_ROWS: dict[str, Row] = {
    "induction:step-tags": Row(
        {"bob": 200, "alice": 403, "lead": 403},
        default=404,
        args=lambda o: [make_step(mentoring(o)).pk],
    ),
    "induction:meeting-tags": Row(
        {"bob": 200, "alice": 403},
        default=404,
        args=lambda o: [(mentoring(o), meeting(o))[1].pk],
    ),
}
