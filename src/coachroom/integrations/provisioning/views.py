"""The Staff provisioning page: a school admin makes and revokes the tokens the school's
directory uses for SCIM, and sees what the directory has linked."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from coachroom.accounts.access import member_required
from coachroom.accounts.models import Role
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import DomainError
from coachroom.integrations.provisioning import services
from coachroom.integrations.provisioning.access import get_token_for_admin
from coachroom.integrations.provisioning.forms import TokenCreateForm
from coachroom.integrations.provisioning.models import ScimGroup, ScimPerson, ScimToken
from coachroom.integrations.provisioning.roles import GROUPS, RoleGroup

ADMIN = Role.SCHOOL_ADMIN


@dataclass(frozen=True)
class NewToken:
    token: ScimToken
    secret: str  # shown on this one response, never stored


@dataclass(frozen=True)
class GroupRow:
    group: RoleGroup
    linked_to: str  # the directory group's name, or "" when none is linked


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
def tokens(request: MemberRequest) -> HttpResponse:
    """The page, and making a token: the new token is shown on the response to the POST and
    nowhere else (no redirect that would have to carry it)."""
    school = request.membership.school
    form = TokenCreateForm(request.POST or None, school=school)
    created = None
    if form.is_valid():
        try:
            token, secret = services.scim_token_create(
                school=school, by=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            form.add_error("name", str(error))
        else:
            created = NewToken(token, secret)
            form = TokenCreateForm(school=school)
    linked = {
        g.role: g.display_name
        for g in ScimGroup.objects.filter(school=school, linked_at__isnull=False)
    }
    context = {
        "school": school,
        "form": form,
        "created": created,
        "tokens": ScimToken.objects.active().for_school(school).select_related("created_by"),
        "scim_url": request.build_absolute_uri(reverse("scim:root")),
        "groups": [GroupRow(g, linked.get(g.key, "")) for g in GROUPS],
        "teachers_linked": Role.TEACHER.value in linked,
        "linked_people": ScimPerson.objects.filter(school=school).exclude(external_id="").count(),
    }
    return render(request, "integrations/provisioning/tokens.html", context)


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
def token_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    token = get_token_for_admin(request, pk)
    if request.method == "POST":
        services.scim_token_revoke(token=token, by=request.user)
        messages.success(
            request,
            f"The token “{token.name}” has been revoked: your directory can no longer use it.",
        )
        return redirect("provisioning:tokens")
    return render(request, "integrations/provisioning/token_revoke.html", {"token": token})
