"""Subject access, the induction section: an ECT's induction set-up and absences, every
review and assessment of them in full, and the records of their induction at earlier schools
attached here, as they came (records/subject_access.py builds the whole export)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from coachroom.accounts.models import School, User
from coachroom.induction.models import (
    EarlierInductionRecord,
    Induction,
    InductionReview,
    section_title,
)
from coachroom.records.subject_access_fields import name_of as _name
from coachroom.records.subject_access_fields import scoped as _scoped
from coachroom.records.subject_access_fields import when as _when

# The DPO's export reads every review of the person, whoever may read it in Coachroom.
_REVIEWS = InductionReview.objects.select_related("tutor_signed_by", "head_signed_by").order_by(
    "due_on", "pk"
)
_EARLIER = EarlierInductionRecord.objects.select_related("imported_by").defer("pdf")


def induction(user: User, school: School | None) -> list[dict[str, Any]]:
    inductions = (
        _scoped(Induction.objects.filter(ect=user), school)
        .select_related("school", "mentor", "tutor")
        .prefetch_related("absences", Prefetch("reviews", queryset=_REVIEWS))
        .prefetch_related(Prefetch("earlier_records", queryset=_EARLIER))
        .order_by("starts_on", "pk")
    )
    return [
        {
            "school": i.school.name,
            "starts_on": _when(i.starts_on),
            "fte": str(i.fte),
            "appropriate_body": i.appropriate_body,
            "appropriate_body_contact": i.appropriate_body_contact,
            "mentor": _name(i.mentor),
            "induction_tutor": _name(i.tutor),
            "why_one_person_is_mentor_and_tutor": i.same_person_reason,
            "absences": [
                {"first_day": _when(a.first_day), "last_day": _when(a.last_day)}
                for a in i.absences.all()
            ],
            "reviews_and_assessments": _reviews(i),
            "earlier_schools": [
                {
                    "from_school": e.previous_school,
                    "attached_at": _when(e.imported_at),
                    "attached_by": _name(e.imported_by),
                    "record": e.data,  # the induction.json that came (its PDF says the same)
                }
                for e in i.earlier_records.all()
            ],
        }
        for i in inductions
    ]


def _reviews(of: Induction) -> list[dict[str, Any]]:
    return [
        {
            "what": r.title,
            "due_on": _when(r.due_on),
            "outcome": r.get_outcome_display(),
            "standards_not_on_track": [f"{n}. {section_title(n)}" for n in r.standards_of_concern],
            "evidence": r.evidence,
            "development_targets": r.targets,
            "your_comments": r.ect_comments,
            "signed_by_tutor": _name(r.tutor_signed_by),
            "tutor_signed_at": _when(r.tutor_signed_at),
            "signed_for_headteacher": _name(r.head_signed_by),
            "headteacher_signed_at": _when(r.head_signed_at),
            "you_signed_at": _when(r.ect_signed_at),
        }
        for r in of.reviews.all()
    ]
