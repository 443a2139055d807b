"""Background work for web imports: the worker (`coachroom worker`) runs these."""

from __future__ import annotations

from django_tasks import task


@task()
def import_run_job(run_id: int) -> dict[str, int]:
    """Carry out one queued dry run or import; progress and outcome go on the ImportRun row."""
    from coachroom.imports.services import run_execute

    return run_execute(run_id=run_id)
