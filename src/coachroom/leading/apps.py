from django.apps import AppConfig


class LeadingConfig(AppConfig):
    name = "coachroom.leading"
    verbose_name = "Leading the programme"

    def ready(self) -> None:
        from coachroom.core.demo import register_loader
        from coachroom.leading import demo

        register_loader(70, demo.load)
