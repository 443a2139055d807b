"""Coaching's pages: drop-ins, meetings and steps under /coaching/, goals and priorities under
/programme/ (the paths predate the apps)."""

from django.urls import include, path

from coachroom.coaching import (
    picker_views,
    reflection_views,
    step_views,
    sync_views,
    views,
)
from coachroom.coaching.goals import urls as goal_urls
from coachroom.coaching.selfreview import urls as self_review_urls

app_name = "coaching"

cycle_patterns = [
    path("pairs/<int:pair_pk>/drop-in/", views.drop_in_start, name="drop-in-start"),
    path("pairs/<int:pair_pk>/drop-in/new/", sync_views.drop_in_new, name="drop-in-new"),
    path("drop-ins/sync/", sync_views.drop_in_sync, name="drop-in-sync"),
    path("pairs/<int:pair_pk>/meeting/", views.meeting_new, name="meeting-new"),
    path("pairs/<int:pair_pk>/meeting/steps/", picker_views.step_picker, name="step-picker"),
    path("meeting-with-step/", picker_views.meeting_with_step, name="meeting-with-step"),
    path("drop-ins/<int:pk>/", views.drop_in_detail, name="drop-in-detail"),
    path("drop-ins/<int:pk>/edit/", views.drop_in_edit, name="drop-in-edit"),
    path("drop-ins/<int:pk>/autosave/", views.drop_in_autosave, name="drop-in-autosave"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/reflect/", views.meeting_reflect, name="meeting-reflect"),
    path("steps/<int:pk>/", step_views.step_detail, name="step-detail"),
    path("steps/<int:pk>/agree/", step_views.step_agree, name="step-agree"),
    path("steps/<int:pk>/tried/", step_views.step_tried, name="step-tried"),
    path("steps/<int:pk>/resume/", step_views.step_resume, name="step-resume"),
    path("steps/<int:pk>/pause/", step_views.step_pause, name="step-pause"),
    path("steps/<int:pk>/withdraw/", step_views.step_withdraw, name="step-withdraw"),
    path("steps/<int:pk>/reopen/", step_views.step_reopen, name="step-reopen"),
    path("steps/<int:pk>/alternative/", step_views.step_counter, name="step-counter"),
    path("teachers/<int:teacher_pk>/", views.timeline, name="timeline"),
    path("my-coaching/", views.my_timeline, name="my-timeline"),
    path("reflections/", reflection_views.reflections, name="reflections"),
    *self_review_urls.urlpatterns,
]

urlpatterns = [
    path("coaching/", include(cycle_patterns)),
    path("programme/", include(goal_urls.urlpatterns)),
]
