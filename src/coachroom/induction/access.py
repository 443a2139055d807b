"""Who may open what in induction.

Framework tags: the steps and meetings a person may tag. Reads go through coaching's access
getters (and so through `visible_to`): a record the person may not see is a 404; one they may
see but not tag (the teacher, a coaching lead) is a 403. Only the coach of the record's
current ECT-mentoring pair (the mentor) tags it: the framework is the mentor's way to plan the
ECT's entitlement, and the ECT sees every tag.

Set-up: school admins, senior leaders and induction tutors of the induction's school manage it
(`get_induction_to_manage`); the ECT reads their own (`own_induction`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from coachroom.accounts.models import CoachingRelationship, Role
from coachroom.accounts.viewer import MemberRequest, Viewer, viewer_of
from coachroom.coaching import policy
from coachroom.coaching.access import get_meeting_for_user, get_step_for_user
from coachroom.coaching.models import ActionStep, FeedbackMeeting, StepState
from coachroom.core.http import AuthedRequest
from coachroom.induction.models import Induction, InductionAbsence


def may_tag(request: AuthedRequest, relationship: CoachingRelationship) -> bool:
    """The coach of this current ECT-mentoring pair (the framework is the ECT's entitlement;
    other pairs keep any tags they have, read-only)."""
    return relationship.kind == CoachingRelationship.Kind.ECF and policy.coaches_pair(
        viewer_of(request), relationship
    )


def get_step_for_tagging(request: AuthedRequest, pk: int) -> ActionStep:
    step = get_step_for_user(request, pk)
    if not may_tag(request, step.relationship) or step.state == StepState.ARCHIVED:
        raise PermissionDenied("Only the ECT's mentor tags a step.")
    return step


def get_meeting_for_tagging(request: AuthedRequest, pk: int) -> FeedbackMeeting:
    meeting = get_meeting_for_user(request, pk)
    if not may_tag(request, meeting.relationship):
        raise PermissionDenied("Only the ECT's mentor tags a meeting.")
    return meeting


# Who runs induction in a school: they set it up, and (later) hold its reviews. Mentors are not
# among them: the mentor coaches and never assesses.
INDUCTION_MANAGERS = (Role.SCHOOL_ADMIN, Role.SENIOR_LEADER, Role.INDUCTION_TUTOR)


def manages_induction(viewer: Viewer, school_id: int) -> bool:
    return any(viewer.has_role(role, school_id) for role in INDUCTION_MANAGERS)


def get_induction_to_manage(request: AuthedRequest, pk: int) -> Induction:
    """An induction in any of the viewer's schools where they run induction: 404 from other
    schools, 403 for members of the school without one of those roles."""
    viewer = viewer_of(request)
    induction = get_object_or_404(
        Induction.objects.select_related("school", "ect", "mentor", "tutor"),
        pk=pk,
        school_id__in=viewer.school_ids,
    )
    if not manages_induction(viewer, induction.school_id):
        raise PermissionDenied("Induction is run by the induction tutor and senior leaders.")
    return induction


def get_absence_to_manage(request: AuthedRequest, pk: int, absence_pk: int) -> InductionAbsence:
    induction = get_induction_to_manage(request, pk)
    return get_object_or_404(InductionAbsence, pk=absence_pk, induction=induction)


def own_induction(request: MemberRequest) -> Induction | None:
    """The signed-in ECT's induction at their current school, if it has been set up."""
    return (
        Induction.objects.select_related("school", "ect", "mentor", "tutor")
        .filter(school=request.membership.school, ect=request.user)
        .first()
    )
