from django.urls import path

from coachroom.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/import/", views.run_apply, name="run-apply"),
    path("staff-template.csv", views.staff_template, name="staff-template"),
]
