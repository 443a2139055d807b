"""Background jobs for records: the nightly retention run.

`coachroom worker` enqueues `apply_retention` once a day, after `RETENTION_FROM` (declared to
core/jobs.py in records/apps.py); `coachroom retention` runs the same code from the terminal.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from coachroom.core.jobs import DueJob
from coachroom.records.erasure import retention_apply


@task()
def apply_retention(day: str = "") -> dict[str, int]:
    """Erase what is past each school's retention period; return the counts per kind.

    `day` only names the period the worker enqueued it for; the run uses today's date.
    """
    return retention_apply(dry_run=False).totals.as_dict()


RETENTION_FROM = dt.time(19, 0)  # the nightly retention run, after the school day


def retention_jobs(now: dt.datetime) -> list[DueJob]:
    """The retention run, due once a day from `RETENTION_FROM`, school time."""
    local = timezone.localtime(now)
    if local.time() < RETENTION_FROM:
        return []
    today = local.date()
    return [(f"job:retention:{today}", apply_retention, {"day": today.isoformat()})]
