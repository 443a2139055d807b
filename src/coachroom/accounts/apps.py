from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachroom.accounts"
    verbose_name = "People and schools"

    def ready(self) -> None:
        from coachroom.accounts import demo
        from coachroom.core.demo import register_loader

        register_loader(10, demo.load)
