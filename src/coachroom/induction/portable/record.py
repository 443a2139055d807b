"""An ECT's induction as data: the JSON of the portable record.

Read as the ECT reads it (`reader`, through `visible_to`): the ECT downloads their own record,
and `coachroom export ect` exports it on their behalf, so it holds what they may read and no
more. The reviews are those the induction tutor has signed (what the tutor wrote is then
final); steps are the ECT's in their ECT-mentoring pairs at the school, as titles, states,
dates and framework tags; mentoring is counted, never quoted. Support plans stay at the school.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.coaching.models import ActionStep
from coachroom.coaching.policy import Who
from coachroom.induction.dates import plan_for
from coachroom.induction.entitlement import entitlements
from coachroom.induction.models import (
    FrameworkTag,
    Induction,
    InductionReview,
    section_title,
)

FORMAT = "coachroom-induction-record"
VERSION = 1  # raise it when a reader of version 1 would misread the file


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """A date in ISO form; a moment as its date at the school (signatures are dated)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _name(person: User | None) -> str | None:
    return person.full_name if person is not None else None


def record_data(induction: Induction, reader: Who) -> dict[str, Any]:
    """The whole record, ready for `json.dumps`: dates in ISO form, decimals as text."""
    plan = plan_for(induction)
    counts = entitlements([induction], {induction.pk: plan}, induction.school)[induction.pk]
    ect, school = induction.ect, induction.school
    return {
        "format": FORMAT,
        "version": VERSION,
        "as_of": iso(timezone.localdate()),
        "ect": {"name": ect.full_name, "email": ect.email},
        "school": {"name": school.name, "urn": school.urn},
        "appropriate_body": {
            "name": induction.appropriate_body,
            "contact": induction.appropriate_body_contact,
        },
        "starts_on": iso(induction.starts_on),
        "fte": str(Decimal(induction.fte).quantize(Decimal("0.01"))),  # "1.00", however read
        "left_on": iso(induction.left_on),
        "mentor": _name(induction.mentor),
        "induction_tutor": _name(induction.tutor),
        "dates": {
            "year_one_ends_on": iso(plan.year_one_ends_on),
            "ends_on": iso(plan.ends_on),
            "absence_days": plan.absence_days,
            "extension_days": plan.extension_days,
            "points": [{"what": p.label, "due_on": iso(p.due_on)} for p in plan.points],
        },
        # Dates only: why someone was away is not needed, so it is never recorded.
        "absences": [
            {"first_day": iso(a.first_day), "last_day": iso(a.last_day)}
            for a in induction.absences.all()
        ],
        "reviews": _reviews(induction, reader),
        "steps": _steps(induction, reader),
        "mentor_meetings": {"held": counts.meetings_held, "planned": counts.meetings_planned},
        "time_off": {
            "hours_recorded": _hours(counts.time_off_hours),
            "hours_due": _hours(counts.time_off_due) if counts.time_off_due is not None else None,
        },
    }


def _hours(value: Decimal) -> str:
    """Hours to a tenth, written the same on every database ("2.0", not "2")."""
    return str(Decimal(value).quantize(Decimal("0.1")))


def _signature(person: User | None, when: dt.datetime | None) -> dict[str, Any] | None:
    if when is None or person is None:
        return None
    return {"name": person.full_name, "on": iso(when)}


def _reviews(induction: Induction, reader: Who) -> list[dict[str, Any]]:
    signed = (
        InductionReview.objects.visible_to(reader)
        .filter(induction=induction, tutor_signed_at__isnull=False)
        .select_related("tutor_signed_by", "head_signed_by")
        .order_by("due_on", "pk")
    )
    return [
        {
            "kind": r.kind,
            "title": r.title,
            "period": r.period,
            "due_on": iso(r.due_on),
            "outcome": r.outcome,
            "standards_of_concern": [
                {"number": n, "title": section_title(n)} for n in r.standards_of_concern
            ],
            "evidence": r.evidence,
            "targets": r.targets,
            "ect_comments": r.ect_comments,
            "signed": {
                "induction_tutor": _signature(r.tutor_signed_by, r.tutor_signed_at),
                "headteacher": _signature(r.head_signed_by, r.head_signed_at),
                "ect": _signature(induction.ect, r.ect_signed_at),
            },
        }
        for r in signed
    ]


def _steps(induction: Induction, reader: Who) -> list[dict[str, Any]]:
    """Titles, states and dates, never success criteria or reasons: the step history a new
    mentor needs, not what was said about it."""
    tags = FrameworkTag.objects.order_by("section", "statement", "pk")
    steps = (
        ActionStep.objects.visible_to(reader, about=induction.ect)
        .filter(school=induction.school, relationship__kind=CoachingRelationship.Kind.ECF)
        .only("title", "state", "created_at", "agreed_at", "secured_at", "stuck_at")
        .prefetch_related(Prefetch("framework_tags", queryset=tags))
        .order_by("created_at", "pk")
    )
    return [
        {
            "title": s.title,
            "state": s.state,
            "proposed_on": iso(s.created_at),
            "agreed_on": iso(s.agreed_at),
            "secured_on": iso(s.secured_at),
            "stuck_on": iso(s.stuck_at),
            "framework": [
                {
                    "section": t.section,
                    "section_title": section_title(t.section),
                    "statement": t.statement,
                }
                for t in s.framework_tags.all()
            ],
        }
        for s in steps
    ]
