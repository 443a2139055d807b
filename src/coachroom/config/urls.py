from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from coachroom.accounts import identity_views
from coachroom.accounts.forms import SignInForm
from coachroom.accounts.throttle import PasswordResetForm
from coachroom.config import offline_views, views
from coachroom.integrations.sso import views as sso_views

public = login_not_required

urlpatterns = [
    path("", include("coachroom.home.urls")),
    path("healthz", views.healthz, name="healthz"),
    # Installable and offline-capable: the worker at the root, so its scope is the whole site.
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("sw.js", offline_views.service_worker, name="service-worker"),
    path("offline/", offline_views.offline, name="offline"),
    path(
        "sign-in/",
        # Django's LoginView with the trust's Microsoft/Google buttons (integrations/sso).
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
    path("library/", include("coachroom.library.urls")),
    # Each app owns its URL namespace; the paths people see predate the apps and stay the same.
    path("", include("coachroom.coaching.urls")),  # coaching/…, and goals under programme/
    path("coaching/", include("coachroom.leading.urls")),
    path("coaching/", include("coachroom.induction.urls")),  # framework tags on steps, meetings
    path("programme/", include("coachroom.scheduling.urls")),
    path("programme/", include("coachroom.reporting.urls")),
    path("imports/", include("coachroom.imports.urls")),
    path("records/", include("coachroom.records.urls")),
    path("video/", include("coachroom.video.urls")),  # lesson video, teacher-owned
    path("audit/", include("coachroom.audit.urls")),
    # Sign-in with Microsoft or Google, SCIM at scim/v2/, the reporting API at api/v1/.
    path("", include("coachroom.integrations.urls")),
    path("django-admin/", admin.site.urls),
]

handler404 = "coachroom.config.views.not_found"
handler403 = "coachroom.config.views.forbidden"
