"""The home page. Its URL name is plain "home", with no namespace, as `LOGIN_REDIRECT_URL`
and every template expect."""

from django.urls import path

from coachroom.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
