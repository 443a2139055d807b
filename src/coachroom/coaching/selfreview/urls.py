"""URL patterns for self-review, included by coaching/urls.py under /coaching/."""

from django.urls import URLPattern, path

from coachroom.coaching.selfreview import views

urlpatterns: list[URLPattern] = [
    path("steps/<int:pk>/self-review/", views.self_review_new, name="self-review-new"),
    path("self-reviews/<int:pk>/", views.self_review_detail, name="self-review-detail"),
    path("self-reviews/<int:pk>/sharing/", views.self_review_share, name="self-review-share"),
]
