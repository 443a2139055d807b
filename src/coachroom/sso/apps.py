from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "coachroom.sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
        from django.contrib import admin

        from coachroom.accounts.signin_policy import register_password_rule
        from coachroom.sso import matching

        register_password_rule(matching.password_rule)
        # Providers are set up by trust admins in the web UI and accounts are Coachroom's:
        # allauth's own tables stay empty, so its admin pages would only mislead.
        for model in (SocialApp, SocialAccount, SocialToken, EmailAddress):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
