from django.urls import path

from coachroom.induction import views

app_name = "induction"

urlpatterns = [
    path("steps/<int:pk>/framework/", views.step_tags, name="step-tags"),
    path("meetings/<int:pk>/framework/", views.meeting_tags, name="meeting-tags"),
]
