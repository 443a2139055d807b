"""URL patterns, included by programme/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
