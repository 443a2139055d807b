"""A teacher's timeline: one academic year of their drop-ins, meetings and step changes, newest
first, a batch at a time ("Show earlier entries" asks for the next batch).

Each kind of entry is one indexed query through the privacy gate that stops after the entries
the page shows (LIMIT), so a page costs the same whether the teacher has a term of coaching
behind them or years of it: drop-ins by `observation_by_teacher`, meetings by
`meeting_by_teacher`, step changes by `transition_by_school_step`. The rows are read as plain
values into `Entry`s that are ready to show (names, links, labels), so neither building model
objects nor the template's filters cost anything per row; the notes stay in the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from coachroom.accounts.models import AcademicYear, School, User
from coachroom.accounts.viewer import Viewer
from coachroom.coaching.access import teacher_may_see_q
from coachroom.coaching.models import (
    ACTIVE_STATES,
    ActionStep,
    FeedbackMeeting,
    Observation,
    Rating,
    RehearsalRound,
    StepEvidence,
    StepState,
    StepTransition,
    transition_summary,
)
from coachroom.coaching.policy import Who
from coachroom.coaching.selfreview.models import PointRating, SelfReview
from coachroom.coaching.selfreview.queries import count_summary, rated
from coachroom.core.links import pk_links

BATCH = 25  # entries a page shows at first, and how many more each "Show earlier entries" adds
MOST = 1000  # more than a year of the busiest pair's coaching; a larger ?shown= reads as this

Kind = Literal["drop-in", "meeting", "step", "self-review"]
Window = dict[str, dt.datetime]  # lookups on a timestamp: {"gte": …, "lt": …}, either or none
_PERSON = ("first_name", "last_name", "email")  # who wrote or changed something: a name only


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline, ready to show."""

    kind: Kind
    pk: int  # the drop-in's, the meeting's or the step change's
    at: dt.datetime
    url: str  # the drop-in, the meeting, or the step that changed
    who: str  # the observer, the coach, or who changed the step ("" if nobody did)
    is_draft: bool = False  # drop-ins
    evidence: tuple[str, ...] = ()  # drop-ins: "The step: partly", "Did it stick? seen"
    rounds: str = ""  # meetings: "2 rehearsal rounds"
    awaits_reflection: bool = False  # meetings: the teacher has not reflected yet
    step_title: str = ""  # step changes
    change: str = ""  # step changes: "agreed", "rehearsed in a meeting; now practising"
    points: str = ""  # self-reviews: "2 seen, 1 partly, 0 not yet" (counts, never the notes)
    shared: bool = False  # self-reviews: the teacher shares it with their coach
    # Set once the entry is on the page:
    number: int = 0  # its place in the year, newest first, from 1
    # the first of the entries "Show earlier entries" added: where the link takes the reader
    # (`#entry-26`), and where focus goes when htmx appends them
    first_new: bool = False
    when: str = ""  # "Mon 23 Nov 2026, 09:15", local time
    when_iso: str = ""  # the same for <time datetime>


@dataclass(frozen=True, slots=True)
class CurrentStep:
    url: str
    title: str
    state: str
    state_label: str
    stuck: bool


@dataclass(frozen=True)
class Timeline:
    """The newest `shown` entries of the year and the steps the teacher is working on."""

    entries: list[Entry]
    shown: int
    has_earlier: bool
    current_steps: list[CurrentStep]

    @property
    def next_shown(self) -> int:
        return min(self.shown + BATCH, MOST)

    @property
    def offers_earlier(self) -> bool:
        """Whether "Show earlier entries" can show more (not past `MOST`)."""
        return self.has_earlier and self.next_shown > self.shown

    @property
    def latest_batch(self) -> list[Entry]:
        """The entries "Show earlier entries" added: what an htmx request appends."""
        return self.entries[max(0, self.shown - BATCH) :]


def choose_year(
    school: School, wanted: int | None, *, today: dt.date | None = None
) -> tuple[AcademicYear | None, list[AcademicYear]]:
    """The year to show (`wanted` if it is one of the school's, else the current one, as
    `School.current_year` picks it) and all the school's years, newest first, in one query."""
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))
    for year in years:
        if year.pk == wanted:
            return year, years
    today = today or timezone.localdate()
    started = [year for year in years if year.starts_on <= today]
    return (started[0] if started else (years[-1] if years else None)), years


