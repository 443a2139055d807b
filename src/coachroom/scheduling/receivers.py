"""Count a session as held when its drop-in or meeting is recorded; revoke a person's
calendar address when their password is reset or their email changes."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from coachroom.accounts.models import User
from coachroom.accounts.signals import credentials_changed
from coachroom.coaching.models import FeedbackMeeting, Observation
from coachroom.coaching.signals import meeting_held, observation_submitted
from coachroom.scheduling.models import CalendarFeed, SessionKind
from coachroom.scheduling.services import fulfil_session


@receiver(observation_submitted)
def observation_fulfils_session(sender: Any, observation: Observation, by: Any, **_: Any) -> None:
    fulfil_session(
        relationship=observation.relationship,
        kind=SessionKind.DROP_IN,
        at=observation.observed_at,
        by=by,
        observation=observation,
    )


@receiver(meeting_held)
def meeting_fulfils_session(sender: Any, meeting: FeedbackMeeting, by: Any, **_: Any) -> None:
    fulfil_session(
        relationship=meeting.relationship,
        kind=SessionKind.MEETING,
        at=meeting.held_at,
        by=by,
        meeting=meeting,
    )


@receiver(credentials_changed)
def revoke_calendar_feed(sender: Any, user: User, **_: Any) -> None:
    """The old secret calendar address stops working; the person can copy the new one."""
    for feed in CalendarFeed.objects.filter(user=user):
        feed.regenerate()
