"""Access-matrix rows for learning walks, reviews of coaching, quality signals, recognition and
thanks (merged into tests/test_access_matrix.py).

The walk is led by `head` at Oak and visits alice (coached by bob). Walk pages are for Oak's
leaders; a visit is read by alice, her coach and whoever led the walk (the coaching lead only if
the school allows). The review is lead's review of bob's coaching: only they two read it.
`outsider` is a coach, lead and admin at Elm, so Elm's own list pages are 200 for them.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coachroom.coaching.models import FeedbackMeeting
from coachroom.coaching.services import StepDraft
from coachroom.leading import walks
from coachroom.leading.models import CoachingReview, LearningWalk, WalkVisit
from tests.access import Row

LEADERS = {"head": 200, "lead": 200, "admin": 200, "outsider": 200}
MEMBERS = {"trust_admin": 403}
COACHES = {"bob": 200, "carol": 200, "lead": 200, "outsider": 200}
NOBODY_ELSE = 404


def walk(o: dict[str, Any]) -> LearningWalk:
    return walks.walk_plan(
        school=o["year"].school, by=o["head"], walked_on=timezone.localdate(), focus="Entry"
    )


def visit(o: dict[str, Any]) -> WalkVisit:
    return walks.walk_record_visit(
        walk=walk(o), by=o["head"], teacher=o["alice"], focus_seen="seen", note="Calm start"
    )


def review(o: dict[str, Any], *, done: bool = False) -> CoachingReview:
    school = o["year"].school
    r = walks.review_assign(school=school, by=o["lead"], coach=o["bob"], reviewer=o["lead"])
    if done:
        r = walks.review_complete(
            review=r,
            by=o["lead"],
            mode="live",
            ratings={key: "seen" for key in walks.RUBRIC_LABELS},
            notes="Precise praise; one more rehearsal round next time.",
            held_on=timezone.localdate(),
            step=StepDraft(title="Two rounds, always", criteria="Two rehearsal rounds"),
        )
    return r


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


WALK_ROWS: dict[str, Row] = {
    "leading:walks": Row(LEADERS),
    "leading:walk-new": Row(LEADERS),
    "leading:walk-findings": Row(MEMBERS, default=200),
    "leading:walk-detail": Row(
        {"head": 200, "lead": 200, "admin": 200}, default=NOBODY_ELSE, args=lambda o: [walk(o).pk]
    ),
    # only the walker records visits; other leaders may see the walk but not add to it
    "leading:walk-visit-new": Row(
        {"head": 200, "lead": 403, "admin": 403}, default=NOBODY_ELSE, args=lambda o: [walk(o).pk]
    ),
    "leading:walk-visit-detail": Row(
        {"alice": 200, "bob": 200, "head": 200}, default=NOBODY_ELSE, args=lambda o: [visit(o).pk]
    ),
    "leading:my-walk-visits": Row(MEMBERS, default=200),
    "leading:reviews": Row({**COACHES, "head": 200, "admin": 200}),
    "leading:review-new": Row({"lead": 200, "outsider": 200}),
    "leading:review-record": Row({"lead": 200}, default=NOBODY_ELSE, args=lambda o: [review(o).pk]),
    "leading:review-detail": Row(
        {"lead": 200, "bob": 200}, default=NOBODY_ELSE, args=lambda o: [review(o, done=True).pk]
    ),
    # bob submits his meeting; alice may read it but not submit it (403)
    "leading:meeting-review-sharing": Row(
        {"bob": 302, "alice": 403},
        default=NOBODY_ELSE,
        method="post",
        args=lambda o: [meeting(o).pk],
    ),
    "leading:quality": Row(COACHES),
    "leading:recognition": Row(COACHES),
    "leading:thanks": Row(MEMBERS, default=200),
    # an empty form is shown again with its errors
    "leading:thank-coach": Row(MEMBERS, default=200, method="post"),
}
