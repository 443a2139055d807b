"""Uploaded roster files, import runs and their progress, and OneRoster id mappings.

Pupil rows are not kept in these tables: a OneRoster upload is held as uploaded only until the
background worker's first step, which removes pupil, parent and guardian rows (see
`oneroster.redact_bundle`) and stores the file without them. Run results name staff only.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.urls import reverse


class ImportKind(models.TextChoices):
    ONEROSTER = "oneroster", "OneRoster 1.1 export (zip)"
    STAFF = "staff", "Staff CSV"


class ImportUpload(models.Model):
    """A file an admin uploaded, kept so that "Import for real" uses exactly what was checked."""

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(help_text="Bytes, as uploaded")
    # Pupil rows already removed. Emptied once imported, or after a week (see services).
    content = models.BinaryField(default=b"")
    cleared_at = models.DateTimeField(
        null=True, blank=True, help_text="When the content was emptied; it can't be imported now"
    )
    dropped_rows = models.PositiveIntegerField(
        default=0, help_text="Pupil, parent and guardian rows removed on upload"
    )
    raw = models.BooleanField(
        default=False,
        help_text="Held as uploaded: the worker has not yet removed pupil rows or checked the zip",
    )
    digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file uploaded")
    submission = models.CharField(
        max_length=64, blank=True, help_text="The upload form's one-off key: a double submit is one"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["school", "uploaded_by", "submission", "digest"],
                condition=~models.Q(submission=""),
                name="import_upload_once",
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def for_school(self, school: Any) -> Self:
        return self.filter(school=school)


class ImportRun(models.Model):
    """One dry run or real import of an upload, with its progress and outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Finished"
        INVALID = "invalid", "Problems found"
        FAILED = "failed", "Stopped by an unexpected error"

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="+")
    upload = models.ForeignKey(ImportUpload, on_delete=models.CASCADE, related_name="runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    dry_run = models.BooleanField(default=True)
    applies = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applied_by",
        help_text="The dry run this import carries out",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=100, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "-created_at"], name="import_run_by_school"),
        ]

    def __str__(self) -> str:
        what = "Dry run" if self.dry_run else "Import"
        return f"{what} of {self.upload.filename}"

    def get_absolute_url(self) -> str:
        return reverse("imports:run-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.INVALID, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))

    @property
    def change_count(self) -> int:
        return self.created + self.updated + self.deactivated


class SourceRecord(models.Model):
    """Which Coachroom row a OneRoster sourcedId became, for rows without a `source_id` field.

    `leaver` records memberships that an import deactivated, so that a person who reappears
    in a later export is reactivated, while someone an admin deactivated by hand stays out.
    """

    class Kind(models.TextChoices):
        ACADEMIC_YEAR = "academic_year", "Academic year"
        TERM = "term", "Term"
        LEAVER = "leaver", "Membership deactivated by an import"

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sourced_id = models.CharField(max_length=255)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["school", "kind", "sourced_id"], name="source_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sourced_id} → {self.object_id}"
