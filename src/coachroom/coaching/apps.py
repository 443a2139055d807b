from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coachroom.coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coachroom.coaching import receivers  # noqa: F401 - connects the signal handlers
