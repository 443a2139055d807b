"""The steps and meetings a person may tag. Reads go through coaching's access getters (and so
through `visible_to`): a record the person may not see is a 404; one they may see but not tag
(the teacher, a coaching lead) is a 403. Only the coach of the record's current ECT-mentoring
pair (the mentor) tags it: the framework is the mentor's way to plan the ECT's entitlement, and
the ECT sees every tag."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from coachroom.accounts.models import CoachingRelationship
from coachroom.accounts.viewer import viewer_of
from coachroom.coaching import policy
from coachroom.coaching.access import get_meeting_for_user, get_step_for_user
from coachroom.coaching.models import ActionStep, FeedbackMeeting, StepState
from coachroom.core.http import AuthedRequest


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
