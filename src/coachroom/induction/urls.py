from django.urls import path

from coachroom.induction import review_views, setup_views, sharing_views, support_views, views
from coachroom.induction.portable import views as portable_views

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
    path("induction/mine/sharing/", sharing_views.share_mentoring, name="share-mentoring"),
    path("induction/<int:pk>/", setup_views.detail, name="detail"),
    path("induction/<int:pk>/absences/", setup_views.absence_add, name="absence-add"),
    path("induction/<int:pk>/time-off/", setup_views.time_off_add, name="time-off-add"),
    path(
        "induction/<int:pk>/absences/<int:absence_pk>/remove/",
        setup_views.absence_remove,
        name="absence-remove",
    ),
    # The portable record (induction/portable/): the ECT's download, and earlier records.
    path("induction/mine/record.zip", portable_views.mine_record, name="mine-record"),
    path("induction/<int:pk>/earlier/", portable_views.earlier_import, name="earlier-import"),
    path("induction/earlier/<int:pk>/", portable_views.earlier, name="earlier"),
    path("induction/earlier/<int:pk>/pdf/", portable_views.earlier_pdf, name="earlier-pdf"),
]
