"""Imports: check first, write second, in one transaction with one audit entry.

`oneroster_import` and `staff_csv_import` are what the terminal (`coachroom import`) and the
background task behind the web upload (runs.py) both call. With any problem nothing is
written; a dry run stops after working out the changes.

New staff get accounts without passwords and no email: the admin sends invitations from the
staff page when they are ready.
"""

from __future__ import annotations

from django.db import transaction

from coachroom import audit
from coachroom.accounts.models import School, User
from coachroom.imports import oneroster, staff_csv
from coachroom.imports.common import Outcome, Problems, Progress, no_progress

DROPPED = "rows about pupils, parents and guardians (not read)"
SKIPPED = "rows for other staff (aides, proctors and trust-level staff)"


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
