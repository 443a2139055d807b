"""The coach's full list of reflections to read; the home page's "Needs you" shows the newest."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachroom.accounts.access import member_required
from coachroom.accounts.models import Role
from coachroom.accounts.viewer import MemberRequest, coached_pairs
from coachroom.coaching import needs_you


@require_GET
@member_required(Role.COACH)
def reflections(request: MemberRequest) -> HttpResponse:
    """Every reflection the coach's current coachees wrote since the coach last read it, newest
    first; opening a meeting marks its reflection read."""
    school = request.membership.school
    # Only pairs the person coaches with the Coach role: access ends when the role does.
    pair_ids = coached_pairs(request.user).filter(school=school).values_list("pk", flat=True)
    unread = needs_you.unread_reflections(request.user, pair_ids)
    return render(request, "coaching/reflections.html", {"reflections": unread})
