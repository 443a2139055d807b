from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API for a trust's own reporting (`/api/v1/`) and the page that makes its tokens.
    At the top of the import order beside `home`: it reads reporting, induction, coaching and
    records; nothing imports it."""

    name = "coachroom.api"
    verbose_name = "API"

    def ready(self) -> None:
        from coachroom.api import receivers  # noqa: F401 - receivers connect
