"""A term of coaching for alice (coached by bob at Oak), made through the real services so that
steps have histories, drop-ins have evidence and meetings have rounds and a reflection; and the
newer records (learning-walk visits, reviews of coaching, thanks and goals), made the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching import meetings, services
from coachroom.coaching.goals import services as goal_services
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Observation, StepState
from coachroom.leading import walks
from coachroom.leading.models import CoachingReview, Thanks, WalkVisit
from tests.factories import make_step

LONDON = ZoneInfo("Europe/London")
STEP_TITLE = "Pause and scan before the key point"
NOTES = "The back table waited for the recap before starting."
PRAISE = "Your entry routine was crisp: everyone wrote within a minute."
REFLECTION = "The pause felt long to me but the room settled."
ROUND = "Paused, scanned left to right, then gave the key point"

WALK_FOCUS = "Calm, quick starts"
WALK_SEEN = "Every pupil was writing within a minute of the bell."
WALK_NOTE = "The recap question on the board did the settling for you."
WALK_STEP = "Ready-to-learn entry"
REVIEW_NOTES = "Your praise was precise. Next: let the teacher rehearse twice before moving on."
REVIEW_STEP = "Ask before you tell"
THANKS_MESSAGE = "Thank you for the rehearsal before my Year 8 lesson."
GOAL_STATEMENT = "By February half-term, 80% of the class answer the hinge question correctly."
GOAL_MEASURE = "Share of pupils answering the hinge question correctly"
GOAL_METHOD = "Mini-whiteboards on the hinge question, tallied at the end of the lesson"
READING_NOTE = "After the second drop-in on the recap"
# The rubric rated: precise praise seen, one observable step partly, the rest not yet.
RUBRIC_RATINGS = {item.key: "not_yet" for item in walks.MEETING_RUBRIC} | {
    "praise": "seen",
    "one_step": "partly",
}


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
        meeting = meetings.meeting_record(
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
        meetings.meeting_reflect(meeting=meeting, by=teacher, reflection=REFLECTION)
        step.refresh_from_db()
        services.step_pause(step=step, by=coach, reason="Mock exams for two weeks")
    step.refresh_from_db()
    observation.refresh_from_db()
    meeting.refresh_from_db()
    return History(step=step, observation=observation, meeting=meeting)


def _at(on: dt.date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(on, dt.time(hour), tzinfo=LONDON), tick=False)


def make_walk_visit(
    *,
    school: School,
    leader: User,
    pair: CoachingRelationship | None = None,
    teacher: User | None = None,
    on: dt.date = dt.date(2026, 10, 6),
    note: str = WALK_NOTE,
) -> WalkVisit:
    """`leader` walks on `on` and visits the pair's teacher, seeing their secured step; or,
    given a `teacher` with no coach, visits them and looks for no step."""
    sightings = {}
    if pair is not None:
        teacher = pair.coachee
        secured = dt.datetime.combine(on, dt.time(8), tzinfo=LONDON)
        step = make_step(pair, state=StepState.SECURED, title=WALK_STEP, secured_at=secured)
        sightings[step.pk] = "seen"
    assert teacher is not None, "give a pair or a teacher"
    with _at(on):
        walk = walks.walk_plan(school=school, by=leader, walked_on=on, focus=WALK_FOCUS)
        return walks.walk_record_visit(
            walk=walk,
            by=leader,
            teacher=teacher,
            focus_seen="seen",
            what_seen=WALK_SEEN,
            note=note,
            sightings=sightings,
        )


def make_review(
    *,
    school: School,
    lead: User,
    coach: User,
    reviewer: User,
    on: dt.date = dt.date(2026, 10, 7),
    new_step: bool = True,
) -> CoachingReview:
    """`lead` arranges, and `reviewer` writes, a review of `coach`'s coaching, giving them a
    development step (or, with `new_step` False, keeping their current one)."""
    with _at(on):
        review = walks.review_assign(school=school, by=lead, coach=coach, reviewer=reviewer)
        return walks.review_complete(
            review=review,
            by=reviewer,
            mode="live",
            ratings=RUBRIC_RATINGS,
            notes=REVIEW_NOTES,
            held_on=on,
            step=services.StepDraft(REVIEW_STEP, "Ask what they noticed first")
            if new_step
            else None,
        )


def make_thanks(
    pair: CoachingRelationship, *, on: dt.date = dt.date(2026, 10, 8), message: str = THANKS_MESSAGE
) -> Thanks:
    with _at(on):
        return walks.thanks_send(relationship=pair, by=pair.coachee, message=message)


@dataclass
class GoalWithReading:
    goal: Goal
    reading: GoalReading


def make_goal(pair: CoachingRelationship, *, on: dt.date = dt.date(2026, 10, 9)) -> GoalWithReading:
    """The pair's teacher sets a measured goal, linked to nothing, and takes one reading."""
    with _at(on):
        goal = goal_services.goal_create(
            relationship=pair,
            by=pair.coachee,
            statement=GOAL_STATEMENT,
            focus=Goal.Focus.STUDENT,
            phase=Goal.Phase.IMPROVE,
            priority=None,
            measure=GOAL_MEASURE,
            unit=Goal.Unit.PERCENT,
            baseline=Decimal(40),
            target=Decimal(80),
            method=GOAL_METHOD,
            target_date=dt.date(2027, 2, 12),
            steps=(),
        )
        reading = goal_services.goal_reading_add(
            goal=goal, by=pair.coachee, taken_on=on, value=Decimal(45), note=READING_NOTE
        )
    return GoalWithReading(goal=goal, reading=reading)
