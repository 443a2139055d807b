"""Writes to the step library, each one transaction with one audit entry, and the step
suggestions the coaching pages call.

Starter and trust steps are shared: a school never edits them in place. It copies one into a
school-owned step (`copied_from` keeps the link and the attribution) and may hide the
original from its own library. Archiving and hiding never delete anything, because agreed
action steps may point at the step.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Lower

from coachroom import audit
from coachroom.accounts.models import School, User
from coachroom.core.errors import DomainError
from coachroom.library.models import LibraryStep, Phase, Problem, Strand, SubStrand


class StepDetails(TypedDict, total=False):
    substrand: SubStrand | None
    why: str
    drill: str
    pitfalls: str
    model_text: str
    video_url: str
    phase: str
    subjects: str
    ittecf_sections: str
    problems: Iterable[Problem]


class StepChanges(StepDetails, total=False):
    strand: Strand
    title: str
    looks_like: str


# What a copy takes from its original, unless the copier changes it.
CONTENT_FIELDS = (
    "strand",
    "substrand",
    "title",
    "looks_like",
    "why",
    "drill",
    "pitfalls",
    "model_text",
    "video_url",
    "phase",
    "subjects",
    "ittecf_sections",
)
SOURCE_LENGTH = LibraryStep._meta.get_field("source").max_length or 200


def owner_name(step: LibraryStep) -> str:
    if step.school_id is not None:
        return str(step.school)
    if step.trust_id is not None:
        return str(step.trust)
    return "the Coachroom starter library"


def _is_shared_with(step: LibraryStep, school: School) -> bool:
    return step.school_id is None and step.trust_id in (None, school.trust_id)


@transaction.atomic
def library_step_create(
    *,
    school: School,
    by: User,
    strand: Strand,
    title: str,
    looks_like: str,
    **details: Unpack[StepDetails],
) -> LibraryStep:
    """A step written by the school, for the school."""
    problems = list(details.pop("problems", ()))
    step = LibraryStep(
        school=school,
        strand=strand,
        title=title,
        looks_like=looks_like,
        source=f"Written at {school.name}"[:SOURCE_LENGTH],
        created_by=by,
    )
    _apply(step, dict(details))
    step.save()
    step.problems.set(problems)
    audit.record(
        actor=by,
        action="library.step.created",
        school=school,
        target=step,
        data={"strand": strand.slug},
    )
    return step


@transaction.atomic
def library_step_copy(
    *,
    step: LibraryStep,
    school: School,
    by: User,
    hide_original: bool = False,
    **changes: Unpack[StepChanges],
) -> LibraryStep:
    """A school-owned copy of a step the school can see, with the copier's changes.

    With `hide_original`, a starter or trust original disappears from the school's library,
    so coaches see only the school's wording.
    """
    fields: dict[str, Any] = {name: getattr(step, name) for name in CONTENT_FIELDS}
    problems = list(changes.pop("problems", step.problems.all()))
    fields.update(changes)
    if step.school_id == school.pk:
        source = step.source or f"Written at {school.name}"
    else:
        source = f"{school.name}, adapted from {step.source or owner_name(step)}"
    copy = LibraryStep(
        school=school,
        copied_from=step,
        source=source[:SOURCE_LENGTH],
        licence=step.licence,
        created_by=by,
    )
    _apply(copy, fields)
    copy.save()
    copy.problems.set(problems)
    hid = False
    if hide_original and _is_shared_with(step, school):
        step.hidden_by.add(school)
        hid = True
    audit.record(
        actor=by,
        action="library.step.copied",
        school=school,
        target=copy,
        data={"copied_from": step.pk, "hid_original": hid},
    )
    return copy


@transaction.atomic
def library_step_update(
    *, step: LibraryStep, by: User, **changes: Unpack[StepChanges]
) -> LibraryStep:
    """Edit a school's own step. Any change bumps its version; no change saves nothing."""
    if step.school_id is None:
        raise DomainError("Shared steps are copied, never edited in place.")
    problems = changes.pop("problems", None)
    values = dict(changes)
    changed = [name for name, value in values.items() if getattr(step, name) != value]
    new_problems: set[int] | None = None
    if problems is not None:
        new_problems = {p.pk for p in problems}
        if new_problems != set(step.problems.values_list("pk", flat=True)):
            changed.append("problems")
    if not changed:
        return step
    # Lock the row so that two leads saving at once get two versions, not one.
    current = LibraryStep.objects.select_for_update().values_list("version", flat=True)
    step.version = current.get(pk=step.pk) + 1
    _apply(step, values)
    step.save()
    if new_problems is not None:
        step.problems.set(new_problems)
    audit.record(
        actor=by,
        action="library.step.updated",
        school=step.school,
        target=step,
        data={"fields": sorted(changed), "version": step.version},
    )
    return step


