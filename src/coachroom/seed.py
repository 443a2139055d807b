"""Deterministic, realistic data at scale for benchmarks and load tests (`coachroom seed`).

small  ≈ 1 school, 30 staff, one term of coaching
school ≈ 1 school, 120 staff, three years
trust  ≈ 50 schools, 3,000 staff, two years (≈300,000 drop-ins)

History is simulated pair by pair in memory, following the same lifecycle rules as the
services (a step is secured after the school's N sightings in a row; a stick-check six school
weeks later), then written with bulk inserts, one school-year at a time so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coachroom.accounts.calendar import academic_start_year
from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    School,
    Trust,
    User,
)
from coachroom.accounts.services import academic_year_create
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepEvidence,
    StepState,
    StepTransition,
)
from coachroom.library.models import LibraryStep
from coachroom.reporting import counters
from coachroom.scheduling.models import ScheduledSlot, SessionKind, SessionOccurrence
from coachroom.scheduling.services import SchoolDays, slot_dates

SEED_PASSWORD = "coachroom-seed"  # noqa: S105 - seeded benchmark data only
LONDON = ZoneInfo("Europe/London")
BATCH = 2000


@dataclass(frozen=True)
class Scale:
    schools: int
    staff_per_school: int
    years: int
    weeks: int | None  # coaching weeks per year; None = the whole year so far
    drop_ins_per_week: float = 1.0


SCALES = {
    "small": Scale(schools=1, staff_per_school=30, years=1, weeks=12),
    "school": Scale(schools=1, staff_per_school=120, years=3, weeks=None),
    # two full years of history plus the current year so far
    "trust": Scale(schools=50, staff_per_school=60, years=3, weeks=None, drop_ins_per_week=1.4),
}

FIRST = [
    "Amir",
    "Beth",
    "Cara",
    "Dev",
    "Ella",
    "Finn",
    "Gita",
    "Hugo",
    "Iris",
    "Jack",
    "Kemi",
    "Liam",
    "Maya",
    "Nia",
    "Owen",
    "Pia",
    "Raj",
    "Sara",
    "Theo",
    "Uma",
    "Vik",
    "Wes",
    "Zoe",
]
LAST = [
    "Adams",
    "Bryant",
    "Chen",
    "Davies",
    "Evans",
    "Foster",
    "Green",
    "Hall",
    "Iqbal",
    "Jones",
    "Khan",
    "Lloyd",
    "Mills",
    "Nash",
    "Owusu",
    "Patel",
    "Quinn",
    "Reed",
    "Shaw",
    "Tait",
]
RATINGS = ["seen"] * 12 + ["partly"] * 5 + ["not_yet"] * 2 + ["no_opportunity"]
REASONS = ["cover", "teacher_absent", "coach_absent", "trip", "exams", "other"]


@dataclass
class Report:
    schools: int = 0
    staff: int = 0
    pairs: int = 0
    sessions: int = 0
    observations: int = 0
    meetings: int = 0
    steps: int = 0
    transitions: int = 0

    def add(self, other: Report) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def seed(
    scale_name: str, *, seed: int = 1, progress: Callable[[str], None] | None = None
) -> Report:
    scale = SCALES[scale_name]
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    say = progress or (lambda message: None)
    password = make_password(SEED_PASSWORD)
    library = list(LibraryStep.objects.starter().values_list("pk", "title", "looks_like"))
    trust = Trust.objects.create(name=f"Seeded trust {seed}")
    report = Report()
    first_year = academic_start_year(timezone.localdate()) - scale.years + 1
    for index in range(scale.schools):
        with transaction.atomic():
            school, staff = _school(trust, index, seed, scale, rng, password)
            report.schools += 1
            report.staff += len(staff)
            for offset in range(scale.years):
                year = academic_year_create(school=school, by=None, start_year=first_year + offset)
                report.add(_year(school, year, staff, scale, rng, library))
        say(f"school {index + 1} of {scale.schools}: {report.observations} drop-ins so far")
    # the rows above were bulk-created, past the writes that keep the dashboards' counters
    for school_id in School.objects.filter(trust=trust).values_list("pk", flat=True):
        counters.rebuild_school(school_id)
    say("dashboard counters rebuilt")
    return report


def _school(
    trust: Trust, index: int, seed: int, scale: Scale, rng: random.Random, password: str
) -> tuple[School, list[Membership]]:
    school = School.objects.create(
        trust=trust,
        name=f"Seeded School {seed}-{index + 1}",
        urn=f"{(seed * 1000 + index) % 900000 + 100000:06d}",
        phase=rng.choice(["primary", "secondary"]),
    )
    users = [
        User(
            email=f"staff{index + 1}-{n + 1}@seed{seed}.example",
            first_name=FIRST[(n + index) % len(FIRST)],
            last_name=LAST[(n * 7 + index) % len(LAST)],
            password=password,
        )
        for n in range(scale.staff_per_school)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    coaches = max(2, scale.staff_per_school // 8)
    memberships = [
        Membership(
            user=user,
            school=school,
            is_school_admin=n == 0,
            is_senior_leader=n in (0, 1),
            is_coaching_lead=n == 1,
            is_coach=1 <= n <= coaches,
            is_teacher=n != 0,
            is_ect=rng.random() < 0.15 and n > coaches,
        )
        for n, user in enumerate(users)
    ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return school, memberships


@dataclass
class _Sim:
    """One pair's current step while simulating its year."""

    step: ActionStep | None = None
    streak: int = 0
    secured: list[tuple[ActionStep, dt.date]] | None = None


