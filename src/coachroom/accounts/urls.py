from django.urls import path

from coachroom.accounts import identity_views, views

app_name = "accounts"

urlpatterns = [
    path("account/", views.profile, name="profile"),
    path("account/email/", identity_views.email_change, name="email-change"),
    path(
        "account/email/confirm/<str:token>/",
        identity_views.email_confirm,
        name="email-confirm",
    ),
    path("school/switch/", views.switch_school, name="switch-school"),
    path("school/settings/", views.school_settings, name="school-settings"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/invite/", views.staff_invite, name="staff-invite"),
    path("staff/<int:pk>/", views.staff_edit, name="staff-edit"),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff-deactivate"),
    path("staff/<int:pk>/reactivate/", views.staff_reactivate, name="staff-reactivate"),
    path("staff/<int:pk>/invite-again/", views.staff_resend_invitation, name="staff-reinvite"),
    path("pairs/", views.pair_list, name="pair-list"),
    path("pairs/<int:pk>/end/", views.pair_end, name="pair-end"),
    path("pairs/<int:pk>/sharing/", views.pair_sharing, name="pair-sharing"),
    path("pairs/<int:pk>/line-manager/", views.pair_line_manager, name="pair-line-manager"),
    path("calendar/", views.year_list, name="year-list"),
    path("calendar/<int:pk>/", views.year_detail, name="year-detail"),
    path("calendar/<int:pk>/close/", views.year_close, name="year-close"),
    path(
        "calendar/<int:pk>/closures/<int:closure_pk>/delete/",
        views.closure_delete,
        name="closure-delete",
    ),
]
