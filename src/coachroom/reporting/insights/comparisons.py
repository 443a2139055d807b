"""The questions Insights asks of a school's steps, and the rules that keep its answers honest.

Each comparison splits the steps by one feature into groups. A group is shown only when
- it has steps from at least `MIN_PEOPLE` teachers and `MIN_COACHES` coaches: a smaller group
  is a few people's record, which leaders must never see (and a group that is one coach's work
  would rank coaches);
- it has at least the school's minimum number of steps (`School.insights_min_steps`).
A comparison needs two groups shown; otherwise it is withheld, with the reason, and no figure
from it appears. If any group with steps is too few people, the whole comparison is withheld:
its figures could otherwise be worked out from the others and the school's totals. Steps whose
feature is not known (a subject not recorded, a pair not asked about line management) sit in no
group.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coachroom.reporting.insights.facts import StepFacts
from coachroom.reporting.insights.stats import Median, Proportion, median_time, wilson

MIN_PEOPLE = 5
MIN_COACHES = 2
REOBSERVED_WITHIN_DAYS = 14

Key = Callable[[StepFacts], str | None]


def _yes_no(yes: str, no: str, read: Callable[[StepFacts], bool | None]) -> Key:
    def key(f: StepFacts) -> str | None:
        value = read(f)
        return None if value is None else yes if value else no

    return key


def _rounds(f: StepFacts) -> str | None:
    if f.rehearsal_rounds is None:
        return None
    return {0: "No rehearsal", 1: "1 round"}.get(f.rehearsal_rounds, "2 or more rounds")


def _drop_in_gap(f: StepFacts) -> str | None:
    days = f.days_drop_in_to_meeting
    if days is None:
        return None
    return "Same or next day" if days <= 1 else "2 to 4 days" if days <= 4 else "5 days or more"


def _reobserved(f: StepFacts) -> str | None:
    days = f.days_to_reobservation
    if days is None:
        return None
    return f"Within {REOBSERVED_WITHIN_DAYS} days" if days <= REOBSERVED_WITHIN_DAYS else "Later"


def _cadence(f: StepFacts) -> str | None:
    labels = {"weekly": "Weekly", "fortnightly": "Fortnightly", "less": "Less often"}
    return labels.get(f.cadence_achieved or "")


@dataclass(frozen=True)
class Question:
    slug: str
    title: str
    key: Key
    order: tuple[str, ...]  # group labels in the order shown
    about: str  # how the groups are told apart, in one sentence


QUESTIONS = (
    Question(
        "subject",
        "Coached by someone who teaches the same subject, or a different one",
        _yes_no("Same subject", "Different subject", lambda f: f.same_subject),
        ("Same subject", "Different subject"),
        "From the subjects on each person's staff record; steps where either is blank are "
        "left out.",
    ),
    Question(
        "line-manager",
        "Coached by their line manager, or not",
        _yes_no("Line manager", "Not their line manager", lambda f: f.line_manager),
        ("Line manager", "Not their line manager"),
        "As recorded on the pair; pairs where nobody was asked are left out.",
    ),
    Question(
        "priority",
        "Steps serving a whole-school priority, or the teacher's own focus",
        _yes_no("Serves a priority", "Teacher's own focus", lambda f: f.priority_aligned),
        ("Serves a priority", "Teacher's own focus"),
        "A step serves a priority when its library step or strand is linked to one of that "
        "year's priorities, or a goal it serves names one.",
    ),
    Question(
        "proposer",
        "Steps the teacher proposed, or the coach",
        _yes_no("Teacher proposed", "Coach proposed", lambda f: f.teacher_proposed),
        ("Teacher proposed", "Coach proposed"),
        "Who proposed the step that was agreed (a teacher's alternative counts as theirs).",
    ),
    Question(
        "rehearsal",
        "Rehearsal rounds in the meeting",
        _rounds,
        ("No rehearsal", "1 round", "2 or more rounds"),
        "The most rounds rehearsed in any one meeting about the step.",
    ),
    Question(
        "drop-in-gap",
        "Days from the drop-in to the feedback meeting",
        _drop_in_gap,
        ("Same or next day", "2 to 4 days", "5 days or more"),
        "For the meeting where the step was set, counted from the drop-in it followed.",
    ),
    Question(
        "reobservation",
        f"Re-observed within {REOBSERVED_WITHIN_DAYS} days, or later",
        _reobserved,
        (f"Within {REOBSERVED_WITHIN_DAYS} days", "Later"),
        "Days from agreeing the step to the first drop-in that looked for it; steps never "
        "looked for are left out.",
    ),
    Question(
        "cadence",
        "How often the pair actually met",
        _cadence,
        ("Weekly", "Fortnightly", "Less often"),
        "Feedback meetings held per school week over the pair's time together: 0.75 or more is "
        "weekly, 0.375 or more fortnightly.",
    ),
)


@dataclass(frozen=True)
class Outcomes:
    """What became of a set of steps: each figure with its interval and the count behind it."""

    steps: int
    teachers: int
    coaches: int
    secured: Proportion
    time: Median
    stuck: Proportion | None  # None: fewer re-checks than the minimum

    @property
    def rechecked(self) -> int:
        return self.stuck.n if self.stuck else 0


def outcomes(facts: Sequence[StepFacts], *, min_steps: int) -> Outcomes:
    rechecked = [f for f in facts if f.stuck is not None]
    return Outcomes(
        steps=len(facts),
        teachers=len({f.teacher_id for f in facts}),
        coaches=len({f.coach_id for f in facts}),
        secured=wilson(sum(f.secured for f in facts), len(facts)),
        time=median_time([f.weeks_followed for f in facts], [f.secured for f in facts]),
        stuck=(
            wilson(sum(bool(f.stuck) for f in rechecked), len(rechecked))
            if len(rechecked) >= min_steps
            else None
        ),
    )


@dataclass(frozen=True)
class Group:
    label: str
    shown: Outcomes | None
    withheld: str = ""  # why, when not shown


@dataclass(frozen=True)
class Comparison:
    question: Question
    groups: tuple[Group, ...]
    withheld: str = ""  # why the whole comparison is not shown

    @property
    def is_shown(self) -> bool:
        return not self.withheld

    @property
    def shown_groups(self) -> list[tuple[str, Outcomes]]:
        return [(g.label, g.shown) for g in self.groups if g.shown is not None]

    @property
    def steps(self) -> int:
        return sum(o.steps for _label, o in self.shown_groups)


ABOUT_INDIVIDUALS = (
    f"steps from fewer than {MIN_PEOPLE} teachers or {MIN_COACHES} coaches, "
    "so the figure would be about individuals"
)


def _why_not(members: Sequence[StepFacts], min_steps: int) -> str:
    teachers = len({f.teacher_id for f in members})
    coaches = len({f.coach_id for f in members})
    if teachers < MIN_PEOPLE or coaches < MIN_COACHES:
        return ABOUT_INDIVIDUALS
    if len(members) < min_steps:
        return f"fewer than {min_steps} steps"
    return ""


def compare(question: Question, facts: Sequence[StepFacts], *, min_steps: int) -> Comparison:
    by_label: dict[str, list[StepFacts]] = {label: [] for label in question.order}
    for f in facts:
        label = question.key(f)
        if label is not None:
            by_label[label].append(f)
    groups = []
    for label, members in by_label.items():
        why = _why_not(members, min_steps)
        groups.append(
            Group(label, None, why) if why else Group(label, outcomes(members, min_steps=min_steps))
        )
    about_individuals = any(by_label[g.label] and g.withheld == ABOUT_INDIVIDUALS for g in groups)
    if about_individuals or sum(g.shown is not None for g in groups) < 2:
        reasons = sorted({g.withheld for g in groups if g.withheld})
        return Comparison(
            question,
            tuple(
                Group(g.label, None, g.withheld or "shown only beside another group")
                for g in groups
            ),
            withheld="; ".join(reasons).capitalize() + " on at least one side.",
        )
    return Comparison(question, tuple(groups))


def compare_all(facts: Sequence[StepFacts], *, min_steps: int) -> list[Comparison]:
    return [compare(q, facts, min_steps=min_steps) for q in QUESTIONS]
