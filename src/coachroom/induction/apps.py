from django.apps import AppConfig


class InductionConfig(AppConfig):
    name = "coachroom.induction"
    verbose_name = "Induction"

    def ready(self) -> None:
        from coachroom.coaching import panels
        from coachroom.core import jobs
        from coachroom.core.demo import register_loader
        from coachroom.induction import cadence, demo
        from coachroom.induction.coverage import FrameworkCoveragePanel
        from coachroom.induction.tag_panel import FrameworkTagPanel

        panels.register(FrameworkTagPanel())
        panels.register_for_teacher(FrameworkCoveragePanel())
        jobs.register(cadence.cadence_jobs)  # year 2 turns fortnightly on its first day
        register_loader(15, demo.load)  # after the people and pairs, before the slots
        register_loader(75, demo.tag_mentoring)  # once the coaching history exists
