"""Web imports for school admins: keep the upload, queue its dry run, import it for real.

The heavy work (unzipping, checking, planning, writing) happens in the background worker
(tasks.py → runs.py); the web request only stores the file and queues a run. The importers
themselves (`oneroster_import`, `staff_csv_import`, also used by `coachroom import`) are in
importers.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from coachroom.accounts.models import School, User
from coachroom.core.errors import DomainError
from coachroom.imports.importers import oneroster_import, staff_csv_import
from coachroom.imports.models import ImportKind, ImportRun, ImportUpload
from coachroom.imports.tasks import import_run_job

__all__ = [
    "max_upload_bytes",
    "oneroster_import",
    "result_context",
    "run_apply",
    "run_start",
    "staff_csv_import",
    "upload_check",
]

UPLOAD_KEEP = dt.timedelta(days=7)
RAW_KEEP = dt.timedelta(days=1)  # a file the worker never reached: pupil rows and all


def max_upload_bytes() -> int:
    return int(getattr(settings, "COACHROOM_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def upload_check(
    *, school: School, by: User, kind: str, filename: str, data: bytes, submission: str = ""
) -> ImportRun:
    """Keep an uploaded file and queue its dry run; the worker does the rest.

    The same form submitted twice (the same `submission` key and file) is one upload and one
    run: the second submit gets the first one's run.
    """
    digest = hashlib.sha256(data).hexdigest()
    same = ImportRun.objects.filter(
        dry_run=True,
        upload__school=school,
        upload__uploaded_by=by,
        upload__submission=submission,
        upload__digest=digest,
    ).order_by("pk")
    if submission and (earlier := same.first()) is not None:
        return earlier
    _housekeeping()
    try:
        with transaction.atomic():
            upload = ImportUpload.objects.create(
                school=school,
                uploaded_by=by,
                kind=kind,
                filename=filename[:255],
                size=len(data),
                content=data,
                raw=kind == ImportKind.ONEROSTER,  # pupil rows are removed in the worker
                digest=digest,
                submission=submission[:64],
            )
            run = _new_run(upload, by, dry_run=True)
    except IntegrityError:  # the other submit got there first, at the same moment
        return same.get()
    return _queue(run)


def _housekeeping() -> None:
    """Uploads hold staff details, so none is kept longer than a week; and a file still as
    uploaded (the worker never reached it) no longer than a day."""
    now = timezone.now()
    ImportUpload.objects.filter(created_at__lt=now - UPLOAD_KEEP, cleared_at__isnull=True).update(
        content=b"", cleared_at=now
    )
    ImportUpload.objects.filter(created_at__lt=now - RAW_KEEP, raw=True).update(
        content=b"", raw=False, cleared_at=now
    )


def _new_run(
    upload: ImportUpload, by: User | None, *, dry_run: bool, applies: ImportRun | None = None
) -> ImportRun:
    return ImportRun.objects.create(
        school=upload.school,
        upload=upload,
        started_by=by,
        kind=upload.kind,
        dry_run=dry_run,
        applies=applies,
    )


def _queue(run: ImportRun) -> ImportRun:
    import_run_job.enqueue(run_id=run.pk)
    run.refresh_from_db()
    return run


def run_start(
    *, upload: ImportUpload, by: User | None, dry_run: bool, applies: ImportRun | None = None
) -> ImportRun:
    """Queue a dry run or import of a kept upload; the background worker carries it out."""
    return _queue(_new_run(upload, by, dry_run=dry_run, applies=applies))


def run_apply(*, run: ImportRun, by: User) -> ImportRun:
    """Import for real the file that `run` checked: the same stored upload, checked again."""
    if not run.dry_run or run.status != ImportRun.Status.DONE:
        raise DomainError("Only a dry run that found no problems can be imported.")
    earlier = run.applied_by.exclude(
        status__in=[ImportRun.Status.FAILED, ImportRun.Status.INVALID]
    ).first()
    if earlier is not None:
        return earlier
    if run.upload.cleared_at is not None:
        raise DomainError("This upload has expired. Upload the file again to import it.")
    return run_start(upload=run.upload, by=by, dry_run=False, applies=run)


def result_context(run: ImportRun, error_limit: int = 1000) -> dict[str, Any]:
    """What the run's page shows: changes grouped by action, problems (up to a limit)."""
    changes = run.result.get("changes", [])
    groups = [
        (action, [c for c in changes if c["action"] == action])
        for action in ("create", "update", "deactivate")
    ]
    return {
        "change_groups": [(a, cs) for a, cs in groups if cs],
        "notes": run.result.get("notes", []),
        "ignored": run.result.get("ignored", []),
        "errors": run.errors[:error_limit],
        "more_errors": max(0, len(run.errors) - error_limit),
    }
