"""URL patterns, included by scheduling/urls.py."""

from django.urls import URLPattern, path

from coachroom.scheduling import reminder_views

urlpatterns: list[URLPattern] = [
    path("notifications/", reminder_views.notifications, name="notifications"),
    path("unsubscribe/<str:token>/", reminder_views.unsubscribe, name="unsubscribe"),
]