def year_window(year: AcademicYear | None, years: list[AcademicYear]) -> Window:
    """A year's part of the record: from its first day until the next year's first day.

    The holidays between two years belong to the year just ended, the time after the latest
    year to that year, and the time before the earliest to the earliest, so that everything
    written about a teacher shows in exactly one year, even a drop-in made in the summer
    holiday or before the first term starts. No year (a school without one): no bounds.
    """
    window: Window = {}
    if year is None:
        return window
    if any(other.starts_on < year.starts_on for other in years):
        window["gte"] = timezone.make_aware(dt.datetime.combine(year.starts_on, dt.time()))
    later = [other.starts_on for other in years if other.starts_on > year.starts_on]
    if later:
        window["lt"] = timezone.make_aware(dt.datetime.combine(min(later), dt.time()))
    return window


def _within(field: str, window: Window) -> dict[str, dt.datetime]:
    return {f"{field}__{op}": value for op, value in window.items()}


def _name(first_name: str | None, last_name: str | None, email: str | None) -> str:
    return User.name_from(first_name or "", last_name or "", email or "")


@dataclass(frozen=True)
class _Query:
    viewer: Who  # the request's Viewer (the rule from the ids it holds), or a User
    teacher: User
    school: School
    window: Window
    limit: int


def _drop_ins(q: _Query) -> Iterator[Entry]:
    rows = Observation.objects.visible_to(q.viewer, about=q.teacher).filter(
        school=q.school, **_within("observed_at", q.window)
    )
    person = q.viewer.user if isinstance(q.viewer, Viewer) else q.viewer
    if person.pk == q.teacher.pk:
        # drafts and (where the school says so) drop-ins before their meeting stay the coach's
        rows = rows.filter(Q(observer=person) | teacher_may_see_q(q.school))
    values = rows.order_by("-observed_at", "-pk").values_list(
        "pk", "observed_at", "status", *(f"observer__{f}" for f in _PERSON)
    )
    link = pk_links("coaching:drop-in-detail")
    for pk, at, status, *observer in values[: q.limit]:
        is_draft = status == Observation.Status.DRAFT
        yield Entry("drop-in", pk, at, link(pk), _name(*observer), is_draft=is_draft)


def _meetings(q: _Query) -> Iterator[Entry]:
    rounds = (
        RehearsalRound.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        FeedbackMeeting.objects.visible_to(q.viewer, about=q.teacher)
        .filter(school=q.school, **_within("held_at", q.window))
        .annotate(
            round_count=Coalesce(Subquery(rounds), Value(0)),
            awaits_reflection=ExpressionWrapper(Q(reflection=""), output_field=BooleanField()),
        )
        .order_by("-held_at", "-pk")
    )
    values = rows.values_list(
        "pk", "held_at", "round_count", "awaits_reflection", *(f"coach__{f}" for f in _PERSON)
    )
    link = pk_links("coaching:meeting-detail")
    for pk, at, count, awaits, *coach in values[: q.limit]:
        label = f"{count} rehearsal round{'' if count == 1 else 's'}"
        yield Entry(
            "meeting", pk, at, link(pk), _name(*coach), rounds=label, awaits_reflection=awaits
        )


def _step_changes(q: _Query) -> Iterator[Entry]:
    rows = (
        StepTransition.objects.visible_to(q.viewer, about=q.teacher)
        .filter(school=q.school, **_within("at", q.window))
        .order_by("-at", "-pk")
    )
    values = rows.values_list(
        "pk", "at", "step", "step__title", "from_state", "to_state", "event",
        *(f"by__{f}" for f in _PERSON),
    )  # fmt: skip
    link = pk_links("coaching:step-detail")
    for pk, at, step, title, from_state, to_state, event, *by in values[: q.limit]:
        change = transition_summary(from_state, to_state, event).lower()
        who = _name(*by) if any(by) else ""
        yield Entry("step", pk, at, link(step), who, step_title=title, change=change)


