"""Subject access, the lesson-video section: the teacher's own clips, who they shared each with,
and the comments on them, in the teacher's own download only.

Lesson video is the teacher's alone (README, "Who can see video"): a school's data protection
lead answering a request for the school sees only where the teacher can download it, never a
title or a comment. The video files themselves stay in Coachroom, where the teacher can watch
and download each one; the list says which exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from coachroom.accounts.models import School, User
from coachroom.records.subject_access_fields import name_of as _name
from coachroom.records.subject_access_fields import when as _when
from coachroom.video.models import Clip, ClipComment, ClipShare

ONLY_FOR_THE_TEACHER = (
    "Lesson videos are held for the teacher alone: they see the list of their clips, the "
    "comments and who watched in their own download (My data) and on My lesson videos."
)


def lesson_videos(user: User, school: School | None) -> list[dict[str, Any]] | str:
    if school is not None:
        return ONLY_FOR_THE_TEACHER
    comments = ClipComment.objects.select_related("author", "step").order_by("at_seconds", "pk")
    clips = (
        Clip.objects.filter(owner=user)
        .select_related("school", "uploaded_by")
        .prefetch_related(
            Prefetch("comments", queryset=comments),
            Prefetch("shares", queryset=ClipShare.objects.select_related("colleague")),
        )
        .order_by("created_at", "pk")
    )
    return [_clip(c) for c in clips]


def _clip(clip: Clip) -> dict[str, Any]:
    return {
        "school": clip.school.name,
        "title": clip.title,
        "uploaded": _when(clip.created_at),
        "uploaded_by": _name(clip.uploaded_by),
        "status": str(clip.get_status_display()),
        "why_it_failed": clip.failure_reason,
        "length_seconds": clip.duration_seconds,
        "kept": clip.keep,
        "deleted_on": None if clip.keep else _when(clip.delete_after),
        "filming_protocol_confirmed": _when(clip.protocol_confirmed_at),
        "shared_with_your_coach": clip.shared_with_coach,
        "shared_with_colleagues": [
            {
                "colleague": _name(s.colleague),
                "from": _when(s.created_at),
                "until": _when(s.revoked_at),
            }
            for s in clip.shares.all()
        ],
        "comments": [
            {
                "at": c.at_label,
                "by": _name(c.author),
                "comment": c.text,
                "step": c.step.title if c.step else None,
                "ittecf_section": c.get_framework_section_display()
                if c.framework_section
                else None,
            }
            for c in clip.comments.all()
        ],
    }
