from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coachroom.coaching"
    verbose_name = "Coaching"
