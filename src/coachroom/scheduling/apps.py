from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "coachroom.scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from coachroom.coaching import booking, panels
        from coachroom.core import jobs
        from coachroom.core.demo import register_loader
        from coachroom.scheduling import demo, receivers, tasks  # noqa: F401 - receivers connect
        from coachroom.scheduling.next_drop_in import ProgrammeBooker
        from coachroom.scheduling.tapering import demo as tapering_demo
        from coachroom.scheduling.tapering.panel import RhythmPanel

        booking.register(ProgrammeBooker())
        panels.register_for_teacher(RhythmPanel())
        jobs.register(tasks.reminder_jobs)
        register_loader(30, demo.load_slots)
        register_loader(60, demo.settle)
        register_loader(80, demo.delights)
        # after last year's history (reporting's Insights, 85): steps that stuck then count
        register_loader(87, tapering_demo.load)
