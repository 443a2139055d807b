"""The step picker in the feedback meeting: a few suggested steps to start with, and a search of
the whole library, grouped by strand, suited to the school's phase and the teacher's subjects
(or all of them), a page at a time.

The meeting page opens with the suggestions only (the school's priorities, then steps like the
current one), so it costs the same whatever the size of the library; so does the page shown
again after a save that needs correcting, and clearing the search brings them back. Searching,
ticking "show every step", "Find steps" or asking for the next page lists the matches,
`PAGE_SIZE` at a time: with htmx as you type, without JavaScript through "Find steps" and
"More steps", which post the meeting form back with what was typed. Paging through "show
every step" reaches every step the school may choose. Searching is two queries (the library
with its strands, the teacher's subjects); the filtering, grouping and paging happen here, on a
list the school's library keeps small.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms

from coachroom.accounts.models import CoachingRelationship, Membership, School
from coachroom.coaching.goals.services import priority_suggestions
from coachroom.coaching.models import ActionStep
from coachroom.library.models import LibraryStep, Phase, Strand
from coachroom.library.services import phases_for, suggest_steps

PAGE_SIZE = 20
SUGGESTED = 5
# "Find steps": with nothing typed, it lists the library (suited steps, or every step), a page
# at a time. Words typed, "show every step" or a page do the same without it.
FIND = "find_steps"


class PickerSearchForm(forms.Form):
    """The picker's query string: what to look for, whether to show every step, the page and
    the choice."""

    q = forms.CharField(label="Search the step library", required=False, max_length=100)
    show_all = forms.BooleanField(
        label="Show every step, not only those for this phase and the teacher's subjects",
        required=False,
    )
    page = forms.IntegerField(required=False, min_value=1)
    library_step = forms.IntegerField(required=False, min_value=1)


@dataclass
class StrandGroup:
    strand: Strand
    steps: list[LibraryStep] = field(default_factory=list)


@dataclass
class StepPicker:
    """What the picker shows: the suggestions (before any search) or a page of matches."""

    searching: bool
    suggested: list[LibraryStep]
    groups: list[StrandGroup]
    query: str
    show_all: bool
    chosen: LibraryStep | None
    suited_to: list[str]  # what a search is filtered to, in words, e.g. ["Secondary", "Maths"]
    shown: int  # steps listed on this page
    matches: int  # steps matching the search, on every page
    page: int = 1
    next_page: int | None = None

    @property
    def sections(self) -> list[tuple[str, list[LibraryStep]]]:
        """What the template lists, in one loop: the chosen step (no heading), then the
        suggestions or each strand's matches, without the chosen step again."""
        chosen = [self.chosen] if self.chosen is not None else []
        listed = (
            [(g.strand.name, g.steps) for g in self.groups]
            if self.searching
            else [("Suggested steps", self.suggested)]
            if self.suggested
            else []
        )
        sections = [("", chosen)]
        sections += [(name, [s for s in steps if s not in chosen]) for name, steps in listed]
        return [(name, steps) for name, steps in sections if steps]

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.shown else 0

    @property
    def last_shown(self) -> int:
        return (self.page - 1) * PAGE_SIZE + self.shown


def library_for(school: School) -> Any:
    """Every step the school may choose in a meeting, in library order."""
    return (
        LibraryStep.objects.available_to(school)
        .select_related("strand")
        .order_by("strand__order", "strand__name", "title", "pk")
    )


def teacher_subjects(relationship: CoachingRelationship) -> list[str]:
    value = (
        Membership.objects.filter(user=relationship.coachee_id, school=relationship.school_id)
        .order_by()
        .values_list("subjects", flat=True)
        .first()
    )
    return [s.strip() for s in (value or "").split(",") if s.strip()]


def _suits(step: LibraryStep, phases: tuple[str, ...], subjects: set[str]) -> bool:
    if step.phase not in phases:
        return False
    named = {s.lower() for s in step.subject_list}
    return not named or not subjects or bool(named & subjects)