def _year(
    school: School,
    year: AcademicYear,
    staff: list[Membership],
    scale: Scale,
    rng: random.Random,
    library: list[tuple[int, str, str]],
) -> Report:
    today = timezone.localdate()
    coaches = [m.user for m in staff if m.is_coach]
    coachees = [m.user for m in staff if m.is_teacher and m.user not in coaches[:1]]
    ended = year.ends_on if year.ends_on < today else None
    pairs = [
        CoachingRelationship(
            school=school,
            academic_year=year,
            coach=coaches[n % len(coaches)] if coaches[n % len(coaches)] != user else coaches[0],
            coachee=user,
            started_on=year.starts_on,
            ended_on=ended,
        )
        for n, user in enumerate(coachees)
    ]
    CoachingRelationship.objects.bulk_create(pairs, batch_size=BATCH)
    days = SchoolDays(year)
    out = _Out()
    for n, pair in enumerate(pairs):
        _pair_history(pair, n, days, scale, rng, library, out, today)
    out.write()
    return Report(
        pairs=len(pairs),
        sessions=len(out.sessions),
        observations=len(out.observations),
        meetings=len(out.meetings),
        steps=len(out.steps),
        transitions=len(out.transitions),
    )


class _Out:
    """Rows waiting to be written, in dependency order."""

    def __init__(self) -> None:
        self.slots: list[ScheduledSlot] = []
        self.steps: list[ActionStep] = []
        self.observations: list[Observation] = []
        self.evidence: list[StepEvidence] = []
        self.meetings: list[FeedbackMeeting] = []
        self.meeting_observations: list[tuple[FeedbackMeeting, Observation]] = []
        self.rounds: list[RehearsalRound] = []
        self.transitions: list[StepTransition] = []
        self.sessions: list[SessionOccurrence] = []

    def write(self) -> None:
        for rows in (self.slots, self.steps, self.observations, self.meetings):
            _bulk(rows)
        _bulk(self.evidence)
        _bulk(self.rounds)
        _bulk(self.transitions)
        _bulk(self.sessions)
        through = FeedbackMeeting.observations.through
        _bulk(
            [
                through(feedbackmeeting_id=m.pk, observation_id=o.pk)
                for m, o in self.meeting_observations
            ]
        )


