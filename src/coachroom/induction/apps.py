from django.apps import AppConfig


class InductionConfig(AppConfig):
    name = "coachroom.induction"
    verbose_name = "Induction"

    def ready(self) -> None:
        from coachroom.coaching import panels
        from coachroom.core.demo import register_loader
        from coachroom.induction import demo
        from coachroom.induction.tag_panel import FrameworkTagPanel

        panels.register(FrameworkTagPanel())
        register_loader(15, demo.load)  # after the people and pairs, before the slots
