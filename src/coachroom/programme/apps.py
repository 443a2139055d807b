from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "coachroom.programme"
    verbose_name = "Programme"

    def ready(self) -> None:
        from coachroom.coaching import booking
        from coachroom.programme import receivers  # noqa: F401 - connects the signal handlers
        from coachroom.programme.next_drop_in import ProgrammeBooker

        booking.register(ProgrammeBooker())