def _bulk(rows: list[Any]) -> None:
    # bulk_create copies the keys of related objects saved earlier into their FK columns.
    if rows:
        type(rows[0]).objects.bulk_create(rows, batch_size=BATCH)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def _pair_slots(pair: CoachingRelationship, n: int) -> tuple[ScheduledSlot, ScheduledSlot]:
    """The pair's weekly drop-in and, the next weekday, its feedback meeting."""
    school = pair.school
    drop_in_slot = ScheduledSlot(
        school=school,
        relationship=pair,
        kind=SessionKind.DROP_IN,
        weekday=n % 5,
        start_time=dt.time(9 + n % 6, 0),
        minutes=15,
        starts_on=pair.started_on,
    )
    meeting_slot = ScheduledSlot(
        school=school,
        relationship=pair,
        kind=SessionKind.MEETING,
        weekday=(n + 1) % 5,
        start_time=dt.time(15, 30),
        minutes=30,
        starts_on=pair.started_on,
    )
    return drop_in_slot, meeting_slot


def _pair_history(
    pair: CoachingRelationship,
    n: int,
    days: SchoolDays,
    scale: Scale,
    rng: random.Random,
    library: list[tuple[int, str, str]],
    out: _Out,
    today: dt.date,
) -> None:
    school = pair.school
    drop_in_slot, meeting_slot = _pair_slots(pair, n)
    out.slots += [drop_in_slot, meeting_slot]
    dates = slot_dates(drop_in_slot, days, from_date=pair.started_on)
    if scale.weeks is not None:
        dates = [d for d in dates if d < today][-scale.weeks :] + [d for d in dates if d >= today]
    sim = _Sim(secured=[])
    for day in dates:
        meeting_day = day + dt.timedelta(days=1)
        past = day < today
        drop_in = SessionOccurrence(
            school=school,
            relationship=pair,
            slot=drop_in_slot,
            kind=SessionKind.DROP_IN,
            coach=pair.coach,
            starts_at=_at(day, 9 + n % 6),
            minutes=15,
        )
        meeting = SessionOccurrence(
            school=school,
            relationship=pair,
            slot=meeting_slot,
            kind=SessionKind.MEETING,
            coach=pair.coach,
            starts_at=_at(meeting_day, 15, 30),
            minutes=30,
        )
        out.sessions += [drop_in, meeting]
        if not past:
            continue
        if rng.random() < 0.18:
            for session in (drop_in, meeting):
                session.status = SessionOccurrence.Status.MISSED
                session.reason = rng.choice(REASONS)
                session.reason_note = "Seeded" if session.reason == "other" else ""
            continue
        visits = 2 if rng.random() < scale.drop_ins_per_week - 1 else 1
        observation = None
        for visit in range(visits):
            observation = _observe(pair, sim, day, visit, rng, out)
        drop_in.status, drop_in.observation = SessionOccurrence.Status.DONE, observation
        held = _meet(pair, sim, meeting_day, rng, library, out, observation)
        meeting.status, meeting.meeting = SessionOccurrence.Status.DONE, held


def _transition(
    out: _Out, step: ActionStep, left: str, event: str, at: dt.datetime, by: User, **extra: Any
) -> None:
    out.transitions.append(
        StepTransition(
            school=step.school,
            step=step,
            from_state=left,
            to_state=step.state,
            event=event,
            at=at,
            by=by,
            **extra,
        )
    )


