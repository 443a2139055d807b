"""/scim/v2/: the SCIM 2.0 endpoint a school's directory calls (scim/views.py).

The names are django-scim2's (its adapters reverse `scim:users` and `scim:groups`). Every
address answers 401 without the school's token, a signed-in session included.
"""

from django.urls import re_path

from coachroom.integrations.provisioning.scim import views

app_name = "scim"

urlpatterns = [
    re_path(r"^$", views.NotFoundView.as_view(), name="root"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", views.UsersView.as_view(), name="users"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?$", views.GroupsView.as_view(), name="groups"),
    re_path(
        r"^ServiceProviderConfig$",
        views.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$",
        views.ResourceTypesView.as_view(),
        name="resource-types",
    ),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", views.SchemasView.as_view(), name="schemas"),
    re_path(r"^(?P<rest>.+)$", views.NotFoundView.as_view(), name="not-found"),
]
