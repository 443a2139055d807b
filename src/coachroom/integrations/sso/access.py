"""Who may set up single sign-on: a trust's admins, for that trust's providers only.

Someone who administers no trust gets 403 on the list; a provider or trust that is not theirs
is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from coachroom.accounts.models import Trust
from coachroom.core.http import AuthedRequest
from coachroom.integrations.sso.models import IdentityProvider


def administered_trusts(request: AuthedRequest) -> QuerySet[Trust]:
    return Trust.objects.filter(admins=request.user).order_by("name", "pk")


def trusts_for_admin(request: AuthedRequest) -> list[Trust]:
    trusts = list(administered_trusts(request))
    if not trusts:
        raise PermissionDenied("Only a trust admin can set up sign-in with Microsoft or Google.")
    return trusts


def get_trust_for_admin(request: AuthedRequest, pk: int) -> Trust:
    return get_object_or_404(administered_trusts(request), pk=pk)


def get_provider_for_admin(request: AuthedRequest, pk: int) -> IdentityProvider:
    qs = IdentityProvider.objects.for_trusts_of(request.user).select_related("trust", "school")
    return get_object_or_404(qs, pk=pk)
