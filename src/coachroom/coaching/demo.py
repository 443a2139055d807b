"""A term of coaching for the demo trust: weekly drop-ins and meetings, steps in every state.

The history is made through the real services under a demo clock, so every transition,
streak and stick-check is exactly what the product would have recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, Term
from coachroom.coaching import meetings, services
from coachroom.coaching.models import FeedbackMeeting, Observation, StepState
from coachroom.core.demo import DemoContext
from coachroom.library.models import LibraryStep

LONDON = ZoneInfo("Europe/London")


@contextmanager
def demo_clock(day: dt.date, hour: int, minute: int = 0) -> Iterator[None]:
    moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


@dataclass(frozen=True)
class Script:
    """One pair's term. `weeks`: a letter per school week, in order.

    x the first drop-in (nothing to look for yet), S seen, P partly, N not yet,
    O no opportunity, - no drop-in that week.
    """

    weeks: str
    sticks: bool = True  # what the stick-check finds
    ending: str = ""  # "propose" | "pause" | "withdraw" | "counter"


SCRIPTS = [
    Script("xSSPSS-SSS", sticks=True),  # the first step sticks at its stick-check
    Script("xSS-SPSSSS", sticks=False),  # secured early, then slipped at the stick-check
    Script("xPNPSSPSSP"),
    Script("xSS-SPSS", ending="propose"),
    Script("xOPSS-SPS", ending="pause"),
    Script("xPSS-SSP", ending="counter"),
    Script("xSPNP-S", ending="withdraw"),
]
RATINGS = {"x": "no_opportunity", "S": "seen", "P": "partly", "N": "not_yet", "O": "no_opportunity"}
PRAISE = [
    "Your instructions were short and complete: every pupil started within a minute.",
    "You waited for silence before the key point, and it worked: all eyes on the board.",
    "The recap questions on the board had everyone writing as they came in.",
    "You named two pupils doing the task well, and the rest of the room followed.",
    "Your explanation came in two clear chunks, each with a question everyone answered.",
    "You circulated to the back table first and caught the misconception early.",
]
NOTES = [
    "Back two tables took longer to settle; the pupil by the window needed a second prompt.",
    "Mini-whiteboards up together on the second question; three boards showed the same error.",
    "Pace dropped during the worked example; the front row finished and waited.",
    "Transitions to group work took about 90 seconds; equipment was already out.",
    "Most pupils answered the hinge question correctly; a group near the door did not.",
]
REFLECTIONS = [
    "Rehearsing it out loud helped. I'll try it with Year 9 on Thursday.",
    "I hadn't noticed how long I talk before the first question. Trying the pause tomorrow.",
    "Useful. The model made it concrete; I'll script my first instruction.",
    "I want to keep going with this one: it is nearly there.",
]


def _school_weeks(terms: list[Term], until: dt.date) -> list[dt.date]:
    """The Monday of every school week from the first term up to last week."""
    weeks = []
    for term in terms:
        monday = term.starts_on - dt.timedelta(days=term.starts_on.weekday())
        while monday <= term.ends_on and monday + dt.timedelta(days=4) < until:
            if monday + dt.timedelta(days=1) >= term.starts_on:
                weeks.append(monday)
            monday += dt.timedelta(days=7)
    return weeks


def _library_steps(ctx: DemoContext) -> list[LibraryStep]:
    return list(LibraryStep.objects.starter().order_by("strand__order", "key")[:60:5])


def load(ctx: DemoContext) -> None:
    library = _library_steps(ctx)
    today = timezone.localdate()
    pairs = CoachingRelationship.objects.select_related(
        "school", "coach", "coachee", "academic_year"
    ).order_by("school__name", "coach__last_name", "coachee__last_name", "pk")
    for index, pair in enumerate(pairs):
        terms = list(pair.academic_year.terms.order_by("starts_on"))
        weeks = _school_weeks(terms, today)
        if pair.cadence == CoachingRelationship.Cadence.FORTNIGHTLY and weeks:
            # the weeks its slot falls in: every other week from the year's first
            weeks = [w for w in weeks if (w - weeks[0]).days % 14 == 0]
        script = SCRIPTS[index % len(SCRIPTS)]
        _run(ctx, pair, weeks[-len(script.weeks) :], script, library, index)


def _run(
    ctx: DemoContext,
    pair: CoachingRelationship,
    weeks: list[dt.date],
    script: Script,
    library: list[LibraryStep],
    index: int,
) -> None:
    rng = ctx.rng
    teacher = pair.coachee
    next_library = index % len(library)
    for week, letter in zip(weeks, script.weeks, strict=False):
        if letter == "-":
            continue
        # drop-in on Wednesday (Monday and Tuesday of a year's first week are INSET days)
        drop_in_day, wednesday, thursday = (week + dt.timedelta(days=d) for d in (2, 3, 4))
        with demo_clock(drop_in_day, 9 + index % 5, 10 * (index % 6)):
            observation = _drop_in(ctx, pair, script, letter)
        new_step = None
        if services.active_step(pair) is None:
            entry = library[next_library % len(library)]
            next_library += 1
            new_step = services.StepDraft(
                title=entry.title, criteria=entry.looks_like, library_step=entry
            )
        with demo_clock(wednesday, 15, 30):
            meeting = _meeting(ctx, pair, observation, new_step, (index + week.day) % 2, wednesday)
        step = meeting.step
        if step is not None and step.state == StepState.PROPOSED:
            with demo_clock(thursday, 8, 15):
                services.step_confirm(step=step, by=teacher)
        if rng.random() < 0.7:
            with demo_clock(thursday, 16, 40):
                meetings.meeting_reflect(
                    meeting=meeting, by=teacher, reflection=rng.choice(REFLECTIONS)
                )
    _ending(pair, script, library, weeks[-1] if weeks else timezone.localdate(), index)


def _drop_in(
    ctx: DemoContext, pair: CoachingRelationship, script: Script, letter: str
) -> Observation:
    """A submitted drop-in rating each step looked for as the script's letter says."""
    rng = ctx.rng
    observation = services.observation_start(relationship=pair, by=pair.coach)
    ratings = {
        s.pk: ("seen" if script.sticks else "not_yet") if s.stick_check_is_due else RATINGS[letter]
        for s in services.steps_to_look_for(pair)
    }
    return services.observation_submit(
        observation=observation,
        by=pair.coach,
        ratings=ratings,
        year_group=rng.choice(["Year 2", "Year 4", "Year 6"])
        if pair.school.phase == "primary"
        else rng.choice(["Year 7", "Year 9", "Year 10", "Year 12"]),
        went_well=rng.choice(PRAISE),
        notes=rng.choice(NOTES),
    )


