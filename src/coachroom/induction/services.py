"""Writes for the induction app: loading the framework's statements, and tagging steps and
meetings with them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import User
from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.core.errors import DomainError
from coachroom.induction.framework_file import StatementRow
from coachroom.induction.models import FrameworkStatement, FrameworkTag


@dataclass
class FrameworkImport:
    dry_run: bool
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        done = "would be" if self.dry_run else "were"
        line = (
            f"Framework statements: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged."
        )
        if self.dry_run:
            line += " Dry run: nothing was saved."
        elif not (self.added or self.updated or self.removed):
            line += " Nothing changed."
        details = [
            f"{label} {done} {verb}: {', '.join(numbers[:10])}"
            + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
            for label, verb, numbers in (
                ("Statements", "added", self.added),
                ("Statements", "updated", self.updated),
                ("Statements", "removed", self.removed),
            )
            if numbers
        ]
        return "\n".join([line, *details])


@transaction.atomic
def framework_import(*, rows: list[StatementRow], dry_run: bool) -> FrameworkImport:
    """Make the loaded statements match the file: add new numbers, update changed wording or
    kind, remove numbers the file no longer has. Running it twice changes nothing the second
    time. Tags name numbers, not rows, so they keep their meaning whatever changes."""
    outcome = FrameworkImport(dry_run=dry_run)
    existing = {(s.section, s.number): s for s in FrameworkStatement.objects.all()}
    now = timezone.now()
    to_add: list[FrameworkStatement] = []
    to_update: list[FrameworkStatement] = []
    for row in rows:
        current = existing.pop((row.section, row.number), None)
        if current is None:
            outcome.added.append(row.number)
            to_add.append(
                FrameworkStatement(
                    section=row.section,
                    number=row.number,
                    kind=row.kind,
                    text=row.text,
                    loaded_at=now,
                )
            )
        elif current.kind != row.kind or current.text != row.text:
            outcome.updated.append(row.number)
            current.kind, current.text, current.loaded_at = row.kind, row.text, now
            to_update.append(current)
        else:
            outcome.unchanged += 1
    outcome.removed = [s.number for s in existing.values()]
    if dry_run:
        return outcome
    FrameworkStatement.objects.bulk_create(to_add)
    FrameworkStatement.objects.bulk_update(to_update, ["kind", "text", "loaded_at"])
    FrameworkStatement.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
    if outcome.added or outcome.updated or outcome.removed:
        audit.record(
            actor=None,
            action="induction.framework.imported",
            data={
                "added": len(outcome.added),
                "updated": len(outcome.updated),
                "removed": len(outcome.removed),
            },
        )
    return outcome


@transaction.atomic
def tag_add(
    *,
    by: User,
    section: int,
    statement: str,
    step: ActionStep | None = None,
    meeting: FeedbackMeeting | None = None,
) -> FrameworkTag:
    record = step or meeting
    if record is None or (step is not None and meeting is not None):
        raise ValueError("tag exactly one of a step or a meeting")
    duplicate = FrameworkTag.objects.filter(
        step=step, meeting=meeting, section=section, statement=statement
    )
    if duplicate.exists():
        raise DomainError("It already has that tag.")
    try:
        with transaction.atomic():
            tag = FrameworkTag.objects.create(
                school=record.school,
                step=step,
                meeting=meeting,
                section=section,
                statement=statement,
                added_by=by,
                added_at=timezone.now(),
            )
    except IntegrityError as error:  # added at the same moment by someone else
        raise DomainError("It already has that tag.") from error
    audit.record(
        actor=by,
        action="induction.tag.added",
        school=record.school,
        target=record,
        data={"section": section, "statement": statement},
    )
    return tag


@transaction.atomic
def tag_remove(*, tag: FrameworkTag, by: User) -> None:
    record = tag.step or tag.meeting
    audit.record(
        actor=by,
        action="induction.tag.removed",
        school=tag.school,
        target=record,
        data={"section": tag.section, "statement": tag.statement},
    )
    tag.delete()
