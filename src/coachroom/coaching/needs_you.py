"""What needs a coach this week, for the "Needs you" panel on their home page: teachers'
alternative steps to confirm, reflections to read, stick-checks due and sessions to record.

The steps come from the home page's one query for its coachees' steps; reflections cost one
query more (the five newest, with a count of the rest). Nothing here grows with the number of
coachees or of reflections: each list shows its first few and says how many more there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.utils import timezone

from coachroom.accounts.models import User
from coachroom.accounts.viewer import Viewer
from coachroom.coaching import policy
from coachroom.coaching.models import ActionStep, FeedbackMeeting, StepState

SHOWN = 10  # each list shows at most this many; the rest are a click away
REFLECTIONS_SHOWN = 5  # the newest unread reflections; the rest are on their own page


@dataclass
class NeedsYou:
    alternatives: list[ActionStep] = field(default_factory=list)
    more_alternatives: int = 0  # alternatives beyond those shown
    reflections: list[FeedbackMeeting] = field(default_factory=list)
    more_reflections: int = 0  # unread reflections beyond those shown
    stick_checks: list[ActionStep] = field(default_factory=list)
    more_stick_checks: int = 0  # stick-checks due beyond those shown
    sessions: Sequence[Any] = ()  # the programme's overdue sessions, passed in by the home page
    more_sessions: bool = False  # there are overdue sessions beyond those shown
    # pairs Coachroom suggests meet less often, or with a proposal for the coach to answer
    # (scheduling/tapering/), passed in by the home page
    rhythm: Sequence[Any] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.alternatives
            or self.reflections
            or self.stick_checks
            or self.sessions
            or self.rhythm
        )


def end_of_week(today: dt.date) -> dt.date:
    """The Sunday closing `today`'s week."""
    return today + dt.timedelta(days=6 - today.weekday())


def is_alternative_to_confirm(step: ActionStep) -> bool:
    """A step the teacher proposed and agreed on their own device, waiting for the coach."""
    return step.state == StepState.PROPOSED and step.teacher_confirmed and not step.coach_confirmed


def is_stick_check_this_week(step: ActionStep, today: dt.date) -> bool:
    return (
        step.state == StepState.SECURED
        and step.stuck_at is None
        and step.stick_check_due is not None
        and step.stick_check_due <= end_of_week(today)
    )


def unread_reflections(coach: User | Viewer, pair_ids: Iterable[int]) -> QuerySet[FeedbackMeeting]:
    """Reflections the coach's current coachees wrote, or rewrote, since the coach last read,
    newest first. `pair_ids` are the coach's pairs in one school, which places the meetings
    there (filtering on the school as well would steer SQLite to scan the school's meetings)."""
    unread = Q(reflection_read_at__isnull=True) | Q(reflection_read_at__lt=F("reflected_at"))
    return (
        FeedbackMeeting.objects.visible_to(coach)
        .filter(
            unread,
            coach=coach.user if isinstance(coach, Viewer) else coach,
            relationship__in=list(pair_ids),
            reflected_at__isnull=False,
        )
        .select_related("teacher")
        .order_by("-reflected_at", "-pk")
    )


def newest_unread_reflections(
    coach: User | Viewer, pair_ids: Iterable[int]
) -> tuple[list[FeedbackMeeting], int]:
    """The newest few unread reflections and how many more there are, in one query; what was
    written stays in the database (the list shows who and when)."""
    with_total = (
        unread_reflections(coach, pair_ids)
        .defer(*policy.free_text_fields(FeedbackMeeting))
        .annotate(unread_total=Window(Count("pk")))
    )
    newest: list[FeedbackMeeting] = list(with_total[:REFLECTIONS_SHOWN])
    total: int = getattr(newest[0], "unread_total", 0) if newest else 0
    return newest, total - len(newest)


def for_coach(
    *,
    coach: User | Viewer,
    steps: Iterable[ActionStep],
    pair_ids: Iterable[int],
    sessions: Sequence[Any],
    more_sessions: bool = False,
    rhythm: Sequence[Any] = (),
) -> NeedsYou:
    today = timezone.localdate()
    steps = list(steps)
    reflections, more_reflections = newest_unread_reflections(coach, pair_ids)
    alternatives = [s for s in steps if is_alternative_to_confirm(s)]
    stick_checks = sorted(
        (s for s in steps if is_stick_check_this_week(s, today)),
        key=lambda s: (s.stick_check_due, s.pk),
    )
    return NeedsYou(
        alternatives=alternatives[:SHOWN],
        more_alternatives=max(len(alternatives) - SHOWN, 0),
        reflections=reflections,
        more_reflections=more_reflections,
        stick_checks=stick_checks[:SHOWN],
        more_stick_checks=max(len(stick_checks) - SHOWN, 0),
        sessions=sessions,
        more_sessions=more_sessions,
        rhythm=rhythm,
    )
