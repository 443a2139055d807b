from django.urls import path

from coachroom.integrations.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
