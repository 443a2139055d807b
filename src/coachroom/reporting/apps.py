from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Completion, dashboards and capacity: counts only, never notes."""

    name = "coachroom.reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from coachroom.reporting import receivers  # noqa: F401 - receivers connect