@transaction.atomic
def library_step_archive(*, step: LibraryStep, school: School, by: User) -> LibraryStep:
    """Archive the school's own step, or hide a starter or trust step from the school."""
    if step.school_id == school.pk:
        if step.is_archived:
            raise DomainError(f"“{step.title}” is already archived.")
        step.is_archived = True
        step.save(update_fields=["is_archived", "updated_at"])
        action = "library.step.archived"
    elif _is_shared_with(step, school):
        if step.hidden_by.filter(pk=school.pk).exists():
            raise DomainError(f"“{step.title}” is already hidden from {school.name}.")
        step.hidden_by.add(school)
        action = "library.step.hidden"
    else:
        raise DomainError("Only your school's own steps and shared steps can be archived.")
    audit.record(actor=by, action=action, school=school, target=step)
    return step


@transaction.atomic
def library_step_restore(*, step: LibraryStep, school: School, by: User) -> LibraryStep:
    """Undo `library_step_archive`: the step is back in the school's library."""
    if step.school_id == school.pk:
        if not step.is_archived:
            raise DomainError(f"“{step.title}” is not archived.")
        step.is_archived = False
        step.save(update_fields=["is_archived", "updated_at"])
        action = "library.step.restored"
    elif _is_shared_with(step, school):
        if not step.hidden_by.filter(pk=school.pk).exists():
            raise DomainError(f"“{step.title}” is not hidden from {school.name}.")
        step.hidden_by.remove(school)
        action = "library.step.unhidden"
    else:
        raise DomainError("Only your school's own steps and shared steps can be restored.")
    audit.record(actor=by, action=action, school=school, target=step)
    return step


def _apply(step: LibraryStep, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name not in CONTENT_FIELDS:
            raise TypeError(f"{name} is not a library step field that can be changed")
        setattr(step, name, value)


# Reads for other apps --------------------------------------------------------------------------

PHASES_FOR_SCHOOL = {
    School.Phase.PRIMARY: (Phase.ALL, Phase.PRIMARY),
    School.Phase.SECONDARY: (Phase.ALL, Phase.SECONDARY),
}


def phases_for(school: School) -> tuple[str, ...]:
    """Step phases that suit the school. All-through, special and AP schools get every step."""
    return tuple(PHASES_FOR_SCHOOL.get(School.Phase(school.phase), tuple(Phase)))


def suggest_steps(
    *,
    school: School,
    strand: Strand | int | None = None,
    exclude_ids: Collection[int] = (),
    limit: int = 5,
) -> list[LibraryStep]:
    """Steps to offer a coach: available to the school and suited to its phase, those in
    `strand` (a strand or its id) first, then the rest in library order. One query."""
    qs = (
        LibraryStep.objects.available_to(school)
        .filter(phase__in=phases_for(school))
        .exclude(pk__in=list(exclude_ids))
        .select_related("strand", "substrand")
    )
    same_strand = (
        Case(When(strand=strand, then=Value(0)), default=Value(1), output_field=IntegerField())
        if strand is not None
        else Value(0, output_field=IntegerField())
    )
    ordered = qs.annotate(same_strand=same_strand).order_by(
        "same_strand",
        "strand__order",
        F("substrand__order").asc(nulls_last=True),
        Lower("title"),
        "pk",
    )
    return list(ordered[:limit])
