"""A term of coaching for alice (coached by bob at Oak), made through the real services so that
steps have histories, drop-ins have evidence and meetings have rounds and a reflection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coachroom.coaching import services
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Observation

LONDON = ZoneInfo("Europe/London")
STEP_TITLE = "Pause and scan before the key point"
NOTES = "The back table waited for the recap before starting."
PRAISE = "Your entry routine was crisp: everyone wrote within a minute."
REFLECTION = "The pause felt long to me but the room settled."
ROUND = "Paused, scanned left to right, then gave the key point"


@dataclass
class History:
    step: ActionStep
    observation: Observation
    meeting: FeedbackMeeting


def make_history(pair, *, on: dt.date = dt.date(2026, 10, 5)) -> History:
    """Propose, agree, observe, meet, rehearse, reflect and pause (with a reason), on `on`."""
    coach, teacher = pair.coach, pair.coachee
    with time_machine.travel(dt.datetime.combine(on, dt.time(9), tzinfo=LONDON), tick=False):
        step = services.step_propose(
            relationship=pair,
            by=coach,
            draft=services.StepDraft(STEP_TITLE, "Stops talking\nScans the whole room"),
        )
        services.step_confirm(step=step, by=teacher)
        observation = services.observation_start(relationship=pair, by=coach)
        services.observation_submit(
            observation=observation,
            by=coach,
            ratings={step.pk: "partly"},
            went_well="Calm, quick start",
            notes=NOTES,
            suggested_focus="Scanning before the key point",
            video_url="https://video.example/clip",
            year_group="Year 8",
            subject="Maths",
        )
        meeting = services.meeting_record(
            relationship=pair,
            by=coach,
            praise=PRAISE,
            decision="continue",
            rounds=[(ROUND, "Hold the pause a second longer")],
            step_review="Partly there: the scan was quick.",
            modelling="I modelled a three-second pause.",
            plan="Period 3, Year 8, before ratios.",
            observations=[observation],
        )
        services.meeting_reflect(meeting=meeting, by=teacher, reflection=REFLECTION)
        step.refresh_from_db()
        services.step_pause(step=step, by=coach, reason="Mock exams for two weeks")
    step.refresh_from_db()
    observation.refresh_from_db()
    meeting.refresh_from_db()
    return History(step=step, observation=observation, meeting=meeting)


@pytest.fixture
def history(pairing) -> History:
    return make_history(pairing)
