from django.urls import path

from coachroom.library import views

app_name = "library"

urlpatterns = [
    path("", views.step_list, name="step-list"),
    path("new/", views.step_create, name="step-create"),
    path("<int:pk>/", views.step_detail, name="step-detail"),
    path("<int:pk>/copy/", views.step_copy, name="step-copy"),
    path("<int:pk>/edit/", views.step_edit, name="step-edit"),
    path("<int:pk>/archive/", views.step_archive, name="step-archive"),
    path("<int:pk>/restore/", views.step_restore, name="step-restore"),
]
