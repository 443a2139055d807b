"""Scheduling's pages, under /programme/ (the paths predate the app)."""

from django.urls import path

from coachroom.scheduling import ical_urls, reminder_urls, views
from coachroom.scheduling.tapering import urls as rhythm_urls

app_name = "scheduling"

urlpatterns = [
    path("schedule/", views.team_schedule, name="team-schedule"),
    path("schedule/pairs/<int:pair_pk>/", views.pair_slots, name="pair-slots"),
    path("schedule/slots/<int:pk>/move/", views.slot_move, name="slot-move"),
    path("schedule/slots/<int:pk>/end/", views.slot_end, name="slot-end"),
    path("week/", views.week, name="week"),
    path("sessions/upcoming/", views.upcoming, name="upcoming"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/missed/", views.session_missed, name="session-missed"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session-reschedule"),
    path("sessions/<int:pk>/cover/", views.session_cover, name="session-cover"),
    path("sessions/<int:pk>/held/", views.session_held, name="session-held"),
    *ical_urls.urlpatterns,
    *reminder_urls.urlpatterns,
    *rhythm_urls.urlpatterns,
]
