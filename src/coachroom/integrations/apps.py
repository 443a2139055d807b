from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """How Coachroom fits the school's IT (docs/integrations.md), in three parts that never
    import each other:

    - `sso/`: signing staff in with Microsoft, Google or another OpenID Connect provider
      (django-allauth), set up by a trust admin at `/trust/sign-in/`;
    - `provisioning/`: the school's directory adding and removing staff through SCIM 2.0
      (django-scim2) at `/scim/v2/` (`provisioning/scim/`), and the school's SCIM tokens;
    - `reporting_api/`: the read-only JSON API for a trust's reporting at `/api/v1/`
      (django-ninja), and the API tokens page.

    One app because a head of school sees one thing, the IT technician's set-up, not three. At
    the top of the import order beside `home`: it reads reporting, induction, coaching and
    records; nothing imports it.
    """

    name = "coachroom.integrations"
    label = "integrations"
    verbose_name = "The school's IT: sign-in, staff provisioning and the reporting API"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
        from django.contrib import admin

        from coachroom.accounts.signin_policy import register_password_rule
        from coachroom.integrations.reporting_api import receivers  # noqa: F401 - they connect
        from coachroom.integrations.sso import matching

        register_password_rule(matching.password_rule)
        # Providers are set up by trust admins in the web UI and accounts are Coachroom's:
        # allauth's own tables stay empty, so its admin pages would only mislead.
        for model in (SocialApp, SocialAccount, SocialToken, EmailAddress):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
