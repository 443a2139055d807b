"""django-allauth imports `<app>.provider` from every installed app for its sign-in providers;
Coachroom's are in sso/provider.py."""

from coachroom.integrations.sso.provider import provider_classes

__all__ = ["provider_classes"]