def _self_reviews(q: _Query) -> Iterator[Entry]:
    """The teacher's reviews of their own lessons: evidence on the step, for the teacher and,
    for each one they share, their coach (`policy.self_reviews_visible_q`)."""
    rows = (
        SelfReview.objects.visible_to(q.viewer, about=q.teacher)
        .filter(school=q.school, **_within("created_at", q.window))
        .annotate(
            seen=rated(PointRating.SEEN),
            partly=rated(PointRating.PARTLY),
            not_yet=rated(PointRating.NOT_YET),
        )
        .order_by("-created_at", "-pk")
    )
    values = rows.values_list(
        "pk", "created_at", "step__title", "shared_with_coach", "seen", "partly", "not_yet"
    )
    link = pk_links("coaching:self-review-detail")
    for pk, at, title, shared, *counts in values[: q.limit]:
        yield Entry(
            "self-review", pk, at, link(pk), "", step_title=title,
            points=count_summary(*counts), shared=shared,
        )  # fmt: skip


def _current_steps(q: _Query) -> list[CurrentStep]:
    """Steps being worked on, and those secured in this year (a step changed in the year)."""
    window = _within("transitions__at", q.window)
    changed = Q(**window) if window else Q(transitions__isnull=False)
    rows = (
        ActionStep.objects.visible_to(q.viewer, about=q.teacher)
        .filter(school=q.school)
        .filter(Q(state__in=ACTIVE_STATES) | Q(changed, state=StepState.SECURED))
        .distinct()
        .order_by("-created_at", "-pk")
    )
    link = pk_links("coaching:step-detail")
    return [
        CurrentStep(link(pk), title, state, StepState(state).label, stuck_at is not None)
        for pk, title, state, stuck_at in rows.values_list("pk", "title", "state", "stuck_at")
    ]


def timeline_for(
    *,
    viewer: Who,
    teacher: User,
    school: School,
    window: Window,
    shown: int = BATCH,
    self_reviews: bool = False,
) -> Timeline:
    """The newest `shown` entries about `teacher` at `school` in `window` that `viewer` may
    read, through the privacy gate: six queries (drop-ins, their step evidence, meetings,
    step changes, self-reviews, current steps), however long the history. `self_reviews`
    adds the teacher's reviews of their own lessons (the page shows them; the reporting API's
    timeline, whose entry kinds are fixed in its schema, does not yet)."""
    shown = max(1, min(shown, MOST))
    # one more than shown from each kind tells whether anything is left for "earlier"
    q = _Query(viewer, teacher, school, window, limit=shown + 1)
    newest_first = heapq.merge(
        _drop_ins(q),
        _meetings(q),
        _step_changes(q),
        _self_reviews(q) if self_reviews else iter(()),
        key=lambda e: e.at,
        reverse=True,
    )
    merged = list(itertools.islice(newest_first, shown + 1))
    return Timeline(
        entries=_on_the_page(merged[:shown], shown),
        shown=shown,
        has_earlier=len(merged) > shown,
        current_steps=_current_steps(q),
    )


def _on_the_page(entries: list[Entry], shown: int) -> list[Entry]:
    """The entries shown, numbered, dated in local time and with what each drop-in saw of
    the steps (a rating, never narrative): one more query, for the drop-ins among them."""
    seen: defaultdict[int, list[str]] = defaultdict(list)
    drop_ins = [e.pk for e in entries if e.kind == "drop-in"]
    if drop_ins:
        rows = StepEvidence.objects.filter(observation__in=drop_ins).order_by("pk")
        for observation, rating, stick_check in rows.values_list(
            "observation", "rating", "is_stick_check"
        ):
            prefix = "Did it stick?" if stick_check else "The step:"
            seen[observation].append(f"{prefix} {Rating(rating).label.lower()}")
    first_new = shown - BATCH + 1 if shown > BATCH else 0
    zone = timezone.get_current_timezone()
    page = []
    for number, entry in enumerate(entries, start=1):
        local = entry.at.astimezone(zone)
        page.append(
            dataclasses.replace(
                entry,
                number=number,
                first_new=number == first_new,
                when=f"{local:%a} {local.day} {local:%b %Y, %H:%M}",
                when_iso=local.isoformat(),
                evidence=tuple(seen.get(entry.pk, ())) if entry.kind == "drop-in" else (),
            )
        )
    return page
