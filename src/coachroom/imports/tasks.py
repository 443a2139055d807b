"""Background work for web imports: the worker (`coachroom worker`) runs these."""

from __future__ import annotations

from django_tasks import task

from coachroom.imports.runs import run_execute


@task()
def import_run_job(run_id: int) -> dict[str, int]:
    """Carry out one queued dry run or import; progress and outcome go on the ImportRun row."""
    return run_execute(run_id=run_id)
