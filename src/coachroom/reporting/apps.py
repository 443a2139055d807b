from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Completion, dashboards and capacity: counts only, never notes."""

    name = "coachroom.reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from coachroom.core.demo import register_loader
        from coachroom.reporting import demo, receivers  # noqa: F401 - receivers connect

        register_loader(90, demo.rebuild_counts)
