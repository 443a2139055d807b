from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "coachroom.scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from coachroom.coaching import booking
        from coachroom.core import jobs
        from coachroom.core.demo import register_loader
        from coachroom.scheduling import demo, receivers, tasks  # noqa: F401 - receivers connect
        from coachroom.scheduling.next_drop_in import ProgrammeBooker

        booking.register(ProgrammeBooker())
        jobs.register(tasks.reminder_jobs)
        register_loader(30, demo.load_slots)
        register_loader(60, demo.settle)
        register_loader(80, demo.delights)
