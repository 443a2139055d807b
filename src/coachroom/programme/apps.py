from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "coachroom.programme"
    verbose_name = "Programme"
