from django.urls import URLPattern, path

from coachroom.records import views

app_name = "records"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("activity/", views.activity_export, name="activity-export"),
    path("my-coaching-record.pdf", views.my_record_pdf, name="my-record-pdf"),
    path("my-data/", views.my_data, name="my-data"),
    path("subject-access/", views.subject_access, name="subject-access"),
    path("school-export/", views.school_export, name="school-export"),
    path("research-export/", views.research_export, name="research-export"),
    path("retention/", views.retention, name="retention"),
]
