from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from coachroom.accounts import identity_views
from coachroom.accounts.forms import SignInForm
from coachroom.accounts.throttle import PasswordResetForm
from coachroom.config import views
from coachroom.sso import views as sso_views

public = login_not_required

urlpatterns = [
    path("", include("coachroom.home.urls")),
    path("healthz", views.healthz, name="healthz"),
    path(
        "sign-in/",
        # Django's LoginView with the trust's Microsoft/Google buttons (coachroom.sso).
        sso_views.SignInView.as_view(
            template_name="accounts/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=PasswordResetForm,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/set/<uidb64>/<token>/",
        identity_views.PasswordSetView.as_view(
            template_name="accounts/password_set.html",
            post_reset_login=True,
            post_reset_login_backend="django.contrib.auth.backends.ModelBackend",
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/set/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_set_done.html"
        ),
        name="password_reset_complete",
    ),
    path("", include("coachroom.accounts.urls")),
    path("", include("coachroom.sso.urls")),  # sign-in/with/…, trust/sign-in/…
    path("library/", include("coachroom.library.urls")),
    # Each app owns its URL namespace; the paths people see predate the apps and stay the same.
    path("", include("coachroom.coaching.urls")),  # coaching/…, and goals under programme/
    path("coaching/", include("coachroom.leading.urls")),
    path("coaching/", include("coachroom.induction.urls")),  # framework tags on steps, meetings
    path("programme/", include("coachroom.scheduling.urls")),
    path("programme/", include("coachroom.reporting.urls")),
    path("imports/", include("coachroom.imports.urls")),
    path("records/", include("coachroom.records.urls")),
    path("audit/", include("coachroom.audit.urls")),
    path("staff/provisioning/", include("coachroom.provisioning.urls")),  # the school's tokens
    path("scim/v2/", include("coachroom.provisioning.scim.urls")),  # SCIM 2.0, bearer tokens
    path("", include("coachroom.api.urls")),  # /api/v1/ and the API tokens page
    path("django-admin/", admin.site.urls),
]

handler404 = "coachroom.config.views.not_found"
handler403 = "coachroom.config.views.forbidden"