def _observe(
    pair: CoachingRelationship, sim: _Sim, day: dt.date, visit: int, rng: random.Random, out: _Out
) -> Observation:
    at = _at(day, 9 + visit * 3, 10)
    observation = Observation(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        observer=pair.coach,
        status=Observation.Status.SUBMITTED,
        observed_at=at,
        submitted_at=at,
        went_well="Calm start; instructions under 20 words.",
        notes="Seeded drop-in notes.",
    )
    out.observations.append(observation)
    step = sim.step
    if step is not None and step.state == StepState.PRACTISING:
        rating = rng.choice(RATINGS)
        out.evidence.append(
            StepEvidence(school=pair.school, observation=observation, step=step, rating=rating)
        )
        if rating == "seen":
            sim.streak += 1
        elif rating in ("partly", "not_yet"):
            sim.streak = 0
        if sim.streak >= pair.school.sightings_to_secure:
            step.state, step.streak, step.secured_at = StepState.SECURED, sim.streak, at
            step.stick_check_due = day + dt.timedelta(weeks=7)
            _transition(
                out,
                step,
                StepState.PRACTISING,
                "secured",
                at,
                pair.coach,
                observation=observation,
                reason="Seen",
            )
            assert sim.secured is not None  # noqa: S101 - set at the start of every pair
            sim.secured.append((step, step.stick_check_due))
            sim.step, sim.streak = None, 0
        else:
            step.streak = sim.streak
            _transition(
                out,
                step,
                StepState.PRACTISING,
                "observed",
                at,
                pair.coach,
                observation=observation,
                reason=rating.replace("_", " ").capitalize(),
            )
    _stick_checks(pair, sim, day, at, rng, out, observation)
    return observation


def _stick_checks(
    pair: CoachingRelationship,
    sim: _Sim,
    day: dt.date,
    at: dt.datetime,
    rng: random.Random,
    out: _Out,
    observation: Observation,
) -> None:
    assert sim.secured is not None  # noqa: S101 - set at the start of every pair
    due = [(s, d) for s, d in sim.secured if d <= day]
    for step, _ in due:
        sim.secured.remove((step, _))
        stuck = rng.random() < 0.7
        out.evidence.append(
            StepEvidence(
                school=pair.school,
                observation=observation,
                step=step,
                rating="seen" if stuck else "not_yet",
                is_stick_check=True,
            )
        )
        if stuck:
            step.stuck_at = at
            _transition(out, step, StepState.SECURED, "stuck", at, pair.coach, reason="Seen")
        else:
            step.state, step.stick_check_due = StepState.REOPENED, None
            _transition(
                out,
                step,
                StepState.SECURED,
                "reopened",
                at,
                pair.coach,
                reason="Stick-check: not yet",
            )


def _meet(
    pair: CoachingRelationship,
    sim: _Sim,
    day: dt.date,
    rng: random.Random,
    library: list[tuple[int, str, str]],
    out: _Out,
    observation: Observation | None,
) -> FeedbackMeeting:
    at = _at(day, 15, 30)
    decision = "continue"
    if sim.step is None:
        decision = "new"
        pk, title, looks_like = library[rng.randrange(len(library))]
        step = ActionStep(
            school=pair.school,
            teacher=pair.coachee,
            relationship=pair,
            library_step_id=pk,
            title=title,
            success_criteria=looks_like,
            proposed_by=pair.coach,
            teacher_confirmed=True,
            coach_confirmed=True,
            state=StepState.PROPOSED,
            agreed_at=at,
        )
        out.steps.append(step)
        _transition(out, step, "", "proposed", at, pair.coach)
        step.state = StepState.AGREED
        _transition(out, step, StepState.PROPOSED, "agreed", at, pair.coachee)
        step.state = StepState.PRACTISING
        _transition(out, step, StepState.AGREED, "rehearsed", at, pair.coachee)
        sim.step, sim.streak = step, 0
    meeting = FeedbackMeeting(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        held_at=at,
        praise="Precise praise from the seeded meeting.",
        decision=decision,
        step=sim.step,
        plan="Period 2 tomorrow.",
        reflection="Seeded reflection." if rng.random() < 0.6 else "",
    )
    out.meetings.append(meeting)
    if observation is not None:
        out.meeting_observations.append((meeting, observation))
    for number in range(1, 2 + (rng.random() < 0.5)):
        out.rounds.append(
            RehearsalRound(
                school=pair.school,
                meeting=meeting,
                number=number,
                attempt="Tried it aloud",
                feedback="Shorter pause",
            )
        )
    return meeting
