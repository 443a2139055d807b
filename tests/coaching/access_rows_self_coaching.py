"""Access-matrix rows for self-coaching (merged into tests/test_access_matrix.py): self-reviews
(coaching/selfreview/) and a pair's rhythm (scheduling/tapering/).

A self-review is alice's: she writes it and decides whether bob, her coach, reads it; nobody
else ever does, a coaching lead included (the rows' review is shared, so bob reads it). A pair's
rhythm is the pair's own: alice and bob may propose, answer or step back up; anyone else,
leaders included, gets 404.
"""

from __future__ import annotations

from typing import Any

from coachroom.coaching.selfreview.models import SelfReview
from coachroom.scheduling.tapering.models import CadenceChange
from tests.access import Row
from tests.factories import make_step

NOBODY_ELSE = 404


def _step(o: dict[str, Any]) -> int:
    return make_step(o["pair"]).pk


def _shared_review(o: dict[str, Any]) -> int:
    pair = o["pair"]
    return SelfReview.objects.create(
        school=pair.school,
        teacher=pair.coachee,
        relationship=pair,
        step=make_step(pair),
        decision="continue",
        shared_with_coach=True,
    ).pk


def _proposal(o: dict[str, Any]) -> int:
    pair = o["pair"]
    return CadenceChange.objects.create(
        school=pair.school,
        relationship=pair,
        from_cadence="weekly",
        to_cadence="fortnightly",
        proposed_by=pair.coach,
    ).pk


SELF_COACHING_ROWS: dict[str, Row] = {
    # the coach may open the step but not write the teacher's review of her own lesson
    "coaching:self-review-new": Row(
        {"alice": 200, "bob": 403}, default=NOBODY_ELSE, args=lambda o: [_step(o)]
    ),
    "coaching:self-review-detail": Row(
        {"alice": 200, "bob": 200}, default=NOBODY_ELSE, args=lambda o: [_shared_review(o)]
    ),
    # an empty POST: the teacher is sent back to the review with a message; the coach reads it
    # but may not change who does
    "coaching:self-review-share": Row(
        {"alice": 302, "bob": 403},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [_shared_review(o)],
    ),
    # an empty POST: back to the timeline with a message
    "scheduling:rhythm-change": Row(
        {"alice": 302, "bob": 302},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [o["pair"].pk],
    ),
    "scheduling:rhythm-agree": Row(
        {"alice": 302, "bob": 302},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [_proposal(o)],
    ),
    "scheduling:rhythm-decline": Row(
        {"alice": 302, "bob": 302},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [_proposal(o)],
    ),
}
