"""The coach's full list of reflections to read; the home page's "Needs you" shows the newest."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from coachroom.accounts.access import school_member_required
from coachroom.accounts.models import CoachingRelationship, Role
from coachroom.coaching import needs_you
from coachroom.core.http import AuthedRequest


@school_member_required(Role.COACH)
def reflections(request: AuthedRequest) -> HttpResponse:
    """Every reflection the coach's current coachees wrote since the coach last read it, newest
    first; opening a meeting marks its reflection read."""
    school = request.membership.school
    pair_ids = (
        CoachingRelationship.objects.for_school(school)
        .current()
        .filter(coach=request.user)
        .values_list("pk", flat=True)
    )
    unread = needs_you.unread_reflections(school, request.user, pair_ids)
    return render(request, "coaching/reflections.html", {"reflections": unread})
