from django.urls import path

from coachroom.induction import review_views, setup_views, support_views, views

app_name = "induction"

urlpatterns = [
    path("steps/<int:pk>/framework/", views.step_tags, name="step-tags"),
    path("meetings/<int:pk>/framework/", views.meeting_tags, name="meeting-tags"),
    path("induction/", setup_views.cohort, name="cohort"),
    path("induction/new/", setup_views.new, name="new"),
    path("induction/reviews.csv", review_views.cohort_csv, name="cohort-csv"),
    path("induction/reviews/<int:pk>/", review_views.review, name="review"),
    path("induction/reviews/<int:pk>/pdf/", review_views.review_pdf, name="review-pdf"),
    path("induction/<int:pk>/reviews/", review_views.review_start, name="review-start"),
    path("induction/<int:pk>/support/", support_views.support_plan, name="support-plan"),
    path("induction/mine/", setup_views.mine, name="mine"),
    path("induction/<int:pk>/", setup_views.detail, name="detail"),
    path("induction/<int:pk>/absences/", setup_views.absence_add, name="absence-add"),
    path("induction/<int:pk>/time-off/", setup_views.time_off_add, name="time-off-add"),
    path(
        "induction/<int:pk>/absences/<int:absence_pk>/remove/",
        setup_views.absence_remove,
        name="absence-remove",
    ),
]
