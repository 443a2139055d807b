from django.urls import path

from coachroom.programme import completion_urls, ical_urls, reminder_urls

app_name = "programme"

urlpatterns = [
    *ical_urls.urlpatterns,
    *completion_urls.urlpatterns,
    *reminder_urls.urlpatterns,
]
