"""URL patterns, included by programme/urls.py."""

from django.urls import URLPattern, path

from coachroom.programme import completion_views

urlpatterns: list[URLPattern] = [
    path("completion/", completion_views.completion, name="completion"),
    path("completion/download.csv", completion_views.completion_csv, name="completion-csv"),
]
