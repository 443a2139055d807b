"""The demo: no one double-booked, and the headline features on show whatever day it loads."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coachroom.coaching.models import ActionStep
from coachroom.demo import load_demo
from coachroom.scheduling.models import SessionOccurrence

LONDON = ZoneInfo("Europe/London")
RACHEL = "rachel.hughes@oakfield.example"


def _overlaps() -> list[tuple[int, SessionOccurrence, SessionOccurrence]]:
    """Pairs of live (planned or held) sessions of one person, in either role, that overlap."""
    mine = defaultdict(list)
    for s in SessionOccurrence.objects.filter(status__in=["planned", "done"]).select_related(
        "relationship"
    ):
        for person in {s.coach_id, s.relationship.coachee_id}:
            mine[person].append(s)
    found = []
    for person, sessions in mine.items():
        sessions.sort(key=lambda s: s.starts_at)
        for a, b in itertools.pairwise(sessions):
            if b.starts_at < a.ends_at:
                found.append((person, a, b))
    return found


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 9, 16, 7, 30, tzinfo=LONDON),  # term time, the year's third week
        dt.datetime(2026, 12, 30, 11, 0, tzinfo=LONDON),  # the Christmas holiday
    ],
    ids=["term-time", "holiday"],
)
def test_the_demo_has_no_clashes_and_shows_its_headline_features(db, moment):
    with time_machine.travel(moment, tick=False):
        load_demo()
        today = moment.date()
        assert _overlaps() == []
        due = [
            s
            for s in ActionStep.objects.filter(relationship__coach__email=RACHEL)
            if s.stick_check_is_due
        ]
        assert [s.stick_check_due for s in due] == [today]
        booked = SessionOccurrence.objects.planned().filter(
            booked_at_meeting__isnull=False, relationship__coach__email=RACHEL
        )
        assert booked.filter(starts_at__date__gt=today).exists()
