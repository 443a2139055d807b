from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Backups, exports, subject access and retention: no tables of its own."""

    name = "coachroom.records"
    verbose_name = "Records"

    def ready(self) -> None:
        from coachroom.core import jobs
        from coachroom.records import tasks

        jobs.register(tasks.retention_jobs)
