"""The API's JSON shapes: flat rows, one table each, as Power BI and Excel read them best.

Every row names its school by URN and name. Counts are whole numbers; a percentage is null
where nothing was planned (nothing to divide by). Dates are ISO 8601 (`2026-11-02`), times
ISO 8601 with their offset from UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

# Errors ---------------------------------------------------------------------------------------


class Error(Schema):
    detail: str = Field(description="What went wrong, in plain English")


class ValidationErrors(Schema):
    detail: list[dict[str, Any]] = Field(
        description="One entry per problem: where (`loc`), what (`msg`) and its `type`"
    )


ERRORS: dict[int, type[Schema]] = {
    401: Error,
    403: Error,
    404: Error,
    422: ValidationErrors,
    429: Error,
}


# Pages ----------------------------------------------------------------------------------------


class Page(Schema):
    count: int | None = Field(
        description="Rows in all pages; null for the timeline (follow `next` instead)"
    )
    limit: int
    offset: int
    next: str | None = Field(description="The address of the next page; null on the last")


Figures = Literal["school", "own_pairs"]


class SchoolRow(Schema):
    school_urn: str
    school_name: str


# Who the token is --------------------------------------------------------------------------


class Me(Schema):
    kind: Literal["personal", "trust"]
    name: str = Field(description="The token's name")
    scopes: list[str]
    expires_at: dt.datetime
    person_name: str | None = Field(description="Whom a personal token acts as")
    person_email: str | None
    trust_name: str | None = Field(description="The trust a trust token reports on")
    requests_per_minute: int


class SchoolOut(Schema):
    urn: str
    name: str
    phase: str
    trust_name: str
    roles: list[str] = Field(description="The person's roles there (personal tokens)")
    datasets: list[str] = Field(description="The endpoints that return this school's figures")


class SchoolPage(Page):
    items: list[SchoolOut]


# Completion -----------------------------------------------------------------------------------


class Tally(Schema):
    planned: int
    held: int
    completion_percent: int | None
    drop_ins_planned: int
    drop_ins_held: int
    meetings_planned: int
    meetings_held: int
    missed: int
    cancelled: int
    unrecorded: int


class _Week(SchoolRow):
    figures: Figures = Field(description="`school`: the whole school; `own_pairs`: yours")
    week_starting: dt.date
    week_ending: dt.date


class WeekRow(Tally, _Week):
    """A school's week (Monday to Sunday); the bases put the school first, the counts last."""


class WeekPage(Page):
    items: list[WeekRow]


class ReasonRow(SchoolRow):
    figures: Figures
    reason: str
    missed: int = Field(description="Missed sessions, whether booked again or not")
    rebooked: int
    cancelled: int


class ReasonPage(Page):
    items: list[ReasonRow]


class _Coachee(SchoolRow):
    figures: Figures
    coachee: str
    coach: str
    current: bool = Field(description="The pair is still open")
    last_seen: dt.date | None = Field(description="The last drop-in held or recorded")
    unseen_weeks: int | None = Field(description="Set when flagged as not seen for a while")


class CoacheeRow(Tally, _Coachee):
    """One pair's completion, by coachee."""


class CoacheePage(Page):
    items: list[CoacheeRow]


# Steps ------------------------------------------------------------------------------------


class StepCounts(Schema):
    academic_year: str | None
    current_steps: int = Field(description="Agreed, practising, reopened or paused")
    secured_steps: int
    total_steps: int


class _Strand(SchoolRow):
    strand: str


class StrandRow(StepCounts, _Strand):
    """Steps this academic year in one strand of the library (or written by the pair)."""


class StrandPage(Page):
    items: list[StrandRow]


class _Priority(SchoolRow):
    priority: str
    outside_the_priorities: bool


class PriorityRow(StepCounts, _Priority):
    """Steps this academic year serving one whole-school priority (a step may serve two)."""


class PriorityPage(Page):
    items: list[PriorityRow]


class StickRateRow(SchoolRow):
    steps_proposed: int
    steps_agreed: int
    steps_practising: int
    steps_reopened: int
    steps_secured: int
    steps_paused: int
    secured_this_half_term: int
    stuck: int = Field(description="Secured steps still seen at their stick-check")
    slipped: int = Field(description="Secured steps not seen at their stick-check (reopened)")
    stick_rate_percent: int | None = Field(description="stuck ÷ (stuck + slipped)")


class StickRatePage(Page):
    items: list[StickRateRow]


# Induction ----------------------------------------------------------------------------------


ReviewStatus = Literal["not started", "draft", "signed by the tutor", "signed by all"]


class InductionReviewRow(SchoolRow):
    ect_name: str
    ect_email: str
    induction_start: dt.date
    fte: float
    appropriate_body: str
    induction_tutor: str | None
    review: str = Field(description="Which review or assessment, and when")
    review_kind: str
    due_on: dt.date
    status: ReviewStatus
    outcome: str | None = Field(description="`on track` or `not on track` once written")
    mentor_meetings_held: int
    mentor_meetings_planned: int
    time_off_hours: float
    time_off_hours_due: float | None


class InductionReviewPage(Page):
    items: list[InductionReviewRow]


class InductionSummaryRow(SchoolRow):
    review_kind: str
    ects: int = Field(description="ECTs with a review or assessment of this kind in their plan")
    reviews: int = Field(description="Reviews of this kind in the ECTs' plans, due or not")
    due: int = Field(description="Reviews due by today")
    overdue: int = Field(description="Reviews due by today and not yet signed by all")
    not_started: int
    draft: int
    signed_by_the_tutor: int
    signed_by_all: int


class InductionSummaryPage(Page):
    items: list[InductionSummaryRow]


# The person's own timeline --------------------------------------------------------------------


class CurrentStep(Schema):
    title: str
    state: str
    stuck: bool = Field(description="Seen again at its stick-check")
    url: str


class TimelineEntry(Schema):
    kind: Literal["drop-in", "meeting", "step"]
    id: int
    at: dt.datetime
    url: str
    who: str = Field(description="The observer, the coach, or who changed the step")
    is_draft: bool
    evidence: list[str] = Field(description="Drop-ins: what was seen of the steps")
    rehearsal_rounds: str
    awaits_reflection: bool
    step_title: str
    change: str


class TimelinePage(Page):
    school_urn: str
    school_name: str
    academic_year: str | None
    current_steps: list[CurrentStep]
    items: list[TimelineEntry]
