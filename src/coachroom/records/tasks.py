"""Background jobs for records: the nightly retention run.

`coachroom worker` enqueues `apply_retention` once a day (see programme/tasks.py `due_jobs`);
`coachroom retention` runs the same code from the terminal.
"""

from __future__ import annotations

from django_tasks import task

from coachroom.records.erasure import retention_apply


@task()
def apply_retention(day: str = "") -> dict[str, int]:
    """Erase what is past each school's retention period; return the counts per kind.

    `day` only names the period the worker enqueued it for; the run uses today's date.
    """
    return retention_apply(dry_run=False).totals.as_dict()
