"""Writes on clips after upload: the owner's sharing, keeping and deleting; comments; the
teacher's consent to their coach uploading. Each is one transaction and one audit entry, and
shares are recorded for the teacher to see (the owner is the audit subject throughout)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, Membership, User
from coachroom.coaching.models import ActionStep
from coachroom.core.errors import DomainError
from coachroom.video.models import Clip, ClipComment, ClipShare, UploadConsent
from coachroom.video.tasks import clip_delete_files


def _record(clip: Clip, by: User, action: str, **data: object) -> None:
    audit.record(
        actor=by,
        action=action,
        school=None,  # the teacher's alone: kept out of every school log and export
        target=clip,
        subject=clip.owner,
        data=data,
    )


@transaction.atomic
def clip_share_with_coach(*, clip: Clip, by: User, on: bool) -> Clip:
    if clip.shared_with_coach != on:
        clip.shared_with_coach = on
        clip.save(update_fields=["shared_with_coach"])
        _record(clip, by, "video.clip.shared" if on else "video.clip.unshared", audience="coach")
    return clip


@transaction.atomic
def clip_share_add(*, clip: Clip, by: User, colleague: User) -> ClipShare:
    """Share with a named colleague (peer mode); sharing again with the same person is the
    same share."""
    if colleague.pk == clip.owner_id:
        raise DomainError("This is your own clip.")
    in_school = Membership.objects.active().filter(user=colleague, school=clip.school_id)
    if not in_school.exists():
        raise DomainError("You can share only with a colleague at this school.")
    share = ClipShare.objects.open().filter(clip=clip, colleague=colleague).first()
    if share is None:
        share = ClipShare.objects.create(school=clip.school, clip=clip, colleague=colleague)
        _record(clip, by, "video.clip.shared", audience="colleague", colleague=colleague.pk)
    return share


@transaction.atomic
def clip_share_revoke(*, share: ClipShare, by: User) -> ClipShare:
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        _record(
            share.clip,
            by,
            "video.clip.unshared",
            audience="colleague",
            colleague=share.colleague_id,
        )
    return share


@transaction.atomic
def clip_keep(*, clip: Clip, by: User, keep: bool) -> Clip:
    if clip.keep != keep:
        clip.keep = keep
        clip.save(update_fields=["keep"])
        _record(clip, by, "video.clip.kept" if keep else "video.clip.unkept")
    return clip


@transaction.atomic
def clip_delete(*, clip: Clip, by: User) -> None:
    """The owner deletes a clip now: its files, comments and shares go with it."""
    audit.record(
        actor=by,
        action="video.clip.deleted",
        school=None,  # the teacher's alone: kept out of every school log and export
        subject=clip.owner,
        data={"clip": clip.pk},
    )
    clip_delete_files(clip)
    clip.delete()


def steps_to_tag(clip: Clip) -> list[ActionStep]:
    """The owner's steps a comment may be tagged to: the ones they are working on at the
    clip's school, newest first. Whoever may watch the clip sees their titles there."""
    steps = ActionStep.objects.visible_to(clip.owner).for_school(clip.school)
    return list(steps.filter(teacher=clip.owner).active()[:10])


@transaction.atomic
def comment_add(
    *,
    clip: Clip,
    by: User,
    at_seconds: int,
    text: str,
    key: str,
    step: ActionStep | None = None,
    framework_section: int | None = None,
) -> ClipComment:
    """One timestamped comment; the same form sent twice (same key) makes one comment."""
    existing = ClipComment.objects.filter(key=key).first()
    if existing is not None:
        if existing.clip_id != clip.pk or existing.author_id != by.pk:
            raise DomainError("Reload the page and add the comment again.")
        return existing
    if step is not None and step.teacher_id != clip.owner_id:
        raise DomainError("A comment is tagged to a step of the teacher in the clip.")
    if clip.duration_seconds is not None and at_seconds > clip.duration_seconds + 1:
        raise DomainError("That time is after the end of the clip.")
    comment = ClipComment.objects.create(
        school=clip.school,
        clip=clip,
        author=by,
        at_seconds=at_seconds,
        text=text,
        key=key,
        step=step,
        framework_section=framework_section,
    )
    _record(clip, by, "video.comment.added", at_seconds=at_seconds)
    return comment


def record_view(*, clip: Clip, by: User) -> None:
    """Every watch by someone other than the owner is audited, and listed on the clip's page
    for the owner ("Who watched")."""
    if by.pk != clip.owner_id:
        _record(clip, by, "video.clip.viewed")


# The teacher's consent to their coach uploading for them --------------------------------------


def consent_for(pair: CoachingRelationship) -> UploadConsent | None:
    return UploadConsent.objects.filter(relationship=pair, withdrawn_at__isnull=True).first()


@transaction.atomic
def consent_give(*, pair: CoachingRelationship, by: User) -> UploadConsent:
    if by.pk != pair.coachee_id:
        raise DomainError("Only the teacher gives consent to being filmed.")
    found = consent_for(pair)
    if found is not None:
        return found
    consent = UploadConsent.objects.create(school=pair.school, relationship=pair, teacher=by)
    audit.record(
        actor=by,
        action="video.consent.given",
        school=None,  # the teacher's alone: kept out of every school log and export
        target=consent,
        subject=by,
        data={"coach": pair.coach_id},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, pair: CoachingRelationship, by: User, now: dt.datetime | None = None
) -> None:
    found = consent_for(pair)
    if found is None or by.pk != pair.coachee_id:
        return
    found.withdrawn_at = now or timezone.now()
    found.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=by,
        action="video.consent.withdrawn",
        school=None,  # the teacher's alone: kept out of every school log and export
        target=found,
        subject=by,
        data={"coach": pair.coach_id},
    )


def teachers_who_consented(coach: User, school_id: int) -> list[UploadConsent]:
    """The coach's current coachees at the school who let them upload clips for them."""
    current = CoachingRelationship.objects.current().filter(coach=coach, school=school_id)
    return list(
        UploadConsent.objects.filter(
            relationship__in=current, withdrawn_at__isnull=True
        ).select_related("teacher", "relationship")
    )
