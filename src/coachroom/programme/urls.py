from django.urls import path

from coachroom.programme import (
    capacity_views,
    completion_urls,
    dashboard_views,
    goals_urls,
    ical_urls,
    reminder_urls,
    schedule_views,
)

app_name = "programme"

urlpatterns = [
    path("schedule/", schedule_views.team_schedule, name="team-schedule"),
    path("schedule/pairs/<int:pair_pk>/", schedule_views.pair_slots, name="pair-slots"),
    path("schedule/slots/<int:pk>/move/", schedule_views.slot_move, name="slot-move"),
    path("schedule/slots/<int:pk>/end/", schedule_views.slot_end, name="slot-end"),
    path("week/", schedule_views.week, name="week"),
    path("capacity/", capacity_views.capacity, name="capacity"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("trust/", dashboard_views.trust_dashboard, name="trust-dashboard"),
    path("sessions/upcoming/", schedule_views.upcoming, name="upcoming"),
    path("sessions/<int:pk>/", schedule_views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/missed/", schedule_views.session_missed, name="session-missed"),
    path(
        "sessions/<int:pk>/reschedule/",
        schedule_views.session_reschedule,
        name="session-reschedule",
    ),
    path("sessions/<int:pk>/cover/", schedule_views.session_cover, name="session-cover"),
    path("sessions/<int:pk>/held/", schedule_views.session_held, name="session-held"),
    *ical_urls.urlpatterns,
    *completion_urls.urlpatterns,
    *reminder_urls.urlpatterns,
    *goals_urls.urlpatterns,
]
