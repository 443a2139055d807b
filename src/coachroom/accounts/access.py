"""Who may reach which school's pages. Views call these; they never filter by hand.

A person from another school gets the same 404 as for a row that does not exist; a member of
the school without the role for a page gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from coachroom.accounts.models import AcademicYear, CoachingRelationship, Membership, Role
from coachroom.accounts.viewer import SESSION_KEY as SESSION_KEY
from coachroom.accounts.viewer import MemberRequest, viewer_of
from coachroom.accounts.viewer import memberships_of as memberships_of

P = ParamSpec("P")


def current_membership(request: HttpRequest) -> Membership | None:
    return viewer_of(request).membership


def choose_school(request: HttpRequest, school_id: int) -> Membership:
    for membership in memberships_of(request.user):
        if membership.school_id == school_id:
            request.session[SESSION_KEY] = school_id
            return membership
    raise Http404("No such school.")


def member_required(
    *roles: Role,
) -> Callable[
    [Callable[Concatenate[MemberRequest, P], HttpResponse]],
    Callable[Concatenate[HttpRequest, P], HttpResponse],
]:
    """Require a current school; with roles, require at least one of them there (else 403).

    The view receives a `MemberRequest`: its `membership` (the current school) and `viewer` are
    set. The roles are recorded on the view as `required_roles`, read by links to the page
    (reporting/tools.py) so no one is offered a page they may not open; functools.wraps carries
    them through the decorators stacked above this one.
    """

    def decorator(
        view: Callable[Concatenate[MemberRequest, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            viewer = viewer_of(request)
            membership = viewer.membership
            if membership is None:
                raise PermissionDenied("You are not a member of a school in Coachroom yet.")
            if roles and not any(membership.has_role(role) for role in roles):
                raise PermissionDenied("Your role in this school does not include this page.")
            member = cast(MemberRequest, request)
            member.membership = membership
            member.viewer = viewer
            return view(member, *args, **kwargs)

        wrapped.__dict__["required_roles"] = roles
        return wrapped

    return decorator


def get_staff_membership_for_admin(request: MemberRequest, pk: int) -> Membership:
    """A membership in the admin's current school; anything else is a 404."""
    qs = Membership.objects.for_school(request.membership.school).select_related("user")
    return get_object_or_404(qs, pk=pk)


def get_relationship_for_lead(request: MemberRequest, pk: int) -> CoachingRelationship:
    qs = CoachingRelationship.objects.for_school(request.membership.school).select_related(
        "coach", "coachee", "academic_year"
    )
    return get_object_or_404(qs, pk=pk)


def get_year_for_admin(request: MemberRequest, pk: int) -> AcademicYear:
    qs = AcademicYear.objects.filter(school=request.membership.school)
    return get_object_or_404(qs, pk=pk)
