"""What a person may do with an action step, decided once: the step page, the home page's rows
and the review page show these and never work them out in a template."""

from __future__ import annotations

from dataclasses import dataclass

from coachroom.accounts.models import User
from coachroom.coaching.models import ActionStep, StepState

_PAUSABLE = (StepState.AGREED, StepState.PRACTISING, StepState.REOPENED)
_WITHDRAWABLE = (StepState.PROPOSED, *_PAUSABLE)
# A teacher reviews a lesson against a step being practised, or one secured (before its
# stick-check): `selfreview.services.REVIEWABLE`.
SELF_REVIEWABLE = (*_PAUSABLE, StepState.SECURED)


@dataclass(frozen=True)
class StepActions:
    step: ActionStep
    is_teacher: bool  # the step is this person's own
    is_coach: bool  # this person coaches the teacher in a current pair
    can_agree: bool  # agree (the teacher) or confirm (the coach) a proposed step
    can_counter: bool  # suggest a different step instead
    can_try: bool  # mark an agreed step as tried in a lesson
    can_pause: bool
    can_resume: bool
    can_withdraw: bool
    can_reopen: bool
    can_self_review: bool  # review one of their lessons against it (coaching/selfreview/)

    @property
    def proposed_by_them(self) -> bool:
        """The teacher proposed their own step (the coach noted it down)."""
        return self.step.proposed_by_id == self.step.teacher_id


def step_actions(step: ActionStep, user: User) -> StepActions:
    is_teacher = step.teacher_id == user.pk
    is_coach = step.relationship.coach_id == user.pk and step.relationship.is_current
    party = is_teacher or is_coach
    proposed = step.state == StepState.PROPOSED
    return StepActions(
        step=step,
        is_teacher=is_teacher,
        is_coach=is_coach,
        can_agree=proposed
        and (
            (is_teacher and not step.teacher_confirmed) or (is_coach and not step.coach_confirmed)
        ),
        can_counter=is_teacher and proposed,
        can_try=is_teacher and step.state in (StepState.AGREED, StepState.REOPENED),
        can_pause=party and step.state in _PAUSABLE,
        can_resume=party and step.state == StepState.PAUSED,
        can_withdraw=party and step.state in _WITHDRAWABLE,
        can_reopen=party and step.state == StepState.SECURED,
        can_self_review=is_teacher
        and step.state in SELF_REVIEWABLE
        and step.relationship.is_current,
    )
