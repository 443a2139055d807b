"""Subject access, the sections from leading the programme: learning-walk visits to the
person's lessons, reviews of their coaching, and thanks (records/subject_access.py builds the
whole export)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q

from coachroom.accounts.models import School, User
from coachroom.leading.models import (
    CoachingReview,
    ReviewRating,
    Thanks,
    WalkStepSighting,
    WalkVisit,
)
from coachroom.leading.walks import MEETING_RUBRIC, RUBRIC_LABELS
from coachroom.records.subject_access_fields import name_of as _name
from coachroom.records.subject_access_fields import scoped as _scoped
from coachroom.records.subject_access_fields import when as _when


def walk_visits(user: User, school: School | None) -> list[dict[str, Any]]:
    """Learning-walk visits to the person's lessons: the teacher reads every word of them."""
    sightings = WalkStepSighting.objects.select_related("step").order_by("pk")
    qs = (
        _scoped(WalkVisit.objects.filter(teacher=user), school)
        .select_related("school", "walk__led_by", "walk__strand")
        .prefetch_related(Prefetch("sightings", queryset=sightings, to_attr="sighting_list"))
        .order_by("visited_at", "pk")
    )
    return [
        {
            "id": v.pk,
            "school": v.school.name,
            "when": _when(v.visited_at),
            "walk": v.walk_id,
            "walked_on": _when(v.walk.walked_on),
            "led_by": _name(v.walk.led_by),
            "walk_focus": v.walk.focus_label,
            "focus_seen": str(v.get_focus_seen_display()),
            "what_was_seen": v.what_seen,
            "note_for_you": v.note,
            "you_read_it": _when(v.teacher_read_at),
            "your_steps": [
                {
                    "step": s.step.title,
                    "result": str(s.get_result_display()),
                    "did_it_stick_check": s.step_was_secured,
                }
                for s in v.sighting_list
            ],
        }
        for v in qs
    ]


_RUBRIC_ORDER = {item.key: index for index, item in enumerate(MEETING_RUBRIC)}


def reviews(user: User, school: School | None) -> tuple[list[dict[str, Any]], int]:
    """Reviews of the person's coaching; self-service leaves out (and counts) unwritten ones,
    which the coach does not see in Coachroom until the reviewer writes them."""
    ratings = ReviewRating.objects.order_by("pk")
    qs = (
        _scoped(CoachingReview.objects.filter(coach=user), school)
        .select_related("school", "reviewer", "assigned_by", "meeting", "development_step")
        .prefetch_related(Prefetch("ratings", queryset=ratings, to_attr="rating_list"))
        .order_by("created_at", "pk")
    )
    shown, withheld = [], 0
    for r in qs:
        if school is None and not r.is_done:
            withheld += 1
            continue
        last = len(_RUBRIC_ORDER)  # an item no longer in the rubric goes at the end
        ordered = sorted(r.rating_list, key=lambda x: (_RUBRIC_ORDER.get(x.item, last), x.pk))
        shown.append(
            {
                "id": r.pk,
                "school": r.school.name,
                "reviewer": _name(r.reviewer),
                "arranged_by": _name(r.assigned_by),
                "status": "Written" if r.is_done else "Not yet written",
                "how": str(r.get_mode_display()) if r.mode else "",
                "meeting_reviewed": _when(r.meeting.held_at) if r.meeting else None,
                "held": _when(r.held_on),
                "written": _when(r.completed_at),
                "notes": r.notes,
                "ratings": [
                    {
                        "item": RUBRIC_LABELS.get(x.item, x.item),
                        "rating": str(x.get_rating_display()),
                    }
                    for x in ordered
                ],
                "your_development_step": (r.development_step.title if r.development_step else None),
            }
        )
    return shown, withheld


def thanks(user: User, school: School | None) -> dict[str, list[dict[str, Any]]]:
    """Thanks the person received as a coach, and sent as a teacher, with their messages."""
    qs = (
        _scoped(Thanks.objects.filter(Q(coach=user) | Q(teacher=user)), school)
        .select_related("school", "teacher", "coach")
        .order_by("created_at", "pk")
    )
    received: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    for t in qs:
        row = {"id": t.pk, "school": t.school.name, "when": _when(t.created_at)}
        if t.coach_id == user.pk:
            received.append({**row, "from": _name(t.teacher), "message": t.message})
        if t.teacher_id == user.pk:
            sent.append({**row, "to": _name(t.coach), "message": t.message})
    return {"received": received, "sent": sent}
