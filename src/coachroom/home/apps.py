from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The home pages: the top of the import order, above every other app."""

    name = "coachroom.home"
    verbose_name = "Home"
