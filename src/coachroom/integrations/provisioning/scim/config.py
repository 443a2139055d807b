"""What Coachroom's SCIM endpoint says about itself, and the hooks django-scim2 reads from the
SCIM_SERVICE_PROVIDER setting (config/settings.py).

- `/ServiceProviderConfig`: PATCH and filters supported; no bulk, sort, ETags or passwords;
  authentication by a bearer token made on the school's Staff provisioning page.
- `/Schemas`: the core User and Group schemas as django-scim2 ships them, cut down to the
  attributes Coachroom keeps, so that a directory sees what it can set.
- `/ResourceTypes`: User and Group.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django_scim import constants
from django_scim.schemas import default_schemas_getter

from coachroom.accounts.models import Membership
from coachroom.integrations.provisioning.scim.values import GROUP_URN, USER_URN

MAX_RESULTS = 200  # the most resources one page of a list holds
DEFAULT_COUNT = 100


def membership_model() -> type[Membership]:
    """A SCIM User is a person's place at the token's school (USER_MODEL_GETTER)."""
    return Membership


def base_location(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> str:
    """Where the endpoint is, for `meta.location` (BASE_LOCATION_GETTER): as the directory
    reached it, else SITE_URL."""
    if request is not None:
        return request.build_absolute_uri("/")
    return str(settings.SITE_URL) + "/"


def location(request: HttpRequest | None, url_name: str, **kwargs: str) -> str:
    return urljoin(base_location(request), reverse(url_name, kwargs=kwargs or None))


class ServiceProviderConfig:
    """SERVICE_PROVIDER_CONFIG_MODEL."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        self.request = request

    def to_dict(self) -> dict[str, Any]:
        return {
            "schemas": [constants.SchemaURI.SERVICE_PROVIDER_CONFIG],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": (
                        "A school's SCIM token, made by a school admin on the Staff "
                        "provisioning page or with `coachroom scim-token create`."
                    ),
                    "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
                    "primary": True,
                }
            ],
            "meta": {
                "resourceType": "ServiceProviderConfig",
                "location": location(self.request, "scim:service-provider-config"),
            },
        }


def resource_type(request: HttpRequest | None, kind: str) -> dict[str, Any]:
    schema, endpoint = (USER_URN, "/Users") if kind == "User" else (GROUP_URN, "/Groups")
    return {
        "schemas": [constants.SchemaURI.RESOURCE_TYPE],
        "id": kind,
        "name": kind,
        "endpoint": endpoint,
        "description": "A member of staff at the school" if kind == "User" else "A role",
        "schema": schema,
        "schemaExtensions": [],
        "meta": {
            "resourceType": "ResourceType",
            "location": location(request, "scim:resource-types", uuid=kind),
        },
    }


# Schemas -------------------------------------------------------------------------------------

KEPT: dict[str, dict[str, set[str] | None]] = {
    # attribute → the sub-attributes kept (None: a simple attribute)
    USER_URN: {
        "userName": None,
        "name": {"givenName", "familyName", "formatted"},
        "displayName": None,
        "title": None,
        "active": None,
        "emails": {"value", "type", "primary"},
        "groups": {"value", "$ref", "display"},
    },
    GROUP_URN: {"displayName": None, "members": {"value", "$ref", "type"}},
}
READ_ONLY = {(USER_URN, "displayName"), (USER_URN, "emails"), (USER_URN, "groups")}


@cache
def supported_schemas() -> list[dict[str, Any]]:
    """SCHEMAS_GETTER: django-scim2's User and Group schemas, with only what Coachroom keeps."""
    schemas = []
    for shipped in default_schemas_getter():
        kept = KEPT.get(shipped["id"])
        if kept is None:
            continue
        schema = copy.deepcopy(shipped)
        schema["attributes"] = [_cut(schema["id"], a, kept) for a in schema["attributes"]]
        schema["attributes"] = [a for a in schema["attributes"] if a is not None]
        schema["meta"] = {"resourceType": "Schema"}
        schemas.append(schema)
    return sorted(schemas, key=lambda s: str(s["id"]))


def _cut(
    urn: str, attribute: dict[str, Any], kept: dict[str, set[str] | None]
) -> dict[str, Any] | None:
    name = attribute["name"]
    if name not in kept:
        return None
    subs = kept[name]
    if subs is not None:
        attribute["subAttributes"] = [
            s for s in attribute.get("subAttributes", []) if s["name"] in subs
        ]
    if (urn, name) in READ_ONLY:
        attribute["mutability"] = "readOnly"
    if (urn, name) == (USER_URN, "userName"):
        attribute["description"] = "The person's email address, which they sign in with."
    return attribute
