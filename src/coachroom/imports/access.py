"""Who may reach which import: school admins, for their current school's runs only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from coachroom.accounts.viewer import MemberRequest
from coachroom.imports.models import ImportRun


def get_run_for_admin(request: MemberRequest, pk: int) -> ImportRun:
    """A run in the admin's current school; another school's run is a 404, as if missing."""
    qs = (
        ImportRun.objects.for_school(request.membership.school)
        .select_related("upload")
        .defer("upload__content")
    )
    return get_object_or_404(qs, pk=pk)
