"""URL patterns for a pair's rhythm, included by scheduling/urls.py under /programme/."""

from django.urls import URLPattern, path

from coachroom.scheduling.tapering import views

urlpatterns: list[URLPattern] = [
    path("pairs/<int:pair_pk>/rhythm/", views.rhythm_change, name="rhythm-change"),
    path("rhythm/<int:pk>/agree/", views.rhythm_agree, name="rhythm-agree"),
    path("rhythm/<int:pk>/decline/", views.rhythm_decline, name="rhythm-decline"),
]
