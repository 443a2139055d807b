from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "coachroom.library"
    verbose_name = "Step library"
