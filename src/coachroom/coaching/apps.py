from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coachroom.coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        from coachroom.coaching import demo, receivers  # noqa: F401 - receivers connect handlers
        from coachroom.coaching.goals import demo as goal_demo
        from coachroom.coaching.selfreview import demo as self_review_demo
        from coachroom.core.demo import register_loader

        register_loader(40, demo.load)
        register_loader(45, self_review_demo.load)  # once the steps are in practice
        register_loader(50, goal_demo.load)
