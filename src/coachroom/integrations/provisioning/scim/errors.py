"""SCIM error responses (RFC 7644 §3.12): JSON with `status`, `scimType` and `detail`.

django-scim2's exceptions carry the status and scimType; every error the endpoint sends goes
through `error_response`, so each has the same shape, with `status` as a string as the RFC
shows it.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django_scim import constants
from django_scim.exceptions import BadRequestError, IntegrityError, SCIMException

CONTENT_TYPE = constants.SCIM_CONTENT_TYPE


class MethodNotAllowed(SCIMException):
    status = 405

    def __init__(self, detail: str, *, allow: str) -> None:
        super().__init__(detail)
        self.allow = allow


def invalid_value(detail: str) -> SCIMException:
    return BadRequestError(detail, scim_type="invalidValue")


def invalid_syntax(detail: str) -> SCIMException:
    return BadRequestError(detail, scim_type="invalidSyntax")


def invalid_filter(detail: str) -> SCIMException:
    return BadRequestError(detail, scim_type="invalidFilter")


def invalid_path(detail: str) -> SCIMException:
    return BadRequestError(detail, scim_type="invalidPath")


def no_target(detail: str) -> SCIMException:
    return BadRequestError(detail, scim_type="noTarget")


def mutability(detail: str) -> SCIMException:
    return BadRequestError(detail, scim_type="mutability")


def uniqueness(detail: str) -> SCIMException:
    return IntegrityError(detail, scim_type="uniqueness")


def not_found(what: str) -> SCIMException:
    return SCIMException(what, status=404)


def error_response(error: SCIMException) -> HttpResponse:
    body: dict[str, object] = {
        "schemas": [constants.SchemaURI.ERROR],
        "status": str(error.status),
        "detail": str(error.detail),
    }
    if error.scim_type:
        body["scimType"] = error.scim_type
    response = HttpResponse(json.dumps(body), status=error.status, content_type=CONTENT_TYPE)
    if isinstance(error, MethodNotAllowed):
        response["Allow"] = error.allow
    return response


def unauthorized(detail: str, *, token_shown: bool) -> HttpResponse:
    response = error_response(SCIMException(detail, status=401))
    challenge = 'Bearer realm="Coachroom SCIM"'
    if token_shown:
        challenge += ', error="invalid_token"'
    response["WWW-Authenticate"] = challenge
    return response
