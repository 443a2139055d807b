"""The background worker's side of a web import: carry out one queued run.

A OneRoster upload arrives as the admin's zip. The worker's first step checks it (within the
size caps of oneroster.files) and removes pupil, parent and guardian rows, then stores the
file without them; a zip that fails those checks is emptied at once. Only then is it read and
planned, as the terminal import does. Progress goes on the run row for the page to poll.
"""

from __future__ import annotations

import logging
import time

from django.db.models import F
from django.utils import timezone

from coachroom.imports import oneroster
from coachroom.imports.common import Outcome, Problems, Progress
from coachroom.imports.importers import oneroster_import, staff_csv_import
from coachroom.imports.models import ImportKind, ImportRun, ImportUpload

logger = logging.getLogger(__name__)


class RunProgress:
    """Progress written to the run row, at most twice a second, for the status page to poll.

    Only called while reading the files, outside the import's transaction, so other
    connections see it.
    """

    def __init__(self, run: ImportRun, every: float = 0.5) -> None:
        self.run = run
        self.every = every
        self.last = 0.0

    def __call__(self, done: int, total: int, phase: str) -> None:
        if not total:  # a new phase without counts: keep the row counts shown so far
            ImportRun.objects.filter(pk=self.run.pk).update(phase=phase[:100])
            return
        now = time.monotonic()
        if now - self.last < self.every and done < total:
            return
        self.last = now
        ImportRun.objects.filter(pk=self.run.pk).update(done=done, total=total, phase=phase[:100])


def run_execute(*, run_id: int) -> dict[str, int]:
    """The background task's work: carry out one queued run and record the outcome."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now(), phase="Opening the file"
    )
    if not claimed:  # already carried out (a retried task), or deleted
        return {}
    run = ImportRun.objects.select_related("upload", "school", "started_by").get(pk=run_id)
    try:
        outcome = _execute(run)
    except Exception:
        logger.exception("import run failed", extra={"run": run.pk, "school": run.school_id})
        run.status = ImportRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        _clear_raw(run.upload)
        return {}
    run.errors = [p.as_dict() for p in outcome.problems]
    run.created, run.updated, run.deactivated = (
        outcome.created,
        outcome.updated,
        outcome.deactivated,
    )
    run.result = outcome.result_json()
    run.status = ImportRun.Status.INVALID if outcome.problems else ImportRun.Status.DONE
    run.phase = ""
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "errors",
            "created",
            "updated",
            "deactivated",
            "result",
            "status",
            "phase",
            "finished_at",
        ]
    )
    ImportRun.objects.filter(pk=run.pk).update(done=F("total"))  # progress was written there
    if not run.dry_run and run.status == ImportRun.Status.DONE:
        ImportUpload.objects.filter(pk=run.upload_id).update(content=b"", cleared_at=timezone.now())
    logger.info(
        "import run finished",
        extra={
            "run": run.pk,
            "school": run.school_id,
            "dry_run": run.dry_run,
            "problems": len(outcome.problems),
            # not "created": LogRecord has its own attribute of that name
            **{f"{key}_count": n for key, n in outcome.counts.items()},
        },
    )
    return outcome.counts


def _execute(run: ImportRun) -> Outcome:
    progress = RunProgress(run)
    if run.kind == ImportKind.ONEROSTER:
        problems = Problems()
        bundle = _oneroster_bundle(run.upload, problems, progress)
        return oneroster_import(
            bundle=bundle,
            actor=run.started_by,
            dry_run=run.dry_run,
            pinned=run.school,
            problems=problems,
            progress=progress,
            dropped_before=run.upload.dropped_rows,
        )
    return staff_csv_import(
        data=bytes(run.upload.content),
        school=run.school,
        actor=run.started_by,
        dry_run=run.dry_run,
        progress=progress,
    )


def _oneroster_bundle(
    upload: ImportUpload, problems: Problems, progress: Progress
) -> oneroster.Bundle:
    """The upload's OneRoster files. The first time, as uploaded: checked, then stored without
    pupil rows (or emptied, if the checks fail). After that, the stored copy Coachroom made."""
    content = bytes(upload.content)
    if not upload.raw:
        return oneroster.bundle_from_zip(content, problems, ours=True)
    progress(0, 0, "Opening the zip")
    bundle = oneroster.bundle_from_zip(content, problems)
    if problems:
        _clear_raw(upload)
        return bundle
    progress(0, 0, "Removing rows about pupils")
    bundle, dropped = oneroster.redact_bundle(bundle)
    ImportUpload.objects.filter(pk=upload.pk).update(
        content=oneroster.bundle_to_zip(bundle), raw=False, dropped_rows=dropped
    )
    upload.raw, upload.dropped_rows = False, dropped
    return bundle


def _clear_raw(upload: ImportUpload) -> None:
    """A file still held as uploaded (pupil rows and all) is emptied, never kept."""
    if upload.raw:
        ImportUpload.objects.filter(pk=upload.pk).update(
            content=b"", raw=False, cleared_at=timezone.now()
        )
        upload.raw = False
