"""Finding coaching records for the signed-in person. Anything they may not see is a 404."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coachroom.accounts.access import current_membership
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.accounts.viewer import coached_pairs, viewer_of
from coachroom.coaching import policy
from coachroom.coaching.models import DRAFT_PUBLISH_DAYS, ActionStep, FeedbackMeeting, Observation
from coachroom.core.http import AuthedRequest


def get_pair_for_coach(request: AuthedRequest, pk: int) -> CoachingRelationship:
    """A current pair in which the signed-in person is the coach, and still holds the Coach
    role in the pair's school."""
    if pk not in viewer_of(request).coached_pair_ids:
        raise Http404("No such pair.")
    qs = CoachingRelationship.objects.select_related("school", "coachee", "coach")
    return get_object_or_404(qs, pk=pk)


def teacher_may_see_observation(observation: Observation) -> bool:
    """Submitted drop-ins per the school's setting; drafts once they auto-publish."""
    if observation.is_draft:
        cutoff = timezone.now() - dt.timedelta(days=DRAFT_PUBLISH_DAYS)
        return observation.created_at <= cutoff
    if observation.school.drop_in_visibility == School.DropInVisibility.AFTER_MEETING:
        count = getattr(observation, "meeting_count", None)  # annotated on list pages
        return bool(count) if count is not None else observation.meetings.exists()
    return True


def teacher_may_see_q(school: School) -> Q:
    """`teacher_may_see_observation` as a filter, for the drop-ins of one school in a list."""
    cutoff = timezone.now() - dt.timedelta(days=DRAFT_PUBLISH_DAYS)
    drafts = Q(status=Observation.Status.DRAFT, created_at__lte=cutoff)
    submitted = Q(status=Observation.Status.SUBMITTED)
    if school.drop_in_visibility == School.DropInVisibility.AFTER_MEETING:
        meetings = FeedbackMeeting.observations.through.objects.filter(observation=OuterRef("pk"))
        submitted &= Q(Exists(meetings))
    return drafts | submitted


def get_observation_for_user(request: AuthedRequest, pk: int) -> Observation:
    qs = Observation.objects.visible_to(request.user).select_related(
        "school", "teacher", "observer", "relationship"
    )
    observation = get_object_or_404(qs, pk=pk)
    is_teacher = observation.teacher_id == request.user.pk
    own_draft = observation.observer_id == request.user.pk
    if is_teacher and not own_draft and not teacher_may_see_observation(observation):
        raise Http404("Not published yet.")
    return observation


def get_drop_in_for_observer(request: AuthedRequest, pk: int) -> Observation:
    """A drop-in the signed-in person observes, draft or submitted, in one read. A draft is
    theirs to edit only while they hold the Coach role in its school and the pair is current
    (otherwise 404); the caller sends a submitted one to its page."""
    viewer = viewer_of(request)
    qs = (
        Observation.objects.visible_to(viewer)
        .filter(observer=request.user)
        .select_related("school", "teacher", "relationship")
    )
    observation = get_object_or_404(qs, pk=pk)
    if observation.is_draft and (
        observation.school_id not in viewer.coach_school_ids
        or not observation.relationship.is_current
    ):
        raise Http404("This drop-in can't be edited.")
    return observation


def get_own_observation(request: AuthedRequest, pk: int) -> Observation:
    """A drop-in the signed-in person observes, draft or submitted; a draft whose pair has
    ended is a 404, as on its edit page."""
    qs = (
        Observation.objects.visible_to(viewer_of(request))
        .filter(observer=request.user)
        .select_related("school", "teacher", "relationship")
    )
    observation = get_object_or_404(qs, pk=pk)
    if observation.is_draft and not observation.relationship.is_current:
        raise Http404("This coaching pair has ended.")
    return observation


def get_meeting_for_user(request: AuthedRequest, pk: int) -> FeedbackMeeting:
    qs = FeedbackMeeting.objects.visible_to(request.user).select_related(
        "school", "teacher", "coach", "step", "relationship"
    )
    return get_object_or_404(qs, pk=pk)


def get_step_for_user(request: AuthedRequest, pk: int) -> ActionStep:
    qs = ActionStep.objects.visible_to(request.user).select_related(
        "school", "teacher", "proposed_by", "relationship", "relationship__coach", "library_step"
    )
    return get_object_or_404(qs, pk=pk)


def get_step_for_party(request: AuthedRequest, pk: int) -> ActionStep:
    """A step the signed-in person may act on: its teacher, or the coach of its pair."""
    step = get_step_for_user(request, pk)
    user = request.user
    if user.pk != step.teacher_id and not policy.coaches_pair(user, step.relationship):
        raise Http404("No such step.")
    return step


def get_teacher_for_timeline(
    request: AuthedRequest, pk: int, *, leads_need_full_access: bool = False
) -> tuple[User, School]:
    """The teacher and school whose records the viewer may open.

    The teacher themselves; a current coach of theirs; a coaching lead of their school
    (with `leads_need_full_access`, only where the school lets leads read every record); or the
    induction tutor an ECT shares their mentoring with. What each sees is then filtered by the
    privacy rule.
    """
    viewer = request.user
    if viewer.pk == pk:
        # Their own timeline: the current school's, as chosen in the session (README, "Which
        # school"), from the memberships this request has already loaded.
        current = current_membership(request)
        if current is None:
            raise Http404("No such teacher.")
        return viewer, current.school
    mine = Membership.objects.active().filter(user=viewer)
    coaching = coached_pairs(viewer).filter(coachee_id=pk)
    leads = mine.filter(is_coaching_lead=True)
    if leads_need_full_access:
        leads = leads.filter(school__lead_note_access=School.LeadNoteAccess.ALL)
    lead_schools = leads.values("school")
    shared_with_me = Q(
        user__inductions__school=F("school"),
        user__inductions__tutor=viewer,
        user__inductions__mentor_notes_shared=True,
        school__in=mine.filter(is_induction_tutor=True).values("school"),
    )
    membership = (
        Membership.objects.filter(user_id=pk, school__in=mine.values("school"))
        .filter(
            Q(user=viewer)
            | Q(school__in=coaching.values("school"))
            | Q(school__in=lead_schools)
            | shared_with_me
        )
        .select_related("user", "school")
        .order_by("-is_active", "pk")
        .first()
    )
    if membership is None:
        raise Http404("No such teacher.")
    return membership.user, membership.school
