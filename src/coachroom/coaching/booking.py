"""The next drop-in a feedback meeting books.

Sessions live in the scheduling app, above coaching, so it registers how to suggest and book a
drop-in here, in its `AppConfig.ready()`. With nothing registered (coaching on its own), a
meeting keeps only the date of its next drop-in.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from coachroom.accounts.models import CoachingRelationship, User
    from coachroom.coaching.models import FeedbackMeeting


class NextDropInBooker(Protocol):
    def suggest(self, relationship: CoachingRelationship) -> dt.datetime | None:
        """The default time: the first free one within seven school days."""

    def book(
        self, *, meeting: FeedbackMeeting, by: User, starts_at: dt.datetime, override_reason: str
    ) -> None:
        """Book the drop-in, or raise `ClashError` if anyone involved is busy then."""


_bookers: list[NextDropInBooker] = []


def register(booker: NextDropInBooker) -> None:
    if not any(type(b) is type(booker) for b in _bookers):
        _bookers.append(booker)


def suggest(relationship: CoachingRelationship) -> dt.datetime | None:
    for booker in _bookers:
        found = booker.suggest(relationship)
        if found is not None:
            return found
    return None


def book(
    *, meeting: FeedbackMeeting, by: User, starts_at: dt.datetime, override_reason: str = ""
) -> None:
    for booker in _bookers:
        booker.book(meeting=meeting, by=by, starts_at=starts_at, override_reason=override_reason)
