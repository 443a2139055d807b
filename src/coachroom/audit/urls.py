from django.urls import path

from coachroom.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.log, name="log"),
    path("log.csv", views.log_csv, name="log-csv"),
    path("who-has-viewed-my-coaching/", views.my_views, name="my-views"),
]