def _matches(step: LibraryStep, words: list[str]) -> bool:
    text = f"{step.title}\n{step.looks_like}\n{step.strand.name}".lower()
    return all(word in text for word in words)


def _suited_to(relationship: CoachingRelationship, subjects: list[str]) -> list[str]:
    school = relationship.school
    phases = phases_for(school)
    phase = [] if len(phases) == len(Phase) else [School.Phase(school.phase).label]
    return [*phase, *subjects]


def search(
    *,
    relationship: CoachingRelationship,
    query: str = "",
    show_all: bool = False,
    page: int = 1,
    chosen_id: int | None = None,
) -> StepPicker:
    """A page of the library steps matching `query`, grouped by strand, in library order."""
    school = relationship.school
    phases = phases_for(school)
    subjects = teacher_subjects(relationship)
    wanted = {s.lower() for s in subjects}
    words = query.lower().split()
    found: list[LibraryStep] = []
    chosen = None
    for step in library_for(school):
        if step.pk == chosen_id:
            chosen = step
        if (show_all or _suits(step, phases, wanted)) and _matches(step, words):
            found.append(step)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    groups: dict[int, StrandGroup] = {}
    listed = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    for step in listed:
        groups.setdefault(step.strand_id, StrandGroup(step.strand)).steps.append(step)
    return StepPicker(
        searching=True,
        suggested=[],
        groups=list(groups.values()),
        query=query,
        show_all=show_all,
        chosen=chosen,
        suited_to=_suited_to(relationship, subjects),
        shown=len(listed),
        matches=len(found),
        page=page,
        next_page=page + 1 if page < pages else None,
    )


def suggestions_only(
    *,
    relationship: CoachingRelationship,
    suggested: list[LibraryStep],
    chosen_id: int | None = None,
) -> StepPicker:
    """Before any search: the suggested steps, and the step chosen in the library (if any)."""
    chosen = next((s for s in suggested if s.pk == chosen_id), None)
    if chosen_id is not None and chosen is None:
        chosen = library_for(relationship.school).filter(pk=chosen_id).first()
    return StepPicker(
        searching=False,
        suggested=suggested,
        groups=[],
        query="",
        show_all=False,
        chosen=chosen,
        suited_to=[],
        shown=len(suggested),
        matches=len(suggested),
    )


def suggested_steps(
    relationship: CoachingRelationship, current: ActionStep | None
) -> list[LibraryStep]:
    """Steps serving the school's priorities first (up to three), then steps in the current
    step's strand, then the rest of the library in order, `SUGGESTED` in all.
    `current`: the pair's active step (`services.active_step`, with its library step)."""
    school = relationship.school
    library_step = current.library_step if current is not None else None
    exclude = [library_step.pk] if library_step is not None else []
    picks = priority_suggestions(
        school=school,
        exclude_ids=exclude,
        limit=3,
        like_strand=library_step.strand_id if library_step is not None else None,
        like_limit=SUGGESTED,
    )[:SUGGESTED]
    if len(picks) < SUGGESTED:  # a short strand, or no priorities and no current step
        picks += suggest_steps(
            school=school,
            exclude_ids=[*exclude, *(s.pk for s in picks)],
            limit=SUGGESTED - len(picks),
        )
    return picks


def picker_from(
    data: Mapping[str, Any],
    *,
    relationship: CoachingRelationship,
    suggest: Callable[[], list[LibraryStep]],
) -> StepPicker:
    """The picker for a query string or posted form (anything invalid is ignored): the
    suggestions (`suggest()`, asked only then) until the coach searches, then the matches."""
    form = PickerSearchForm(data)
    clean = form.cleaned_data if form.is_valid() else {}
    chosen_id = clean.get("library_step")
    query = (clean.get("q") or "").strip()
    show_all = bool(clean.get("show_all"))
    page = clean.get("page")
    if not (query or show_all or page or FIND in data):
        return suggestions_only(relationship=relationship, suggested=suggest(), chosen_id=chosen_id)
    return search(
        relationship=relationship,
        query=query,
        show_all=show_all,
        page=page or 1,
        chosen_id=chosen_id,
    )
