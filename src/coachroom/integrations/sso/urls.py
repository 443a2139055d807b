from django.urls import path

from coachroom.integrations.sso import setup_views, views

app_name = "sso"

urlpatterns = [
    # Signing in: public, like the sign-in page they start from.
    path("sign-in/with/<slug:slug>/", views.start, name="start"),
    path("sign-in/with/<slug:slug>/callback/", views.callback, name="callback"),
    path("sign-in/refused/", views.refused, name="refused"),
    # Setting it up: a trust's admins.
    path("trust/sign-in/", setup_views.provider_list, name="list"),
    path(
        "trust/sign-in/new/<int:trust_pk>/<str:kind>/",
        setup_views.provider_create,
        name="create",
    ),
    path("trust/sign-in/<int:pk>/", setup_views.provider_edit, name="edit"),
    path("trust/sign-in/<int:pk>/remove/", setup_views.provider_remove, name="remove"),
]
