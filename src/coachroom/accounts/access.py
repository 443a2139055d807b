"""Who may reach which school's pages. Views call these; they never filter by hand.

A person from another school gets the same 404 as for a row that does not exist; a member of
the school without the role for a page gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from coachroom.accounts.models import AcademicYear, CoachingRelationship, Membership, Role, User
from coachroom.core.http import AuthedRequest

SESSION_KEY = "coachroom_school_id"
View = TypeVar("View", bound=Callable[..., HttpResponse])


def memberships_of(user: Any) -> list[Membership]:
    """The signed-in person's active memberships, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_coachroom_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("school", "school__trust")
            .order_by("school__name")
        )
        user._coachroom_memberships = cached
    return cast(list[Membership], cached)


def current_membership(request: HttpRequest) -> Membership | None:
    memberships = memberships_of(request.user)
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.school_id == chosen:
            return membership
    return memberships[0]


def choose_school(request: HttpRequest, school_id: int) -> Membership:
    for membership in memberships_of(request.user):
        if membership.school_id == school_id:
            request.session[SESSION_KEY] = school_id
            return membership
    raise Http404("No such school.")


def school_member_required(*roles: Role) -> Callable[[View], View]:
    """Require a current school; with roles, require at least one of them there (else 403)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = current_membership(request)
            if membership is None:
                raise PermissionDenied("You are not a member of a school in Coachroom yet.")
            if roles and not any(membership.has_role(role) for role in roles):
                raise PermissionDenied("Your role in this school does not include this page.")
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        # Read by links to the page (reporting/tools.py), so no one is offered a page they may not
        # open. functools.wraps carries it through the decorators stacked above this one.
        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator


def get_staff_membership_for_admin(request: AuthedRequest, pk: int) -> Membership:
    """A membership in the admin's current school; anything else is a 404."""
    qs = Membership.objects.for_school(request.membership.school).select_related("user")
    return get_object_or_404(qs, pk=pk)


def get_relationship_for_lead(request: AuthedRequest, pk: int) -> CoachingRelationship:
    qs = CoachingRelationship.objects.for_school(request.membership.school).select_related(
        "coach", "coachee", "academic_year"
    )
    return get_object_or_404(qs, pk=pk)


def get_year_for_admin(request: AuthedRequest, pk: int) -> AcademicYear:
    qs = AcademicYear.objects.filter(school=request.membership.school)
    return get_object_or_404(qs, pk=pk)


def staff_choices(request: AuthedRequest, role: Role) -> list[User]:
    memberships = (
        Membership.objects.active()
        .for_school(request.membership.school)
        .with_role(role)
        .select_related("user")
    )
    return [m.user for m in memberships]
