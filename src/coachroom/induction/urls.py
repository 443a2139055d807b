from django.urls import path

from coachroom.induction import setup_views, views

app_name = "induction"

urlpatterns = [
    path("steps/<int:pk>/framework/", views.step_tags, name="step-tags"),
    path("meetings/<int:pk>/framework/", views.meeting_tags, name="meeting-tags"),
    path("induction/", setup_views.cohort, name="cohort"),
    path("induction/new/", setup_views.new, name="new"),
    path("induction/mine/", setup_views.mine, name="mine"),
    path("induction/<int:pk>/", setup_views.detail, name="detail"),
    path("induction/<int:pk>/absences/", setup_views.absence_add, name="absence-add"),
    path(
        "induction/<int:pk>/absences/<int:absence_pk>/remove/",
        setup_views.absence_remove,
        name="absence-remove",
    ),
]
