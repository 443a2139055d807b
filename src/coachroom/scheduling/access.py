"""Who may see and change coaching time. Anything else is a 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from coachroom.accounts.models import CoachingRelationship, Membership, User
from coachroom.accounts.viewer import MemberRequest, coach_school_ids, coached_pairs
from coachroom.core.http import AuthedRequest
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence, SessionQuerySet


def _lead_schools(user: User) -> Q:
    return Q(is_coaching_lead=True) | Q(is_school_admin=True)


def _schools_run_by(user: User) -> list[int]:
    return list(
        Membership.objects.active()
        .filter(user=user)
        .filter(_lead_schools(user))
        .values_list("school_id", flat=True)
    )


def get_pair_for_scheduler(request: MemberRequest, pk: int) -> CoachingRelationship:
    """The pair's coach (while they hold the Coach role there), or a coaching lead or school
    admin of its school."""
    qs = (
        CoachingRelationship.objects.current()
        .filter(school=request.membership.school)
        .filter(
            Q(pk__in=coached_pairs(request.user).values("pk"))
            | Q(school_id__in=_schools_run_by(request.user))
        )
        .select_related("coach", "coachee", "school", "academic_year")
    )
    return get_object_or_404(qs, pk=pk)


def get_slot_for_scheduler(request: MemberRequest, pk: int) -> ScheduledSlot:
    slot = get_object_or_404(
        ScheduledSlot.objects.filter(is_active=True).select_related("relationship"), pk=pk
    )
    get_pair_for_scheduler(request, slot.relationship_id)
    return slot


def _coaching_q(user: User) -> Q:
    """Sessions the person runs as a coach: access ends with the Coach role in the school."""
    return Q(relationship__in=coached_pairs(user).values("pk")) | Q(
        coach=user, school__in=coach_school_ids(user)
    )


def session_queryset(user: User) -> SessionQuerySet:
    schools = Membership.objects.active().filter(user=user).values("school")
    return SessionOccurrence.objects.filter(school__in=schools).filter(
        _coaching_q(user) | Q(relationship__coachee=user) | Q(school_id__in=_schools_run_by(user))
    )


def get_session_for_user(request: AuthedRequest, pk: int) -> SessionOccurrence:
    """The coachee can see their session; coaches and leads can also change it."""
    qs = session_queryset(request.user).select_related(
        "relationship__coach", "relationship__coachee", "coach", "school", "rescheduled_to"
    )
    return get_object_or_404(qs, pk=pk)


def can_manage(session: SessionOccurrence, user: User) -> bool:
    if session.school_id in _schools_run_by(user):
        return True
    return SessionOccurrence.objects.filter(pk=session.pk).filter(_coaching_q(user)).exists()


def get_session_for_manager(request: AuthedRequest, pk: int) -> SessionOccurrence:
    session = get_session_for_user(request, pk)
    if not can_manage(session, request.user):
        raise PermissionDenied("Only the coach or the coaching lead can change this session.")
    return session
