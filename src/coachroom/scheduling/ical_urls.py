"""URL patterns, included by scheduling/urls.py."""

from django.urls import URLPattern, path

from coachroom.scheduling import ical_views

urlpatterns: list[URLPattern] = [
    path("calendar/", ical_views.calendar, name="calendar"),
    path("calendar/new-address/", ical_views.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<str:token>.ics", ical_views.calendar_feed, name="calendar-feed"),
]
