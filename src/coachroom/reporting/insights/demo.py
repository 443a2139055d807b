"""Last year's coaching, in bulk, so the demo's Insights page has history to look at.

A term of coaching made through the services (coaching/demo.py) is a few steps per pair: too
few to compare anything honestly. This loader adds the previous academic year for each
school: the same instructional pairs, a step after a step, each with the drop-in it followed,
the meeting that set it (and its rehearsal rounds), the drop-ins that looked for it, and its
end (secured, then stuck or slipped at the re-check; or withdrawn). At Elmwood, five summer-term
pairs were coached by a line manager: too few steps to compare, so the demo shows a comparison
withheld. It is written with `bulk_create` (a few thousand rows in well under a second) and
draws from the demo's seeded random numbers, so every load is the same.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from coachroom.accounts.models import AcademicYear, CoachingRelationship, Membership, School
from coachroom.accounts.services import academic_year_create
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    Rating,
    RehearsalRound,
    StepEvidence,
    StepState,
    StepTransition,
)
from coachroom.core.demo import DemoContext
from coachroom.library.models import LibraryStep, Priority

LONDON = ZoneInfo("Europe/London")
PHASES = {"oak": "primary", "elm": "secondary"}
# Elmwood's summer term: a deputy and an assistant principal coached staff they line-manage.
LINE_MANAGED = {"elm-slt": ["elm-t2", "elm-t4"], "elm-lead": ["elm-t7", "elm-t8", "elm-t9"]}
MEETS_EVERY = (1, 1, 2, 2, 3)  # weeks between meetings: weekly, fortnightly or less
PRAISE = "Last year's meeting: the step was named, modelled and planned."


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def _weekday(day: dt.date) -> dt.date:
    """The day, or the Friday before it when it falls at a weekend."""
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


@dataclass
class _Rows:
    """Everything one load writes, gathered, then written table by table."""

    steps: list[ActionStep] = field(default_factory=list)
    moves: list[tuple[ActionStep, str, str, str, dt.datetime]] = field(default_factory=list)
    drop_ins: list[tuple[Observation, ActionStep | None, str]] = field(default_factory=list)
    meetings: list[tuple[FeedbackMeeting, ActionStep, int, Observation | None]] = field(
        default_factory=list
    )


def load(ctx: DemoContext) -> None:
    library = list(LibraryStep.objects.starter().order_by("strand__order", "key")[:60:3])
    for key, school in ctx.schools.items():
        Membership.objects.filter(school=school, is_teacher=True).update(phase=PHASES[key])
        # this year's pairs were asked when they were made: no coach line-manages their teacher
        CoachingRelationship.objects.filter(school=school).exclude(
            kind=CoachingRelationship.Kind.SELF
        ).update(coach_is_line_manager=False)
        year = _last_year(school)
        if year is None:
            continue
        write_history(_pairs(ctx, school, year), year=year, rng=ctx.rng, library=library)
        _priority(school, year, library)


def write_history(
    pairs: list[tuple[CoachingRelationship, int]],
    *,
    year: AcademicYear,
    rng: random.Random,
    library: list[LibraryStep],
) -> None:
    """A year of steps for each pair (meeting every `n` weeks), written in bulk."""
    rows = _Rows()
    weeks = _school_weeks(year)
    for pair, every in pairs:
        _coach_pair(rng, rows, pair, weeks, library, every)
    _write(rows)


def _last_year(school: School) -> AcademicYear | None:
    current = school.current_year()
    if current is None:
        return None
    return academic_year_create(school=school, by=None, start_year=current.starts_on.year - 1)


def _school_weeks(year: AcademicYear) -> list[dt.date]:
    """The Wednesday of each full school week in the year."""
    days: list[dt.date] = []
    for start, end in year.terms.order_by("starts_on").values_list("starts_on", "ends_on"):
        monday = start - dt.timedelta(days=start.weekday()) + dt.timedelta(days=7)
        while monday + dt.timedelta(days=4) <= end:
            days.append(monday + dt.timedelta(days=2))
            monday += dt.timedelta(days=7)
    return days


def _pairs(
    ctx: DemoContext, school: School, year: AcademicYear
) -> list[tuple[CoachingRelationship, int]]:
    """Last year's pairs: this year's instructional pairs, all year; and the line managers'."""
    now = CoachingRelationship.objects.filter(
        school=school, kind=CoachingRelationship.Kind.INSTRUCTIONAL
    ).order_by("pk")
    made = [
        CoachingRelationship(
            school=school,
            academic_year=year,
            coach_id=p.coach_id,
            coachee_id=p.coachee_id,
            started_on=year.starts_on,
            ended_on=year.ends_on,
            coach_is_line_manager=False,
        )
        for p in now
    ]
    summer = year.terms.order_by("-starts_on").values_list("starts_on", flat=True).first()
    if school == ctx.schools.get("elm"):
        made += [
            CoachingRelationship(
                school=school,
                academic_year=year,
                coach=ctx.people[coach_key],
                coachee=ctx.people[key],
                started_on=summer or year.starts_on,
                ended_on=year.ends_on,
                coach_is_line_manager=True,
            )
            for coach_key, coachees in LINE_MANAGED.items()
            for key in coachees
        ]
    pairs = CoachingRelationship.objects.bulk_create(made)
    return [(p, MEETS_EVERY[i % len(MEETS_EVERY)]) for i, p in enumerate(pairs)]


