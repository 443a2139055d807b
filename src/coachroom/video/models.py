"""Lesson video: short clips of a teacher's own lesson, owned by the teacher.

Only the teacher (the clip's owner) decides who sees a clip: nobody, their current coach, or
named colleagues, and may take any of it back at any time. No role grants access: a senior
leader, school admin, coaching lead or trust admin never sees a clip, its comments or that it
exists (README, "Who can see video"). The rule is written once, in `video/access.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.coaching.models import ActionStep
from coachroom.induction.models import Section
from coachroom.video.storage import clip_storage

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


def _original_path(clip: Clip, filename: str) -> str:
    # No teacher name or title in a path: the storage may be a bucket others can list.
    return f"clips/{clip.school_id}/{clip.key}/original"


def _mp4_path(clip: Clip, filename: str) -> str:
    return f"clips/{clip.school_id}/{clip.key}/clip.mp4"


def _poster_path(clip: Clip, filename: str) -> str:
    return f"clips/{clip.school_id}/{clip.key}/poster.jpg"


class VideoSettings(models.Model):
    """A school's video settings: the filming protocol and the limits on uploads."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="video_settings")
    max_size_mb = models.PositiveIntegerField(
        "Largest clip (MB)",
        default=2048,
        validators=[MinValueValidator(10), MaxValueValidator(20480)],
    )
    max_minutes = models.PositiveSmallIntegerField(
        "Longest clip (minutes)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    keep_days = models.PositiveSmallIntegerField(
        "Days before a clip is deleted, unless the teacher keeps it",
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
    )
    filming_protocol = models.TextField(
        "Filming protocol",
        default=(
            "Pupils whose families have not consented to filming are not filmed: sit them out "
            "of shot or point the camera at the teacher. Tell pupils before you start."
        ),
        help_text="Shown on the upload page; the teacher confirms it before every upload.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "video settings"

    def __str__(self) -> str:
        return f"Video settings for {self.school}"

    @property
    def max_bytes(self) -> int:
        return self.max_size_mb * 1024 * 1024

    @property
    def max_seconds(self) -> int:
        return self.max_minutes * 60

    @classmethod
    def for_school(cls, school: School) -> VideoSettings:
        """The school's settings, or the defaults (unsaved) until someone changes them."""
        found = cls.objects.filter(school=school).first()
        return found or cls(school=school)


class ClipQuerySet(models.QuerySet["Clip"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def owned_by(self, user: User) -> Self:
        return self.filter(owner=user)

    def visible_to(self, user: User) -> Self:
        """The one rule (README, "Who can see video"): the owner; their current coach, if the
        owner shares with their coach; a colleague the owner named, while the share is open.
        Anyone but the owner must still be an active member of the clip's school, and a coach
        only while the pair is current: access ends the moment the role or the pair ends. No
        role (leader, admin, trust admin) grants anything."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        today = timezone.localdate()
        member = Exists(Membership.objects.active().filter(user=user, school=OuterRef("school")))
        coach = Exists(
            CoachingRelationship.objects.current(today)
            .exclude(kind=CoachingRelationship.Kind.SELF)
            .filter(school=OuterRef("school"), coachee=OuterRef("owner"), coach=user)
        )
        named = Exists(ClipShare.objects.open().filter(clip=OuterRef("pk"), colleague=user))
        return self.filter(
            Q(owner=user) | (Q(member) & ((Q(shared_with_coach=True) & Q(coach)) | Q(named)))
        )

    def expired(self, now: dt.datetime) -> Self:
        """Clips past their school's keep-by date that the teacher has not kept."""
        return self.filter(keep=False, delete_after__lte=now)


class Clip(models.Model):
    """A short clip of one lesson. It belongs to the teacher filmed (the owner), whoever
    uploaded it."""

    class Status(models.TextChoices):
        UPLOADING = "uploading", "Uploading"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready to watch"
        FAILED = "failed", "Could not be processed"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="clips")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # When a coach uploads, the teacher's consent that let them (UploadConsent) is kept here.
    consent = models.ForeignKey(
        "UploadConsent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Chosen by the uploader's browser (or the form): the same key twice is the same clip, so
    # a retried or double-tapped upload makes one clip.
    key = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=120)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADING)
    failure_reason = models.CharField(max_length=300, blank=True)
    size_bytes = models.BigIntegerField(default=0, help_text="The whole upload's size")
    received_bytes = models.BigIntegerField(default=0, help_text="Bytes stored so far")
    # The stored pieces of a chunked upload, in order: [[offset, storage name], …]. The worker
    # joins them into `original` and deletes them.
    parts = models.JSONField(default=list, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    original = models.FileField(storage=clip_storage, upload_to=_original_path, blank=True)
    mp4 = models.FileField(storage=clip_storage, upload_to=_mp4_path, blank=True)
    poster = models.FileField(storage=clip_storage, upload_to=_poster_path, blank=True)
    protocol_confirmed_at = models.DateTimeField()
    processing_started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    keep = models.BooleanField("Keep this clip", default=False)
    delete_after = models.DateTimeField()
    # Sharing: nobody (both off, no open shares), the teacher's current coach, and/or named
    # colleagues (ClipShare). Only the owner changes these, and may take them back any time.
    shared_with_coach = models.BooleanField("My current coach can watch", default=False)

    if TYPE_CHECKING:
        shares: RelatedManager[ClipShare]
        comments: RelatedManager[ClipComment]

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "owner", "-created_at"], name="clip_by_owner"),
            models.Index(fields=["status", "processing_started_at"], name="clip_by_status"),
            models.Index(fields=["keep", "delete_after"], name="clip_retention"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("video:clip", args=[self.pk])

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def duration_label(self) -> str:
        return clock(self.duration_seconds) if self.duration_seconds is not None else ""

    @property
    def is_pending(self) -> bool:
        return self.status in {self.Status.UPLOADING, self.Status.PROCESSING}


class ClipShareQuerySet(models.QuerySet["ClipShare"]):
    def open(self) -> Self:
        return self.filter(revoked_at__isnull=True)


class ClipShare(models.Model):
    """The owner lets one named colleague in the same school watch a clip and comment on it
    (peer mode: two teachers swap clips). Revoking keeps the row, so the owner sees the
    history; access ends at once."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="shares")
    colleague = models.ForeignKey(User, on_delete=models.CASCADE, related_name="clip_shares")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ClipShareQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["clip", "colleague"],
                condition=Q(revoked_at__isnull=True),
                name="clipshare_one_open_per_colleague",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["colleague", "revoked_at"], name="clipshare_by_colleague"),
        ]

    def __str__(self) -> str:
        return f"{self.clip} shared with {self.colleague}"


class UploadConsent(models.Model):
    """A teacher lets their coach (in one pair) upload clips of their lessons for them. The
    clips still belong to the teacher. Withdrawn any time; ends with the pair."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="+"
    )
    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-given_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["relationship"],
                condition=Q(withdrawn_at__isnull=True),
                name="uploadconsent_one_open_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} lets {self.relationship.coach} upload clips"


class ClipComment(models.Model):
    """A timestamped comment on a clip, tagged to one of the owner's steps or an ITTECF
    section. Written by the owner or anyone the clip is shared with."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    at_seconds = models.PositiveIntegerField("Time in the clip (seconds)")
    text = models.TextField("Comment", max_length=2000)
    step = models.ForeignKey(
        ActionStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    framework_section = models.PositiveSmallIntegerField(
        "ITTECF section", null=True, blank=True, choices=Section.choices
    )
    # Chosen by the form: a double tap makes one comment.
    key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["at_seconds", "created_at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["clip", "at_seconds"], name="clipcomment_by_time"),
        ]

    def __str__(self) -> str:
        return f"Comment at {self.at_label} on {self.clip}"

    @property
    def at_label(self) -> str:
        return clock(self.at_seconds)


def clock(seconds: float) -> str:
    """65 → '1:05'."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
