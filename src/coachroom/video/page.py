"""What the video pages show: the lists on "My lesson videos" and the clip's page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.audit.models import AuditEvent
from coachroom.video import access, services
from coachroom.video.forms import ColleagueForm, CommentForm
from coachroom.video.models import Clip, ClipComment, ClipShare, UploadConsent
from coachroom.video.tasks import STALE_AFTER, clip_mark_failed


def clip_fail_if_stale(clip: Clip) -> None:
    """Processing that has run too long is reported as failed when the page is looked at, even
    before the worker's check comes round."""
    started = clip.processing_started_at
    if clip.status == Clip.Status.PROCESSING and started and timezone.now() - started > STALE_AFTER:
        clip_mark_failed(clip, "Processing took too long and was stopped. Upload the clip again.")


def current_coaches(owner: User, school_id: int) -> list[User]:
    pairs = (
        CoachingRelationship.objects.current()
        .filter(school=school_id, coachee=owner)
        .exclude(kind=CoachingRelationship.Kind.SELF)
        .select_related("coach")
    )
    return [pair.coach for pair in pairs]


def _watchers(clip: Clip) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(  # by subject first: the audit_by_subject index
            subject=clip.owner_id,
            target_type="video.clip",
            target_id=str(clip.pk),
            action="video.clip.viewed",
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )


def clip_context(
    request: HttpRequest,
    clip: Clip,
    *,
    comment_form: CommentForm | None = None,
    colleague_form: ColleagueForm | None = None,
) -> dict[str, Any]:
    user = request.user
    is_owner = clip.owner_id == user.pk
    steps = services.steps_to_tag(clip)
    context: dict[str, Any] = {
        "clip": clip,
        "is_owner": is_owner,
        "comments": list(clip.comments.select_related("author", "step")),
        "comment_form": comment_form or CommentForm(steps=steps),
    }
    if is_owner:
        context |= {
            "coaches": current_coaches(clip.owner, clip.school_id),
            "shares": list(ClipShare.objects.open().filter(clip=clip).select_related("colleague")),
            "colleague_form": colleague_form or ColleagueForm(school=clip.school, owner=clip.owner),
            "watchers": _watchers(clip),
        }
    return context


def my_clips_context(request: Any) -> dict[str, Any]:
    user, school = request.user, request.membership.school
    mine = Clip.objects.for_school(school).owned_by(user)
    shared = (
        access.clips_visible_to(user).for_school(school).exclude(owner=user).select_related("owner")
    )
    pairs = list(
        CoachingRelationship.objects.current()
        .filter(school=school, coachee=user)
        .exclude(kind=CoachingRelationship.Kind.SELF)
        .select_related("coach")
    )
    consented = set(
        UploadConsent.objects.filter(relationship__in=pairs, withdrawn_at__isnull=True).values_list(
            "relationship_id", flat=True
        )
    )
    return {
        "mine": list(mine),
        "shared": list(shared),
        "pairs": [(pair, pair.pk in consented) for pair in pairs],
        "filming_for": services.teachers_who_consented(user, school.pk),
        "is_teacher": request.membership.is_teacher,
    }


def _vtt_time(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.000"


def _vtt_text(text: str) -> str:
    # WebVTT reads <, & and "-->" as markup: escape them, and keep each cue on its lines.
    cleaned = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(line for line in cleaned.splitlines() if line.strip())


def comments_vtt(comments: list[ClipComment]) -> str:
    """Each comment shown for four seconds from its time, with its author's name."""
    cues = ["WEBVTT", ""]
    for comment in comments:
        start = comment.at_seconds
        cues += [
            f"{_vtt_time(start)} --> {_vtt_time(start + 4)}",
            f"{_vtt_text(comment.author.full_name)}: {_vtt_text(comment.text)}",
            "",
        ]
    return "\n".join(cues)
