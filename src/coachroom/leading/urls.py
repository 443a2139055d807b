"""Leading the programme, under /coaching/ (the paths predate the app): learning walks, reviews
of coaching, quality signals, recognition and thanks."""

from django.urls import URLPattern, path

from coachroom.leading import views as walk_views

app_name = "leading"

urlpatterns: list[URLPattern] = [
    path("walks/", walk_views.walk_list, name="walks"),
    path("walks/new/", walk_views.walk_new, name="walk-new"),
    path("walks/findings/", walk_views.walk_findings, name="walk-findings"),
    path("walks/<int:pk>/", walk_views.walk_detail, name="walk-detail"),
    path("walks/<int:pk>/visit/", walk_views.walk_visit_new, name="walk-visit-new"),
    path("walk-visits/<int:pk>/", walk_views.walk_visit_detail, name="walk-visit-detail"),
    path("my-walk-visits/", walk_views.my_walk_visits, name="my-walk-visits"),
    path("reviews/", walk_views.review_list, name="reviews"),
    path("reviews/new/", walk_views.review_new, name="review-new"),
    path("reviews/<int:pk>/", walk_views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/write/", walk_views.review_record, name="review-record"),
    path(
        "meetings/<int:pk>/review-sharing/",
        walk_views.meeting_review_sharing,
        name="meeting-review-sharing",
    ),
    path("quality/", walk_views.quality_signals, name="quality"),
    path("recognition/", walk_views.recognition, name="recognition"),
    path("thanks/", walk_views.thanks, name="thanks"),
    path("thanks/send/", walk_views.thank_coach, name="thank-coach"),
]
