from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachroom.accounts"
    verbose_name = "People and schools"
