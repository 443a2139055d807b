from django.apps import AppConfig


class InductionConfig(AppConfig):
    name = "coachroom.induction"
    verbose_name = "Induction"

    def ready(self) -> None:
        from coachroom.coaching import panels
        from coachroom.induction.tag_panel import FrameworkTagPanel

        panels.register(FrameworkTagPanel())
