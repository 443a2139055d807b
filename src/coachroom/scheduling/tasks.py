"""Background jobs for reminders and digests, and the clock that decides when they are due.

`enqueue_due_jobs()` runs every minute in `coachroom worker`: it enqueues what every app
declared due (core/jobs.py; the reminders here are registered in scheduling/apps.py, the
nightly retention run in records/apps.py). Each job is enqueued at most once
per period: the period's key (`job:morning:2026-11-23`) goes into SentMessage in the same
transaction as the enqueue. The jobs themselves send each email once (see reminders.py); when
some sends fail, the job enqueues itself again a little later, and only the failed ones go.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from coachroom.core import jobs as periodic
from coachroom.scheduling import reminders
from coachroom.scheduling.models import SentMessage

logger = logging.getLogger(__name__)

MORNING_LIST_FROM = dt.time(7, 0)  # weekdays
OVERDUE_NUDGES_FROM = dt.time(16, 30)  # weekdays
LEAD_DIGEST_FROM = dt.time(7, 30)  # Mondays, for the week before
MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(minutes=10)


def _retry_failures(job: Any, counts: reminders.Counts, attempt: int, **kwargs: Any) -> None:
    """Run the job again later if some emails failed; those already sent are skipped."""
    log = {"job": job.name, "attempt": attempt, "failed": counts.failed}
    if not counts.failed:
        return
    if attempt >= MAX_ATTEMPTS:
        logger.error("job gave up on failed emails", extra=log)
        return
    if job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + RETRY_AFTER * attempt)
    logger.warning("job will retry failed emails", extra=log)
    job.enqueue(attempt=attempt + 1, **kwargs)


def _finish(name: str, counts: reminders.Counts, **ids: Any) -> dict[str, int]:
    logger.info("job finished", extra={"job": name, **ids, **counts.as_dict()})
    return counts.as_dict()


@task()
def morning_list_job(day: str, attempt: int = 1) -> dict[str, int]:
    counts = reminders.send_morning_lists(dt.date.fromisoformat(day))
    _retry_failures(morning_list_job, counts, attempt, day=day)
    return _finish("morning_list", counts, day=day, attempt=attempt)


@task()
def overdue_nudge_job(day: str, attempt: int = 1) -> dict[str, int]:
    counts = reminders.send_overdue_nudges(dt.date.fromisoformat(day))
    _retry_failures(overdue_nudge_job, counts, attempt, day=day)
    return _finish("overdue_nudges", counts, day=day, attempt=attempt)


@task()
def lead_digest_job(week_start: str, attempt: int = 1) -> dict[str, int]:
    counts = reminders.send_lead_digests(dt.date.fromisoformat(week_start))
    _retry_failures(lead_digest_job, counts, attempt, week_start=week_start)
    return _finish("lead_digest", counts, week_start=week_start, attempt=attempt)


def reminder_jobs(now: dt.datetime) -> list[periodic.DueJob]:
    """(period key, job, arguments) for every reminder job due at `now`, school time.

    The morning list and the nudge belong to their day; a digest missed on Monday (the worker
    was down) still goes later that week.
    """
    local = timezone.localtime(now)
    today, clock = local.date(), local.time()
    jobs: list[periodic.DueJob] = []
    weekday = today.weekday() < 5
    if weekday and clock >= MORNING_LIST_FROM:
        jobs.append((f"job:morning:{today}", morning_list_job, {"day": today.isoformat()}))
    if weekday and clock >= OVERDUE_NUDGES_FROM:
        jobs.append((f"job:overdue:{today}", overdue_nudge_job, {"day": today.isoformat()}))
    monday = today - dt.timedelta(days=today.weekday())
    if today > monday or clock >= LEAD_DIGEST_FROM:
        last_week = monday - dt.timedelta(days=7)
        jobs.append(
            (f"job:digest:{last_week}", lead_digest_job, {"week_start": last_week.isoformat()})
        )
    return jobs


def enqueue_due_jobs(now: dt.datetime) -> list[str]:
    """Enqueue each due job once per period; return the period keys enqueued this time."""
    jobs = periodic.due_jobs(now)
    done = set(
        SentMessage.objects.filter(key__in=[key for key, _, _ in jobs]).values_list(
            "key", flat=True
        )
    )
    enqueued = []
    for key, job, kwargs in jobs:
        if key in done:
            continue
        try:
            # With the database backend the key and the queued task commit together.
            with transaction.atomic():
                SentMessage.objects.create(key=key)
                job.enqueue(**kwargs)
        except IntegrityError:  # another worker enqueued it a moment ago
            continue
        logger.info("job enqueued", extra={"key": key})
        enqueued.append(key)
    return enqueued