@dataclass(frozen=True)
class _Plan:
    """One step's story, drawn at random with better odds for the habits that help."""

    rounds: int
    teacher_proposed: bool
    gap: int  # days from the drop-in to the meeting
    reobserved_after: int  # days from agreeing to the first drop-in that looks for it
    secured: bool
    weeks_to_secure: int
    sticks: bool


def _plan(rng: random.Random, every: int) -> _Plan:
    rounds = rng.choice((0, 1, 1, 2, 2, 3))
    gap = rng.choice((0, 1, 1, 2, 3, 6))
    reobserved = rng.choice((5, 7, 8, 12, 14, 19, 26, 33))
    odds = 0.3 + 0.12 * min(rounds, 2) + (0.15 if reobserved <= 14 else 0) + 0.1 * (every == 1)
    return _Plan(
        rounds=rounds,
        teacher_proposed=rng.random() < 0.35,
        gap=gap,
        reobserved_after=reobserved,
        secured=rng.random() < odds,
        weeks_to_secure=max(2, 2 + reobserved // 7 + rng.randint(0, 3) - min(rounds, 2)),
        sticks=rng.random() < 0.55 + 0.12 * min(rounds, 2),
    )


def _coach_pair(
    rng: random.Random,
    rows: _Rows,
    pair: CoachingRelationship,
    weeks: list[dt.date],
    library: list[LibraryStep],
    every: int,
) -> None:
    first = next((i for i, w in enumerate(weeks) if w >= pair.started_on), len(weeks))
    w = first + rng.randint(0, 1)
    limit = 1 if pair.coach_is_line_manager else 8
    while w < len(weeks) - 3 and limit:
        limit -= 1
        plan = _plan(rng, every)
        w = _one_step(rows, pair, weeks, w, library[(pair.pk + w) % len(library)], plan, every)
        w += 1


def _one_step(
    rows: _Rows,
    pair: CoachingRelationship,
    weeks: list[dt.date],
    w: int,
    entry: LibraryStep,
    plan: _Plan,
    every: int,
) -> int:
    """Write one step's rows; return the week it ended in."""
    agreed = weeks[w]
    end_w = min(w + (plan.weeks_to_secure if plan.secured else 3 + every), len(weeks) - 1)
    step = ActionStep(
        school=pair.school,
        teacher=pair.coachee,
        relationship=pair,
        library_step=entry,
        title=entry.title,
        success_criteria=entry.looks_like,
        proposed_by=pair.coachee if plan.teacher_proposed else pair.coach,
        teacher_confirmed=True,
        coach_confirmed=True,
        state=StepState.ARCHIVED,
        agreed_at=_at(agreed, 15),
    )
    rows.steps.append(step)
    drop_in = _drop_in(rows, pair, _weekday(agreed - dt.timedelta(days=plan.gap)), None, "")
    rows.meetings.append((_meeting(pair, agreed, step), step, plan.rounds, drop_in))
    look = _weekday(agreed + dt.timedelta(days=plan.reobserved_after))
    moves = [("proposed", "", StepState.PROPOSED, agreed), ("agreed", "proposed", "agreed", agreed)]
    if plan.rounds:
        moves.append(("rehearsed", StepState.AGREED, StepState.PRACTISING, agreed))
    for week in range(w + every, end_w + 1, every):  # the pair's later meetings on the step
        rows.meetings.append((_meeting(pair, weeks[week], step), step, 0, None))
    ended = weeks[end_w]
    if look < ended:
        _drop_in(rows, pair, look, step, Rating.PARTLY if plan.secured else Rating.NOT_YET)
    if plan.secured:
        _drop_in(rows, pair, ended, step, Rating.SEEN)
        step.secured_at = _at(ended, 11)
        moves.append(("secured", StepState.PRACTISING, StepState.SECURED, ended))
        check_w = end_w + 6
        if check_w < len(weeks):
            check = weeks[check_w]
            _drop_in(rows, pair, check, step, Rating.SEEN if plan.sticks else Rating.NOT_YET)
            if plan.sticks:
                step.stuck_at = _at(check, 11)
                moves.append(("stuck", StepState.SECURED, StepState.SECURED, check))
            else:
                moves.append(("reopened", StepState.SECURED, StepState.REOPENED, check))
    else:
        moves.append(("withdrawn", StepState.PRACTISING, StepState.WITHDRAWN, ended))
        step.state = StepState.WITHDRAWN
    last = moves[-1][2]
    if last != StepState.WITHDRAWN:
        moves.append(("archived", last, StepState.ARCHIVED, pair.ended_on or ended))
    rows.moves += [(step, event, a, b, _at(day, 16)) for event, a, b, day in moves]
    return end_w


def _drop_in(
    rows: _Rows, pair: CoachingRelationship, day: dt.date, step: ActionStep | None, rating: str
) -> Observation:
    observation = Observation(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        observer=pair.coach,
        status=Observation.Status.SUBMITTED,
        observed_at=_at(day, 10),
        submitted_at=_at(day, 11),
    )
    rows.drop_ins.append((observation, step, rating))
    return observation


def _meeting(pair: CoachingRelationship, day: dt.date, step: ActionStep) -> FeedbackMeeting:
    return FeedbackMeeting(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        held_at=_at(day, 15),
        praise=PRAISE,
        decision=FeedbackMeeting.Decision.NEW,
    )


def _write(rows: _Rows) -> None:
    ActionStep.objects.bulk_create(rows.steps)
    # auto_now_add stamped today on every row: give each step its real age
    for step in rows.steps:
        step.created_at = step.agreed_at or step.created_at
    ActionStep.objects.bulk_update(rows.steps, ["created_at"])
    StepTransition.objects.bulk_create(
        StepTransition(
            school=step.school, step=step, event=event, from_state=a, to_state=b, at=at, by=None
        )
        for step, event, a, b, at in rows.moves
    )
    Observation.objects.bulk_create([o for o, _s, _r in rows.drop_ins])
    StepEvidence.objects.bulk_create(
        StepEvidence(school=o.school, observation=o, step=s, rating=r, is_stick_check=False)
        for o, s, r in rows.drop_ins
        if s is not None
    )
    for meeting, step, _rounds, _o in rows.meetings:
        meeting.step = step
    FeedbackMeeting.objects.bulk_create([m for m, _s, _r, _o in rows.meetings])
    FeedbackMeeting.observations.through.objects.bulk_create(
        FeedbackMeeting.observations.through(feedbackmeeting=m, observation=o)
        for m, _s, _r, o in rows.meetings
        if o is not None
    )
    RehearsalRound.objects.bulk_create(
        RehearsalRound(school=m.school, meeting=m, number=n, attempt="Rehearsed the step aloud")
        for m, _s, rounds, _o in rows.meetings
        for n in range(1, rounds + 1)
    )


def _priority(school: School, year: AcademicYear, library: list[LibraryStep]) -> None:
    """Last year's whole-school priority: the strand of the first steps most pairs worked on."""
    now = Priority.objects.filter(school=school).exclude(academic_year=year).order_by("pk").first()
    if now is None:
        return
    last = Priority.objects.create(
        school=school,
        academic_year=year,
        title=now.title,
        symptoms=now.symptoms,
        problem=now.problem,
        is_archived=False,
    )
    last.strands.set(now.strands.all())
    last.library_steps.set(library[:4])
