"""Access-matrix rows for induction (merged into tests/test_access_matrix.py).

Framework tags: the step and meeting belong to alice, mentored by bob in an ECT-mentoring pair
at Oak. Only bob tags them; alice and the coaching lead can see the step (alice the meeting
too), so they get a 403; everyone else, Elm's outsider included, gets the 404 of a record they
cannot see.

Set-up: alice is Oak's ECT, mentored by bob, with tess as her induction tutor. Oak's school
admin, senior leader (head) and induction tutor run induction; any other Oak member gets 403,
the mentor included (the mentor coaches and never assesses). Elm's outsider runs induction at
Elm: Oak's induction is a 404 for them, the cohort list shows Elm's. Every member has a "My
induction" page. Reviews are read by the ECT, the induction tutor and senior leaders only;
for everyone else, the mentor and the school admin included, a review is a 404.

The portable record: only alice downloads hers (nobody else has an induction at Oak: 404).
Oak's induction tutor and head attach an earlier record to her induction (other Oak members
403, Elm's outsider 404); an earlier record and its PDF are read like a review.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from coachroom.accounts.models import CoachingRelationship
from coachroom.induction.models import (
    EarlierInductionRecord,
    Induction,
    InductionAbsence,
    InductionReview,
)
from coachroom.induction.portable.archive import read_archive
from coachroom.induction.portable.services import earlier_record_attach, record_archive
from tests.access import Row
from tests.coaching.access_rows import meeting
from tests.factories import make_step


def mentoring(o: dict[str, Any]) -> CoachingRelationship:
    pair: CoachingRelationship = o["pair"]
    pair.kind = CoachingRelationship.Kind.ECF
    pair.save(update_fields=["kind"])
    return pair


def induction(o: dict[str, Any]) -> Induction:
    made, _ = Induction.objects.get_or_create(
        school=o["pair"].school,
        ect=o["alice"],
        defaults={
            "starts_on": dt.date(2026, 9, 7),
            "fte": Decimal("1"),
            "appropriate_body": "Oakshire Teaching School Hub",
            "mentor": o["bob"],
            "tutor": o["tess"],
        },
    )
    return made


def absence(o: dict[str, Any]) -> InductionAbsence:
    return InductionAbsence.objects.create(
        induction=induction(o), first_day=dt.date(2026, 10, 5), last_day=dt.date(2026, 10, 9)
    )


def review(o: dict[str, Any]) -> InductionReview:
    made, _ = InductionReview.objects.get_or_create(
        school=o["pair"].school,
        induction=induction(o),
        kind="progress review",
        period="Autumn 2026",
        defaults={"due_on": dt.date(2026, 12, 18)},
    )
    return made


def earlier(o: dict[str, Any]) -> EarlierInductionRecord:
    """Alice's record, exported and attached again to her induction (as if from elsewhere)."""
    made = induction(o)
    content = record_archive(induction=made, reader=o["alice"]).content
    record, _ = earlier_record_attach(induction=made, reading=read_archive(content), by=o["tess"])
    return record


MANAGERS = {"admin": 200, "head": 200, "tess": 200}
# Reviews: the ECT, the induction tutor and senior leaders; never the mentor (bob) or the admin.
REVIEW_READERS = {"alice": 200, "head": 200, "tess": 200, "trust_admin": 403}
MANAGERS_LIST = {**MANAGERS, "outsider": 200}
MANAGERS_OBJECT = {**MANAGERS, "outsider": 404}

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
    "induction:cohort": Row(MANAGERS_LIST, args=lambda o: (induction(o), [])[1]),
    "induction:new": Row(MANAGERS_LIST),
    "induction:mine": Row({"trust_admin": 403}, default=200, args=lambda o: (induction(o), [])[1]),
    "induction:detail": Row(MANAGERS_OBJECT, args=lambda o: [induction(o).pk]),
    # Only the ECT shares their mentoring with their tutor; nobody else has an induction here.
    "induction:share-mentoring": Row(
        {"alice": 302, "trust_admin": 403},
        default=404,
        method="post",
        args=lambda o: (induction(o), [])[1],
    ),
    "induction:absence-add": Row(MANAGERS_OBJECT, method="post", args=lambda o: [induction(o).pk]),
    "induction:review": Row(REVIEW_READERS, default=404, args=lambda o: [review(o).pk]),
    "induction:review-pdf": Row(REVIEW_READERS, default=404, args=lambda o: [review(o).pk]),
    "induction:support-plan": Row(REVIEW_READERS, default=404, args=lambda o: [induction(o).pk]),
    "induction:review-start": Row(
        {"head": 302, "tess": 302, "outsider": 404},
        method="post",
        args=lambda o: [induction(o).pk],
    ),
    "induction:cohort-csv": Row({"head": 200, "tess": 200, "outsider": 200}),
    "induction:time-off-add": Row(MANAGERS_OBJECT, method="post", args=lambda o: [induction(o).pk]),
    "induction:absence-remove": Row(
        MANAGERS_OBJECT, args=lambda o: [induction(o).pk, absence(o).pk]
    ),
    "induction:mine-record": Row(
        {"alice": 200, "trust_admin": 403}, default=404, args=lambda o: (induction(o), [])[1]
    ),
    "induction:earlier-import": Row(
        {"head": 200, "tess": 200, "outsider": 404}, args=lambda o: [induction(o).pk]
    ),
    "induction:earlier": Row(REVIEW_READERS, default=404, args=lambda o: [earlier(o).pk]),
    "induction:earlier-pdf": Row(REVIEW_READERS, default=404, args=lambda o: [earlier(o).pk]),
}
