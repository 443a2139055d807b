"""URL patterns for priorities and goals, included by coaching/urls.py under /programme/."""

from django.urls import URLPattern, path

from coachroom.coaching.goals import views as goal_views

urlpatterns: list[URLPattern] = [
    path("priorities/", goal_views.priority_list, name="priority-list"),
    path("priorities/new/", goal_views.priority_new, name="priority-new"),
    path("priorities/report/", goal_views.priority_report_view, name="priority-report"),
    path("priorities/<int:pk>/edit/", goal_views.priority_edit, name="priority-edit"),
    path("priorities/<int:pk>/archive/", goal_views.priority_archive, name="priority-archive"),
    path("priorities/<int:pk>/restore/", goal_views.priority_restore, name="priority-restore"),
    path("goals/teachers/<int:teacher_pk>/", goal_views.goal_list, name="goal-list"),
    path("goals/pairs/<int:pair_pk>/new/", goal_views.goal_new, name="goal-new"),
    path("goals/<int:pk>/", goal_views.goal_detail, name="goal-detail"),
    path("goals/<int:pk>/edit/", goal_views.goal_edit, name="goal-edit"),
    path("goals/<int:pk>/readings/", goal_views.goal_reading_add, name="goal-reading-add"),
]
