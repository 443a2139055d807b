"""The SCIM 2.0 endpoint, /scim/v2/: django-scim2's views with Coachroom's adapters.

django-scim2 routes each method (GET one or many, POST, PUT, PATCH, DELETE) to the adapters
(scim/people.py, scim/groups.py) and serves the discovery documents. `ScimEndpoint` replaces
the parts that would not hold for a school's directory:

- authentication is the school's bearer token, never a session (scim/auth.py), and every
  change inside a request is audited as made by that token (`audit.acting_as`);
- a list is the token's school's rows only, filtered in the database (scim/filters.py) and
  paged as RFC 7644 reads `startIndex` and `count`;
- a body that is not a JSON object, a PATCH without the PatchOp schema, and anything else a
  directory might send wrong is a SCIM error with its `scimType`, never a server error.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django_scim import constants
from django_scim import views as scim_views
from django_scim.exceptions import SCIMException

from coachroom import audit
from coachroom.integrations.provisioning.scim import errors
from coachroom.integrations.provisioning.scim.auth import authenticate
from coachroom.integrations.provisioning.scim.filters import filter_q
from coachroom.integrations.provisioning.scim.params import page
from coachroom.integrations.provisioning.scim.values import load_object, patch_operations

logger = logging.getLogger(__name__)
FAILED = (
    "Coachroom could not complete this request. Try again; if it keeps failing, tell whoever "
    "runs Coachroom."
)


class ScimEndpoint(View):
    """Token first, then the view; every error as SCIM JSON."""

    # A bearer token, never a cookie or a session: no sign-in page, and no CSRF to forge.
    @method_decorator(login_not_required)
    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        token, refusal = authenticate(request)
        if token is None:
            assert refusal is not None  # noqa: S101 - authenticate returns one or the other
            return refusal
        with audit.acting_as(token.agent, scim_token=token.pk):
            try:
                # View.dispatch, not django-scim2's SCIMView.dispatch: authentication and
                # errors are handled here.
                response = View.dispatch(self, request, *args, **kwargs)
            except SCIMException as error:
                return errors.error_response(error)
            except Exception:
                logger.exception(
                    "SCIM request failed",
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "school": token.school_id,
                    },
                )
                return errors.error_response(SCIMException(FAILED, status=500))
        return response

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        allowed = ", ".join(m.upper() for m in self.http_method_names if hasattr(self, m))
        raise errors.MethodNotAllowed(
            f"{request.method} is not allowed here; use {allowed}.", allow=allowed
        )

    def load_body(self, body: bytes) -> dict[str, Any]:
        return load_object(body)


def json_response(data: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data), status=status, content_type=constants.SCIM_CONTENT_TYPE)


class ResourceEndpoint(ScimEndpoint):
    """Users and Groups: what django-scim2's GetView, PostView, PutView, PatchView and
    DeleteView do, with the token's school as the only place rows come from."""

    request: HttpRequest
    kwargs: dict[str, Any]
    scim_adapter: Any
    model_cls: Any

    def get_object(self) -> Any:
        uuid = self.kwargs.get("uuid")
        if not uuid:
            raise errors.MethodNotAllowed(
                f"{self.request.method} needs a resource's id in the address, "
                f"for example {self.request.path.rstrip('/')}/123.",
                allow="GET, POST",
            )
        return self.scim_adapter.find(self.request, uuid)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs.get("uuid"):
            raise errors.MethodNotAllowed(
                "POST creates a resource at the collection's address, without an id; "
                "searching with POST (.search) is not supported: use GET with a filter.",
                allow="GET, PUT, PATCH, DELETE",
            )
        response: HttpResponse = super().post(request, *args, **kwargs)  # type: ignore[misc]
        return response

    def patch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        adapter = self.scim_adapter(self.get_object(), request=request)
        operations = patch_operations(self.load_body(request.body))
        with transaction.atomic():
            adapter.handle_operations(operations)
        response = json_response(adapter.to_dict())
        response["Location"] = adapter.location
        return response

    def get_many(self, request: HttpRequest) -> HttpResponse:
        rows: QuerySet[Any] = self.scim_adapter.rows(request)
        query = request.GET.get("filter", "")
        start, count = page(request)
        try:
            if query.strip():
                rows = rows.filter(filter_q(query, self.scim_adapter.fields, what=self.label))
            total = rows.count()
            chosen = list(rows[start - 1 : start - 1 + count]) if count and start <= total else []
        except (ValueError, ValidationError, DatabaseError):  # a value its field cannot hold
            raise errors.invalid_filter(
                f"“{query[:100]}” is not a filter Coachroom can run."
            ) from None
        return json_response(
            {
                "schemas": [constants.SchemaURI.LIST_RESPONSE],
                "totalResults": total,
                "itemsPerPage": len(chosen),
                "startIndex": start,
                "Resources": [self.scim_adapter(row, request=request).to_dict() for row in chosen],
            }
        )

    @property
    def label(self) -> str:
        return str(self.scim_adapter.label)


class UsersView(ResourceEndpoint, scim_views.UsersView):
    """/Users and /Users/{id}: the school's people."""


class GroupsView(ResourceEndpoint, scim_views.GroupsView):
    """/Groups and /Groups/{id}: the school's roles."""


class ServiceProviderConfigView(ScimEndpoint, scim_views.ServiceProviderConfigView):
    pass


class ResourceTypesView(ScimEndpoint, scim_views.ResourceTypesView):
    def get(self, request: HttpRequest, uuid: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if uuid and uuid not in self.type_dict_by_type_id(request):
            raise errors.not_found(f"There is no resource type “{uuid[:40]}”: User or Group.")
        return super().get(request, uuid, *args, **kwargs)


class SchemasView(ScimEndpoint, scim_views.SchemasView):
    def get(self, request: HttpRequest, uuid: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if uuid and uuid not in self.schemas_by_uri:
            raise errors.not_found(f"There is no schema “{uuid[:100]}”.")
        return super().get(request, uuid, *args, **kwargs)


class NotFoundView(ScimEndpoint):
    """Any other address under /scim/v2/ (Bulk, Me, .search…): a SCIM 404, after the token."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def _missing(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise errors.not_found(
            "Coachroom's SCIM endpoint has /Users, /Groups, /ServiceProviderConfig, "
            "/ResourceTypes and /Schemas; bulk operations and /Me are not supported."
        )

    get = post = put = patch = delete = _missing
