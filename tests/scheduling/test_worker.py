"""The reminder clock (tasks.enqueue_due_jobs) and `coachroom worker` (worker.run_worker).

Tests use the immediate task backend (tests/conftest.py), so a job runs as it is enqueued and
its emails land in mail.outbox at once; one test uses the database queue, as production does.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from coachroom.core import jobs
from coachroom.scheduling import tasks, worker
from coachroom.scheduling.models import SentMessage
from coachroom.scheduling.services import slot_create

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2026, 11, 23)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def mondays(pairing, bob):
    """bob's drop-in with alice, Mondays at 10:00 from 2 November."""
    return slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=0,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 11, 2),
    )


def enqueue_at(moment: dt.datetime) -> list[str]:
    with time_machine.travel(moment, tick=False):
        return without_stale_clip_checks(tasks.enqueue_due_jobs(moment))


def without_stale_clip_checks(keys: list[str]) -> list[str]:
    """Lesson video's check for stuck processing runs every ten minutes (tests/video covers
    it); leaving it out keeps these lists about the reminder clock."""
    return [key for key in keys if not key.startswith("job:video-stale:")]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(MONDAY, 6, 59), []),
        (at(MONDAY, 7, 0), ["job:morning:2026-11-23"]),
        (at(MONDAY, 7, 30), ["job:morning:2026-11-23", "job:digest:2026-11-16"]),
        (
            at(MONDAY, 16, 30),
            ["job:morning:2026-11-23", "job:overdue:2026-11-23", "job:digest:2026-11-16"],
        ),
        # Tuesday: a digest missed on Monday (worker down) still goes
        (
            at(MONDAY + dt.timedelta(days=1), 7, 0),
            ["job:morning:2026-11-24", "job:digest:2026-11-16"],
        ),
        (at(dt.date(2026, 11, 28), 9, 0), ["job:digest:2026-11-16"]),  # Saturday
        (
            at(MONDAY, 19, 0),
            [
                "job:morning:2026-11-23",
                "job:overdue:2026-11-23",
                "job:digest:2026-11-16",
                "job:induction-cadence:2026-11-24",  # tomorrow's mentoring rhythms
                "job:retention:2026-11-23",
            ],
        ),
    ],
)
def test_due_jobs_follow_the_school_clock(moment, expected):
    assert without_stale_clip_checks([key for key, _, _ in jobs.due_jobs(moment)]) == expected


def test_the_stale_clip_check_is_due_once_in_each_ten_minutes():
    keys = [key for key, _, _ in jobs.due_jobs(at(MONDAY, 10, 27))]
    assert "job:video-stale:2026-11-23T10:20" in keys
    assert "job:video-stale:2026-11-23T10:30" not in keys


def test_the_clock_is_london_time_even_in_summer_time():
    # 06:30 UTC on a June Monday is 07:30 in London (BST): the morning list is due
    moment = dt.datetime(2027, 6, 7, 6, 30, tzinfo=dt.UTC)
    keys = [key for key, _, _ in jobs.due_jobs(moment)]
    assert keys[0] == "job:morning:2027-06-07"


def test_each_job_is_enqueued_once_per_period(mondays, bob, lead):
    assert enqueue_at(at(MONDAY, 6, 0)) == []
    assert enqueue_at(at(MONDAY, 7, 0)) == ["job:morning:2026-11-23"]
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert enqueue_at(at(MONDAY, 7, 1)) == []  # the worker's next loop
    assert enqueue_at(at(MONDAY, 7, 30)) == ["job:digest:2026-11-16"]
    assert enqueue_at(at(MONDAY, 16, 30)) == ["job:overdue:2026-11-23"]
    assert enqueue_at(at(MONDAY, 16, 31)) == []
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Your coaching today, Monday 23 November: 1 session",
        "Coaching last week: the week beginning Monday 16 November",
        "3 coaching sessions have no record yet",  # the drop-ins on 2, 9 and 16 November
    ]
    assert enqueue_at(at(MONDAY + dt.timedelta(days=1), 7, 0)) == ["job:morning:2026-11-24"]
    assert len(mail.outbox) == 3  # Tuesday: bob has no sessions, so no email


