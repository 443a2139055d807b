from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "coachroom.imports"
    verbose_name = "Imports"
