"""`coachroom worker`: schedule due reminder jobs and run queued background tasks.

Every minute the worker enqueues what is due (tasks.enqueue_due_jobs); every few seconds it
drains the queue with django-tasks-db's worker, so tasks enqueued by the web app don't wait
for the minute. SIGTERM or SIGINT stops it after the task in hand. `once=True` schedules,
drains and returns, for cron and tests.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from coachroom.scheduling.tasks import enqueue_due_jobs

logger = logging.getLogger(__name__)

SCHEDULE_SECONDS = 60
POLL_SECONDS = 5


class _Worker:
    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.db_worker: Any = None
        self.worker_id = f"coachroom-{os.getpid()}-{get_random_string(8)}"

    def stop(self, signum: int, frame: FrameType | None) -> None:
        logger.info("worker stopping", extra={"signal": signal.Signals(signum).name})
        self.stopping.set()
        if self.db_worker is not None:
            self.db_worker.running = False  # finish the task in hand, then return

    def drain(self) -> int:
        """Run every queued task (if the queue is in the database); return how many ran."""
        from django_tasks import task_backends
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult

        ran = 0
        for alias in task_backends.settings:
            if not isinstance(task_backends[alias], DatabaseBackend):
                continue  # e.g. the immediate backend in tests: its tasks have already run
            if self.stopping.is_set():
                break
            if not DBTaskResult.objects.ready().filter(backend_name=alias).exists():
                continue  # nothing to do: don't start (and log) a worker every few seconds
            self.db_worker = Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name=alias,
                startup_delay=False,
                max_tasks=None,
                worker_id=self.worker_id,
                excluded_queue_names=[],
            )
            try:
                self.db_worker.run()
            finally:
                ran += int(getattr(self.db_worker, "_run_tasks", 0))
                self.db_worker = None
        return ran

    def run(self, *, once: bool) -> int:
        logger.info("worker started", extra={"worker_id": self.worker_id, "once": once})
        next_schedule = 0.0
        while not self.stopping.is_set():
            if not once:
                close_old_connections()  # a long-running process: drop stale connections
            if time.monotonic() >= next_schedule:
                enqueued = enqueue_due_jobs(timezone.now())
                ran = self.drain()
                logger.info(
                    "worker loop",
                    extra={"worker_id": self.worker_id, "enqueued": enqueued, "tasks_run": ran},
                )
                next_schedule = time.monotonic() + SCHEDULE_SECONDS
            else:
                ran = self.drain()
                if ran:
                    logger.info(
                        "worker ran queued tasks",
                        extra={"worker_id": self.worker_id, "tasks_run": ran},
                    )
            if once:
                break
            self.stopping.wait(POLL_SECONDS)
        logger.info("worker stopped", extra={"worker_id": self.worker_id})
        return 0


def run_worker(once: bool) -> int:
    """Run until SIGTERM or SIGINT (or, with `once`, one round); the exit status is 0."""
    worker = _Worker()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        for sig in previous:
            signal.signal(sig, worker.stop)
    try:
        return worker.run(once=once)
    finally:
        if in_main_thread:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def start_worker_process() -> subprocess.Popen[bytes]:
    """`coachroom worker` in a child process with this environment, for `serve --demo`."""
    return subprocess.Popen(
        [sys.executable, "-m", "coachroom.cli", "worker"], env=os.environ.copy()
    )
