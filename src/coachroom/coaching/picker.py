"""The step picker in the feedback meeting: library steps grouped by strand, suited to the
school's phase and the teacher's subjects (or all of them), searched as you type.

One query for the library and one for the teacher's subjects, however many steps there are:
the filtering and grouping happen here, on a list the school's library keeps small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms

from coachroom.accounts.models import CoachingRelationship, Membership, School
from coachroom.library.models import LibraryStep, Phase, Strand
from coachroom.library.services import phases_for


class PickerSearchForm(forms.Form):
    """The picker's query string: what to look for, whether to show every step, the choice."""

    q = forms.CharField(label="Search the step library", required=False, max_length=100)
    show_all = forms.BooleanField(
        label="Show every step, not only those for this phase and the teacher's subjects",
        required=False,
    )
    library_step = forms.IntegerField(required=False, min_value=1)


@dataclass
class StrandGroup:
    strand: Strand
    steps: list[LibraryStep] = field(default_factory=list)


@dataclass
class StepPicker:
    groups: list[StrandGroup]
    query: str
    show_all: bool
    chosen: LibraryStep | None
    suited_to: list[str]  # what the list is filtered to, in words, e.g. ["Secondary", "Maths"]
    shown: int
    total: int


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


def build_picker(
    *,
    relationship: CoachingRelationship,
    library: list[LibraryStep],
    query: str = "",
    show_all: bool = False,
    chosen_id: int | None = None,
) -> StepPicker:
    school = relationship.school
    phases = phases_for(school)
    subjects = teacher_subjects(relationship)
    wanted = {s.lower() for s in subjects}
    words = query.lower().split()
    groups: dict[int, StrandGroup] = {}
    chosen = None
    shown = 0
    for step in library:
        if step.pk == chosen_id:
            chosen = step
        if not show_all and not _suits(step, phases, wanted):
            continue
        if not _matches(step, words):
            continue
        groups.setdefault(step.strand_id, StrandGroup(step.strand)).steps.append(step)
        shown += 1
    suited_to = [] if len(phases) == len(Phase) else [School.Phase(school.phase).label]
    return StepPicker(
        groups=list(groups.values()),
        query=query,
        show_all=show_all,
        chosen=chosen,
        suited_to=[*suited_to, *subjects],
        shown=shown,
        total=len(library),
    )


def picker_from(
    data: Any, *, relationship: CoachingRelationship, library: list[LibraryStep]
) -> StepPicker:
    """The picker for a query string or posted form (anything invalid is ignored)."""
    search = PickerSearchForm(data)
    clean = search.cleaned_data if search.is_valid() else {}
    return build_picker(
        relationship=relationship,
        library=library,
        query=(clean.get("q") or "").strip(),
        show_all=bool(clean.get("show_all")),
        chosen_id=clean.get("library_step"),
    )
