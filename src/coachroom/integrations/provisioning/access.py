"""Who may reach which token: school admins, for their current school's tokens only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from coachroom.accounts.viewer import MemberRequest
from coachroom.integrations.provisioning.models import ScimToken


def get_token_for_admin(request: MemberRequest, pk: int) -> ScimToken:
    """An unrevoked token of the admin's current school; anything else is a 404."""
    qs = ScimToken.objects.active().for_school(request.membership.school)
    return get_object_or_404(qs, pk=pk)
