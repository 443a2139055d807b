"""Imports: check first, write second, in one transaction with one audit entry.

`oneroster_import` and `staff_csv_import` are what the terminal (`coachroom import`) and the
background task behind the web upload both call. With any problem nothing is written; a dry
run stops after working out the changes.

New staff get accounts without passwords and no email: the admin sends invitations from the
staff page when they are ready.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import School, User
from coachroom.errors import DomainError
from coachroom.imports import oneroster, staff_csv
from coachroom.imports.common import Outcome, Problems, Progress, no_progress
from coachroom.imports.models import ImportKind, ImportRun, ImportUpload
from coachroom.pagecache import touch_schools

logger = logging.getLogger(__name__)

UPLOAD_KEEP = dt.timedelta(days=7)
DROPPED = "rows about pupils, parents and guardians (not read)"
SKIPPED = "rows for other staff (aides, proctors and trust-level staff)"


def max_upload_bytes() -> int:
    return int(getattr(settings, "COACHROOM_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def oneroster_import(
    *,
    bundle: oneroster.Bundle,
    actor: User | None,
    dry_run: bool,
    school_urn: str | None = None,
    pinned: School | None = None,
    problems: Problems | None = None,
    progress: Progress = no_progress,
    dropped_before: int = 0,
) -> Outcome:
    """Import a OneRoster 1.1 export, or (dry run) say what importing it would change.

    `school_urn` keeps the import to one school (`--school`); `pinned` is the web upload's
    school, which must already exist, and leaves trusts alone. `problems` may carry problems
    found while opening the zip.
    """
    problems = problems or Problems()
    outcome = Outcome(dry_run=dry_run)
    if problems:
        outcome.problems = problems.items
        return outcome
    urn = pinned.urn if pinned is not None else school_urn
    roster = oneroster.read_roster(bundle, problems, school_urn=urn, progress=progress)
    outcome.skipped = {DROPPED: roster.dropped + dropped_before, SKIPPED: roster.skipped}
    if problems:
        outcome.problems = problems.items
        return outcome
    progress(0, 0, "Working out the changes" if dry_run else "Saving the changes")
    if dry_run:
        plan = oneroster.plan_changes(roster, problems, pinned=pinned, actor=actor)
    else:
        with transaction.atomic():
            plan = oneroster.plan_changes(roster, problems, pinned=pinned, actor=actor)
            if not problems:
                schools = oneroster.apply_plan(plan)
                touch_schools(s.pk for s in schools)
                outcome.changes = plan.changes
                audit.record(
                    actor=actor,
                    action="imports.oneroster.applied",
                    school=schools[0] if len(schools) == 1 else None,
                    data={**outcome.counts, "schools": sorted(s.urn for s in schools)},
                )
    if problems:
        outcome.problems = problems.items
        return outcome
    outcome.changes = plan.changes
    outcome.notes = plan.notes
    return outcome


def staff_csv_import(
    *,
    data: bytes,
    school: School,
    actor: User | None,
    dry_run: bool,
    progress: Progress = no_progress,
) -> Outcome:
    """Import the simple staff CSV into one school, or (dry run) say what it would change."""
    problems = Problems()
    outcome = Outcome(dry_run=dry_run)
    rows = staff_csv.read_staff_csv(data, problems, progress=progress)
    if not problems and not rows:
        problems.add(staff_csv.FILE, None, None, "The file has no one in it.")
    if problems:
        outcome.problems = problems.items
        return outcome
    progress(0, 0, "Working out the changes" if dry_run else "Saving the changes")
    if dry_run:
        plan = staff_csv.plan_staff_csv(rows, school, problems, actor=actor)
    else:
        with transaction.atomic():
            plan = staff_csv.plan_staff_csv(rows, school, problems, actor=actor)
            if not problems:
                staff_csv.apply_staff_plan(plan)
                touch_schools([school.pk])
                outcome.changes = plan.changes
                audit.record(
                    actor=actor,
                    action="imports.staff_csv.applied",
                    school=school,
                    data=outcome.counts,
                )
    if problems:
        outcome.problems = problems.items
        return outcome
    outcome.changes = plan.changes
    outcome.notes = plan.notes
    return outcome


# Web uploads and runs -----------------------------------------------------------------------


def upload_create(
    *, school: School, by: User, kind: str, filename: str, data: bytes
) -> ImportUpload:
    """Keep an uploaded file for its dry run and import. A OneRoster zip is kept without its
    pupil, parent and guardian rows, and without files Coachroom does not read."""
    dropped = 0
    content = data
    if kind == ImportKind.ONEROSTER:
        problems = Problems()
        bundle = oneroster.bundle_from_zip(data, problems)
        if problems:
            raise DomainError(str(problems.items[0].message))
        bundle, dropped = oneroster.redact_bundle(bundle)
        content = oneroster.bundle_to_zip(bundle)
    # Housekeeping: uploads hold staff details, so none is kept longer than a week.
    ImportUpload.objects.filter(
        created_at__lt=timezone.now() - UPLOAD_KEEP, cleared_at__isnull=True
    ).update(content=b"", cleared_at=timezone.now())
    return ImportUpload.objects.create(
        school=school,
        uploaded_by=by,
        kind=kind,
        filename=filename[:255],
        size=len(data),
        content=content,
        dropped_rows=dropped,
    )


def run_start(
    *, upload: ImportUpload, by: User | None, dry_run: bool, applies: ImportRun | None = None
) -> ImportRun:
    """Queue a dry run or import of an upload; the background worker carries it out."""
    from coachroom.imports.tasks import import_run_job

    run = ImportRun.objects.create(
        school=upload.school,
        upload=upload,
        started_by=by,
        kind=upload.kind,
        dry_run=dry_run,
        applies=applies,
    )
    import_run_job.enqueue(run_id=run.pk)
    run.refresh_from_db()
    return run


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
    content = bytes(run.upload.content)
    progress = RunProgress(run)
    if run.kind == ImportKind.ONEROSTER:
        problems = Problems()
        bundle = oneroster.bundle_from_zip(content, problems)
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
        data=content,
        school=run.school,
        actor=run.started_by,
        dry_run=run.dry_run,
        progress=progress,
    )


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
