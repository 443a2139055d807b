from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "coachroom.programme"
    verbose_name = "Programme"

    def ready(self) -> None:
        from coachroom.programme import receivers  # noqa: F401 - connects the signal handlers
