"""The portable record's writes: an export (audited as one) and attaching a record at the new
school, once however often the same file comes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from coachroom import audit
from coachroom.accounts.models import User
from coachroom.coaching.policy import Who
from coachroom.core.errors import DomainError
from coachroom.induction.models import EarlierInductionRecord, Induction
from coachroom.induction.portable.archive import Reading, archive_name, write_archive
from coachroom.induction.portable.pdf import record_pdf
from coachroom.induction.portable.record import record_data
from coachroom.induction.reviews import may_assess


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    reviews: int
    steps: int


def record_archive(*, induction: Induction, reader: Who) -> Export:
    """The zip of the induction as `reader` (the ECT) reads it; nothing is written."""
    data = record_data(induction, reader)
    content = write_archive(data, record_pdf(data))
    return Export(archive_name(data), content, len(data["reviews"]), len(data["steps"]))


def record_exported(*, induction: Induction, export: Export, by: User | None) -> None:
    """Audit an export once it has left: `by` None is `coachroom export ect` at the terminal."""
    audit.record(
        actor=by,
        action="induction.record.exported",
        school=induction.school,
        target=induction,
        subject=induction.ect,
        data={
            "reviews": export.reviews,
            "steps": export.steps,
            "via": "web" if by is not None else "command line",
        },
    )


@transaction.atomic
def earlier_record_attach(
    *, induction: Induction, reading: Reading, by: User
) -> tuple[EarlierInductionRecord, bool]:
    """Attach a checked record to the induction; the same file again (a double tap, a second
    try) finds the first. True when it was attached now."""
    if not may_assess(by, induction.school_id):
        raise DomainError("Earlier records are attached by induction tutors and senior leaders.")
    if not reading.ok:
        raise DomainError("The file has problems, so nothing was attached.")
    # The attacher reads the school's records (may_assess above), so the gate shows them all.
    mine = EarlierInductionRecord.objects.visible_to(by).filter(induction=induction)
    existing = mine.filter(sha256=reading.sha256).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            record = EarlierInductionRecord.objects.create(
                school=induction.school,
                induction=induction,
                previous_school=reading.data["school"]["name"],
                data=reading.data,
                pdf=reading.pdf,
                sha256=reading.sha256,
                imported_by=by,
            )
    except IntegrityError:  # attached at the same moment by another request
        return mine.get(sha256=reading.sha256), False
    audit.record(
        actor=by,
        action="induction.earlier_record.imported",
        school=induction.school,
        target=record,
        subject=induction.ect,
        data={"reviews": len(reading.data["reviews"]), "steps": len(reading.data["steps"])},
    )
    return record, True