def _meeting(
    ctx: DemoContext,
    pair: CoachingRelationship,
    observation: Observation,
    new_step: services.StepDraft | None,
    extra_rounds: int,
    held_on: dt.date,
) -> FeedbackMeeting:
    """The feedback meeting after a drop-in: a new step if there is none, else continue."""
    return meetings.meeting_record(
        relationship=pair,
        by=pair.coach,
        praise=ctx.rng.choice(PRAISE),
        step_review="" if new_step else "We looked at the step together.",
        decision="new" if new_step else "continue",
        rounds=[
            ("Ran the opening of tomorrow's lesson", "Shorter: cut the second sentence"),
            ("Ran it again with a pupil drifting off", "Good: the cue came first"),
        ][: 1 + extra_rounds],
        modelling="I modelled it twice, once with a pupil interrupting.",
        plan="Period 2 tomorrow, at the start of the main task.",
        observations=[observation],
        new_step=new_step,
        next_drop_in=pair.school.add_school_days(held_on, 5),
    )


def _ending(
    pair: CoachingRelationship,
    script: Script,
    library: list[LibraryStep],
    last_week: dt.date,
    index: int,
) -> None:
    coach, teacher = pair.coach, pair.coachee
    friday = last_week + dt.timedelta(days=4)  # the drop-in week's Friday
    current = services.active_step(pair)
    entry = library[(index + 7) % len(library)]
    draft = services.StepDraft(title=entry.title, criteria=entry.looks_like, library_step=entry)
    with demo_clock(friday, 12):
        if script.ending == "pause" and current is not None:
            services.step_pause(step=current, by=coach, reason="Mock exams: no teaching to see")
        elif script.ending == "withdraw" and current is not None:
            services.step_withdraw(
                step=current, by=teacher, reason="The class changed after the timetable rewrite"
            )
        elif script.ending in ("propose", "counter"):
            if current is not None:
                services.step_withdraw(step=current, by=coach, reason="Moving to the next priority")
            proposed = services.step_propose(relationship=pair, by=coach, draft=draft)
            if script.ending == "counter":
                alternative = services.step_counter_propose(
                    step=proposed,
                    by=teacher,
                    draft=services.StepDraft(
                        title="Show the timer for every transition",
                        criteria="A visible countdown for each change of activity\n"
                        "The teacher narrates the time left once, halfway",
                    ),
                )
                services.step_confirm(step=alternative, by=coach)
