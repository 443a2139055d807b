"""The school's whole data set, as a zip of JSON, for its data protection lead.

This is the controller's data-portability copy (UK GDPR art. 20; the school is the controller).
It holds coaching notes that leaders never otherwise see, so only the school's data protection
lead can make it, they must give a reason, and it is audited once for the school and once for
every person whose coaching records it holds (`covered_people`), so that each of them sees it
on "who has viewed my coaching records".
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

import coachroom
from coachroom import audit
from coachroom.accounts.models import School, User
from coachroom.coaching import policy
from coachroom.coaching.goals.models import Goal
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Observation
from coachroom.core.errors import DomainError
from coachroom.leading.models import CoachingReview, Thanks, WalkVisit
from coachroom.records import serialization
from coachroom.records.backup import backup_models
from coachroom.scheduling.models import SessionOccurrence

EXPORTED = "records.school.exported"
STAFF_FIELDS = ["email", "first_name", "last_name", "is_active", "date_joined", "last_login"]


@dataclass(frozen=True)
class SchoolTable:
    label: str
    queryset: QuerySet[Any]
    fields: list[str] | None = None

    @property
    def model(self) -> type[Model]:
        return self.queryset.model

    @property
    def file(self) -> str:
        return f"{self.model._meta.label_lower}.json"


LABELS = {
    "accounts.school": "School",
    "accounts.academicyear": "Academic years",
    "accounts.term": "Half-terms",
    "accounts.closure": "Closures",
    "accounts.user": "Staff",
    "accounts.membership": "Staff roles",
    "accounts.coachingrelationship": "Coaching pairs",
    "library.librarystep": "Library steps",
    "coaching.actionstep": "Action steps",
    "coaching.steptransition": "Step history",
    "coaching.observation": "Drop-ins",
    "coaching.stepevidence": "Step evidence",
    "coaching.feedbackmeeting": "Feedback meetings",
    "coaching.rehearsalround": "Rehearsal rounds",
    "scheduling.scheduledslot": "Timetabled slots",
    "scheduling.sessionoccurrence": "Sessions",
    "audit.auditevent": "Audit events",
}


# Lesson video is the teacher's alone (README, "Who can see video"): never in the school's copy.
TEACHER_ONLY = frozenset(
    {"video.clip", "video.clipcomment", "video.clipshare", "video.uploadconsent"}
)


def _owned_by_a_school(model: type[Model]) -> bool:
    try:
        field = model._meta.get_field("school")
    except FieldDoesNotExist:
        return False
    return field.is_relation and field.related_model is School and not field.many_to_many


def school_tables(school: School) -> list[SchoolTable]:
    """Every row the school owns, table by table: the school, its staff (no password hashes)
    and every table with a `school` column (house style: each school-owned row has one), so
    tables added later are exported too."""
    tables = [
        SchoolTable("School", School.objects.filter(pk=school.pk)),
        SchoolTable(
            "Staff", User.objects.filter(memberships__school=school).distinct(), STAFF_FIELDS
        ),
    ]
    for model in backup_models():
        if model._meta.label_lower in TEACHER_ONLY:
            continue
        if model is not School and _owned_by_a_school(model):
            label = LABELS.get(
                model._meta.label_lower, str(model._meta.verbose_name_plural).capitalize()
            )
            tables.append(SchoolTable(label, model._base_manager.filter(school=school)))
    return tables


def school_counts(school: School) -> list[tuple[str, int]]:
    return [(t.label, t.queryset.count()) for t in school_tables(school)]


# (model, the person each row is about). The same people a subject access request would give
# each row to as "about you": drop-ins, meetings, steps (with their histories), learning-walk
# visits and goals are about the teacher; a review is about the coach reviewed; thanks are the
# coach's and the teacher's who wrote them; a session's note (why it was missed or cancelled)
# is the coachee's and the coach's.
_WITH_NOTE = ~Q(reason_note="")
_ABOUT: list[tuple[type[Model], str, Q]] = [
    (Observation, "teacher", Q()),
    (FeedbackMeeting, "teacher", Q()),
    (ActionStep, "teacher", Q()),
    (WalkVisit, "teacher", Q()),
    (Goal, "teacher", Q()),
    (CoachingReview, "coach", Q()),
    (Thanks, "coach", Q()),
    (Thanks, "teacher", Q()),
    (SessionOccurrence, "relationship__coachee", _WITH_NOTE),
    (SessionOccurrence, "coach", _WITH_NOTE),
]


def covered_people(school: School) -> list[int]:
    """Ids of everyone whose coaching records are in the school's export: one query."""
    parts = [
        model._base_manager.filter(extra, school=school).order_by().values_list(column, flat=True)
        for model, column, extra in _ABOUT
    ]
    first, *rest = parts
    return sorted(pk for pk in first.union(*rest) if pk is not None)


def _write_json_array(archive: zipfile.ZipFile, table: SchoolTable) -> int:
    count = 0
    with (
        archive.open(table.file, "w", force_zip64=True) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as out,
    ):
        out.write("[")
        for row in serialization.rows(table.queryset, fields=table.fields):
            out.write(",\n" if count else "\n")
            out.write(serialization.dumps(row))
            count += 1
        out.write("\n]\n")
    return count


@transaction.atomic
def school_export(*, school: School, by: User, reason: str) -> IO[bytes]:
    """The school's data as a zip in a temporary file (rewound), audited for the school and,
    in one bulk insert, for every person whose coaching records it contains."""
    if not policy.may_export_for_school(by, school):
        raise DomainError("Only the school's data protection lead can export its data.")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in school_tables(school):
            rows = _write_json_array(archive, table)
            files.append({"file": table.file, "contents": table.label, "rows": rows})
        manifest = {
            "format": "coachroom-school-export",
            "format_version": 1,
            "coachroom_version": coachroom.__version__,
            "school": {"name": school.name, "urn": school.urn},
            "generated_at": timezone.now().isoformat(),
            "generated_by": by.email,
            "reason": reason,
            "files": files,
            "note": (
                "Rows are in Django's serialization format: model, pk and fields; foreign keys "
                "are ids. Staff accounts carry no passwords. This file holds coaching notes: "
                "keep it as safely as the school's other personnel data."
            ),
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    out.seek(0)
    counts = {f["file"].removesuffix(".json"): f["rows"] for f in files}
    people = covered_people(school)
    audit.record(
        actor=by,
        action=EXPORTED,
        school=school,
        target=school,
        data={"reason": reason, "people": len(people), **counts},
    )
    audit.record_for_each(
        actor=by, action=EXPORTED, school=school, subject_ids=people, data={"reason": reason}
    )
    return out