def test_a_job_whose_emails_failed_retries_only_those(mondays, bob):
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send
    calls = {"n": 0}

    def flaky_send(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("mail server down")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", flaky_send):
        enqueue_at(at(MONDAY, 7, 0))
    assert calls["n"] == 2  # failed, then the retry (at once on the immediate backend)
    assert len(mail.outbox) == 1


def test_a_job_gives_up_after_three_attempts(mondays):
    from django.core.mail import EmailMessage

    with mock.patch.object(EmailMessage, "send", side_effect=OSError("down")) as send:
        enqueue_at(at(MONDAY, 7, 0))
    assert send.call_count == tasks.MAX_ATTEMPTS
    assert not SentMessage.objects.filter(key__startswith="morning:").exists()


def test_run_worker_once_schedules_due_jobs_and_returns_0(mondays, bob):
    with time_machine.travel(at(MONDAY, 7, 5), tick=False):
        assert worker.run_worker(once=True) == 0
        assert worker.run_worker(once=True) == 0  # run by cron again: nothing more
    assert [m.to for m in mail.outbox] == [[bob.email]]


@pytest.mark.django_db(transaction=True)
def test_run_worker_once_drains_the_database_queue(settings, mondays, bob):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(at(MONDAY, 7, 5), tick=False):
        assert worker.run_worker(once=True) == 0
    assert [m.to for m in mail.outbox] == [[bob.email]]
    (result,) = DBTaskResult.objects.exclude(task_path__startswith="coachroom.video.")
    assert result.status == "SUCCESSFUL"
    assert result.task_path == "coachroom.scheduling.tasks.morning_list_job"
    assert result.return_value == {"sent": 1, "skipped": 0, "opted_out": 0, "failed": 0}


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_enqueued_twice_still_sends_once(settings, mondays, bob):
    """A worker that died after sending but before marking its task done runs it again."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tasks.morning_list_job.enqueue(day="2026-11-23")
    tasks.morning_list_job.enqueue(day="2026-11-23")
    with time_machine.travel(at(MONDAY, 6, 0), tick=False):  # before 07:00: nothing new is due
        worker.run_worker(once=True)
    assert len(mail.outbox) == 1
    ran = DBTaskResult.objects.filter(status="SUCCESSFUL").exclude(
        task_path__startswith="coachroom.video."  # lesson video's stuck-processing check
    )
    assert ran.count() == 2


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers can only be installed in the main thread",
)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_worker_stops_cleanly_on_sigterm_and_sigint(db, signum):
    before = signal.getsignal(signum)

    def enqueue_then_get_signalled(now):
        os.kill(os.getpid(), signum)  # as `kill` or Ctrl+C would, mid-loop
        return []

    with mock.patch.object(worker, "enqueue_due_jobs", side_effect=enqueue_then_get_signalled):
        assert worker.run_worker(once=False) == 0  # returns instead of looping for ever
    assert signal.getsignal(signum) is before


def test_start_worker_process_runs_coachroom_worker_with_this_environment(monkeypatch):
    monkeypatch.setenv("COACHROOM_DATA_DIR", "/srv/coachroom-data")
    with mock.patch.object(worker.subprocess, "Popen") as popen:
        process = worker.start_worker_process()
    assert process is popen.return_value
    (command,), kwargs = popen.call_args
    assert command == [sys.executable, "-m", "coachroom.cli", "worker"]
    assert kwargs["env"]["COACHROOM_DATA_DIR"] == "/srv/coachroom-data"


def test_the_cli_module_runs_as_a_script():
    result = subprocess.run(
        [sys.executable, "-m", "coachroom.cli", "worker", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "--once" in result.stdout
