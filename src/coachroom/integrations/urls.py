"""The addresses of the school's IT, each part under its own namespace (`sso:`, `provisioning:`,
`scim:`, `api:`): this module names none of its own, so the parts' names stay as they are."""

from django.urls import include, path

urlpatterns = [
    path("", include("coachroom.integrations.sso.urls")),  # sign-in/with/…, trust/sign-in/…
    # The school's SCIM tokens, and the SCIM 2.0 endpoint its directory calls with them.
    path("staff/provisioning/", include("coachroom.integrations.provisioning.urls")),
    path("scim/v2/", include("coachroom.integrations.provisioning.scim.urls")),
    path("", include("coachroom.integrations.reporting_api.urls")),  # /api/v1/, API tokens
]
