"""Reads for self-review pages: the teacher's clips to choose from, and a step's reviews."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from coachroom.accounts.models import School, User
from coachroom.coaching.models import ActionStep
from coachroom.coaching.policy import Who
from coachroom.coaching.selfreview.models import PointRating, SelfReview

CLIPS_OFFERED = 20  # the newest ready clips; older ones are still on the teacher's clips page


def _clips() -> Any:
    """The clip model, reached through the review's link to it: coaching sits below video and
    never imports it."""
    return SelfReview._meta.get_field("clip").related_model


def owns_ready_clip(teacher: User, school: School, clip_id: int) -> bool:
    return bool(
        _clips().objects.filter(pk=clip_id, owner=teacher, school=school, status="ready").exists()
    )


def own_clip_choices(teacher: User, school: School) -> list[tuple[int, str]]:
    """The teacher's own ready clips at the school, newest first: an owner may always watch
    their own clips."""
    rows = (
        _clips()
        .objects.filter(owner=teacher, school=school, status="ready")
        .order_by("-created_at", "-pk")
        .values_list("pk", "title", "created_at")[:CLIPS_OFFERED]
    )
    return [(pk, f"{title} ({created:%d/%m/%Y})") for pk, title, created in rows]


def rated(rating: str) -> Count:
    """How many of a review's points were rated `rating`: what a list shows of a review."""
    return Count("points", filter=Q(points__rating=rating))


def reviews_of_step(step: ActionStep, viewer: Who) -> list[SelfReview]:
    """The step's self-reviews the viewer may read (theirs, or shared with them), newest first,
    with their counts: one query."""
    rows = SelfReview.objects.visible_to(viewer).filter(step=step).order_by("-created_at", "-pk")
    return list(
        rows.annotate(
            seen=rated(PointRating.SEEN),
            partly=rated(PointRating.PARTLY),
            not_yet=rated(PointRating.NOT_YET),
        ).defer("noticed")
    )


def count_summary(seen: int, partly: int, not_yet: int) -> str:
    """ "2 seen, 1 partly, 0 not yet": what a list says of a review, never what was written."""
    return f"{seen} seen, {partly} partly, {not_yet} not yet"
