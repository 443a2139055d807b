"""Microsoft Entra ID's provisioning requests, as Microsoft documents them ("Tutorial: Develop
and plan provisioning for a SCIM endpoint in Microsoft Entra ID", the request/response
examples), with a school's own values in place of Microsoft's test GUIDs.

And `Scim`: one way to send them, through Django's test client or to a real server on
loopback with `requests`, so that a journey can run both ways.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def create_user(
    email: str,
    given: str = "Sam",
    family: str = "Lee",
    *,
    external_id: str = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    active: bool = True,
) -> dict[str, Any]:
    """POST /Users: Entra's create-user body, with the enterprise extension its default
    attribute mappings fill in."""
    return {
        "schemas": [USER, ENTERPRISE],
        "externalId": external_id,
        "userName": email,
        "active": active,
        "displayName": f"{given} {family}",
        "title": "Teacher of Maths",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": f"{given} {family}", "familyName": family, "givenName": given},
        "addresses": [{"type": "work", "formatted": "1 School Lane", "primary": False}],
        "phoneNumbers": [{"type": "work", "value": "01632 960000"}],
        ENTERPRISE: {"department": "Maths", "employeeNumber": "T042"},
        "roles": [],
    }


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


def replace(path: str, value: Any) -> dict[str, Any]:
    """Entra capitalises its operations."""
    return {"op": "Replace", "path": path, "value": value}


def disable_user() -> dict[str, Any]:
    return patch({"op": "Replace", "path": "active", "value": False})


def disable_user_as_string() -> dict[str, Any]:
    """Entra's older behaviour (before the aadOptscim062020 flag): "False" as a string."""
    return patch({"op": "Replace", "path": "active", "value": "False"})


def create_group(display_name: str, external_id: str = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"):
    return {
        "schemas": [
            GROUP,
            "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
        ],
        "externalId": external_id,
        "displayName": display_name,
        "meta": {"resourceType": "Group"},
    }


def add_members(*ids: str) -> dict[str, Any]:
    return patch(
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": i} for i in ids]}
    )


def remove_members(*ids: str) -> dict[str, Any]:
    return patch(
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": i} for i in ids]}
    )


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Scim:
    """SCIM requests with a bearer token, through the test client or over HTTP."""

    def __init__(self, secret: str, *, client: Any = None, base_url: str = "") -> None:
        self.secret = secret
        self.client = client
        self.base_url = base_url

    def __call__(self, method: str, path: str, body: Any = None, **params: str) -> Reply:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
        if self.client is not None:
            query = "?" + urlencode(params) if params else ""
            response = self.client.generic(
                method,
                f"/scim/v2/{path}{query}",
                data=data or b"",
                content_type="application/scim+json",
                headers=headers,
            )
            return Reply(response.status_code, _json(response.content), dict(response.headers))
        reply = requests.request(
            method,
            f"{self.base_url}/scim/v2/{path}",
            params=params,
            data=data,
            headers={**headers, "Content-Type": "application/scim+json"},
            timeout=20,
        )
        return Reply(reply.status_code, _json(reply.content), dict(reply.headers))

    def get(self, path: str, **params: str) -> Reply:
        return self("GET", path, **params)

    def post(self, path: str, body: Any) -> Reply:
        return self("POST", path, body)

    def put(self, path: str, body: Any) -> Reply:
        return self("PUT", path, body)

    def patch(self, path: str, body: Any) -> Reply:
        return self("PATCH", path, body)

    def delete(self, path: str) -> Reply:
        return self("DELETE", path)


def _json(content: bytes) -> dict[str, Any]:
    return json.loads(content) if content else {}
