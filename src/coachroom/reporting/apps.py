from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Completion, dashboards and capacity: counts only, never notes."""

    name = "coachroom.reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from coachroom.core.demo import register_loader
        from coachroom.reporting import demo, receivers  # noqa: F401 - receivers connect
        from coachroom.reporting.insights import demo as insights_demo

        register_loader(85, insights_demo.load)  # last year's history, for Insights
        register_loader(90, demo.rebuild_counts)
