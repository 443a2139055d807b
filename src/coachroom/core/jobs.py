"""Periodic jobs: each app declares what is due when, in its `AppConfig.ready()`.

A source takes the time now and returns `(period key, task, arguments)` for each job due then;
`coachroom worker` (scheduling/worker.py) enqueues each period key at most once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

DueJob = tuple[str, Any, dict[str, str]]
Source = Callable[[dt.datetime], list[DueJob]]

_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    """Declare an app's periodic jobs; registering the same source again changes nothing."""
    _sources[f"{source.__module__}.{source.__qualname__}"] = source


def due_jobs(now: dt.datetime) -> list[DueJob]:
    """Every registered app's jobs due at `now`."""
    return [job for source in _sources.values() for job in source(now)]
