"""Exports: leaders' activity figures (CSV, XLSX) and a teacher's own record (PDF). The school's
whole data set is in `records.school_data`.

- Activity exports are counts only, never notes (domain §3); the completion figures come from
  reporting/completion.py, so the spreadsheet and the dashboard always agree.
- Only the teacher can export their coaching record (domain §3): the PDF view takes no id,
  and always builds the signed-in person's own record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DateField, Prefetch, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching.access import teacher_may_see_observation
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepEvidence,
    StepState,
    StepTransition,
)
from coachroom.core.spreadsheets import safe_cell
from coachroom.reporting.completion import (
    KIND_CHOICES,
    NAMED_TABLES,
    CompletionQuery,
    CompletionReport,
    Filters,
    tally_cells,
)

# Activity tables -------------------------------------------------------------------------------

TALLY_HEADER = [
    "Planned",
    "Held",
    "Completion %",
    "Drop-ins planned",
    "Drop-ins held",
    "Meetings planned",
    "Meetings held",
    "Missed",
    "Cancelled",
    "Not recorded",
]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[object]]


TABLE_TITLES = {
    "summary": "Summary",
    "week": "Completion by week",
    "halfterm": "Completion by half-term",
    "coach": "Completion by coach",
    "coachee": "Completion by coachee",
    "reasons": "Why sessions did not happen",
    "activity": "Coaching recorded each week",
    "steps": "Action steps by state",
}


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _range(filters: Filters) -> dict[str, dt.datetime]:
    zone = _zone()
    start = dt.datetime.combine(filters.start, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return {"gte": start, "lt": end}


def _per_week(qs: QuerySet[Any], field: str, filters: Filters) -> dict[dt.date, int]:
    bounds = _range(filters)
    week = TruncWeek(field, tzinfo=_zone(), output_field=DateField())
    rows = (
        qs.filter(**{f"{field}__gte": bounds["gte"], f"{field}__lt": bounds["lt"]})
        .annotate(week=week)
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    return {row["week"]: row["n"] for row in rows}


def _activity_rows(school: School, filters: Filters) -> list[list[object]]:
    """Counts of coaching recorded, by week: what was done, not what was written."""
    steps = StepTransition.objects.filter(school=school)
    columns = [
        _per_week(Observation.objects.for_school(school).submitted(), "observed_at", filters),
        _per_week(FeedbackMeeting.objects.for_school(school), "held_at", filters),
        _per_week(RehearsalRound.objects.filter(school=school), "meeting__held_at", filters),
        _per_week(steps.filter(event="agreed"), "at", filters),
        _per_week(steps.filter(event="secured"), "at", filters),
        _per_week(steps.filter(event="stuck"), "at", filters),
    ]
    weeks = sorted(set().union(*columns))
    return [[week, *(column.get(week, 0) for column in columns)] for week in weeks]


def _step_state_rows(school: School) -> list[list[object]]:
    found = {
        row["state"]: row["n"]
        for row in ActionStep.objects.for_school(school)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [[str(state.label), found.get(state.value, 0)] for state in StepState]


def activity_tables(query: CompletionQuery) -> dict[str, Table]:
    """Every table, keyed as in TABLE_TITLES. `query` is a leader's (whole-school) query."""
    filters = query.filters
    report = query.report()
    t = report.totals
    summary: list[list[object]] = [
        ["School", query.school.name],
        ["From", filters.start],
        ["To", filters.end],
        ["Sessions", str(dict(KIND_CHOICES)[filters.kind])],
        *([h, v] for h, v in zip(TALLY_HEADER, tally_cells(t), strict=True)),
        [f"Coachees not seen for more than {report.unseen_weeks_alert} weeks", report.unseen_count],
    ]
    tables = [
        Table("summary", TABLE_TITLES["summary"], ["Measure", "Value"], summary),
        *_completion_tables(report),
        Table(
            "reasons",
            TABLE_TITLES["reasons"],
            ["Reason", "Missed", "Missed and rebooked", "Cancelled"],
            [[r.label, r.missed, r.rebooked, r.cancelled] for r in report.reasons],
        ),
        Table(
            "activity",
            TABLE_TITLES["activity"],
            [
                "Week beginning",
                "Drop-ins recorded",
                "Feedback meetings",
                "Rehearsal rounds",
                "Steps agreed",
                "Steps secured",
                "Steps that stuck",
            ],
            _activity_rows(query.school, filters),
        ),
        Table(
            "steps",
            TABLE_TITLES["steps"],
            ["State now", "Steps"],
            _step_state_rows(query.school),
        ),
    ]
    return {t.key: t for t in tables if query.names_visible or t.key not in NAMED_TABLES}


def _completion_tables(report: CompletionReport) -> list[Table]:
    """Planned and held, by week, half-term, coach and coachee."""
    return [
        Table(
            "week",
            TABLE_TITLES["week"],
            ["Week beginning", *TALLY_HEADER],
            [[r.starts_on, *tally_cells(r.tally)] for r in report.weeks],
        ),
        Table(
            "halfterm",
            TABLE_TITLES["halfterm"],
            ["Half-term", "Starts", "Ends", *TALLY_HEADER],
            [[r.label, r.starts_on, r.ends_on, *tally_cells(r.tally)] for r in report.half_terms],
        ),
        Table(
            "coach",
            TABLE_TITLES["coach"],
            ["Coach", *TALLY_HEADER],
            [[r.label, *tally_cells(r.tally)] for r in report.coaches],
        ),
        Table(
            "coachee",
            TABLE_TITLES["coachee"],
            ["Coachee", "Coach", "Current pair", *TALLY_HEADER, "Last drop-in", "Alert"],
            [
                [
                    r.coachee,
                    r.coach,
                    "Yes" if r.is_current else "No",
                    *tally_cells(r.tally),
                    r.last_seen,
                    r.flag,
                ]
                for r in report.coachees
            ],
        ),
    ]


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    return value


def write_csv(table: Table, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([safe_cell(_csv_value(cell)) for cell in row])


def _csv_value(value: object) -> object:
    value = _plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def workbook_bytes(tables: Iterable[Table]) -> bytes:
    """One sheet per table. Text is stored as text, so nothing can become a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31])
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        widths = [len(h) for h in table.header]
        for number, row in enumerate(table.rows, start=2):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=number, column=column, value=_plain(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                if isinstance(value, dt.date):
                    cell.number_format = "d mmm yyyy"
                widths[column - 1] = max(widths[column - 1], len(str(cell.value)))
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 8) + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The teacher's own record as a PDF -------------------------------------------------------------


def has_coaching_record(user: User) -> bool:
    """Has this person ever been coached (or coached themselves)? Only they have a record."""
    return (
        CoachingRelationship.objects.filter(coachee=user).exists()
        or ActionStep.objects.filter(teacher=user).exists()
    )


@dataclass
class CoachingRecord:
    teacher: User
    steps: list[ActionStep]
    drop_ins: list[Observation]
    meetings: list[FeedbackMeeting]
    schools: list[str]


def coaching_record(teacher: User) -> CoachingRecord:
    """What the teacher can see about themselves, in every school, oldest first."""
    transitions = StepTransition.objects.select_related("by").order_by("at", "pk")
    steps = list(
        ActionStep.objects.filter(teacher=teacher)
        .select_related("school", "proposed_by", "relationship__coach")
        .prefetch_related(Prefetch("transitions", queryset=transitions, to_attr="history"))
        .order_by("created_at", "pk")
    )
    evidence = StepEvidence.objects.select_related("step").order_by("pk")
    drop_ins = [
        o
        for o in Observation.objects.filter(teacher=teacher)
        .select_related("school", "observer")
        .annotate(meeting_count=Count("meetings"))
        .prefetch_related(Prefetch("evidence", queryset=evidence, to_attr="evidence_list"))
        .order_by("observed_at", "pk")
        if o.observer_id == teacher.pk or teacher_may_see_observation(o)
    ]
    rounds = RehearsalRound.objects.order_by("number", "pk")
    meetings = list(
        FeedbackMeeting.objects.filter(teacher=teacher)
        .select_related("school", "coach", "step")
        .prefetch_related(Prefetch("rounds", queryset=rounds, to_attr="round_list"))
        .order_by("held_at", "pk")
    )
    schools = sorted(
        {s.school.name for s in steps}
        | {o.school.name for o in drop_ins}
        | {m.school.name for m in meetings}
    )
    return CoachingRecord(teacher, steps, drop_ins, meetings, schools)


@transaction.atomic
def record_pdf_export(*, teacher: User) -> bytes:
    from coachroom.records import record_pdf  # reportlab loads only when a PDF is made

    record = coaching_record(teacher)
    pdf = record_pdf.coaching_record_pdf(record)
    audit.record(
        actor=teacher,
        action="records.pdf.exported",
        subject=teacher,
        data={
            "steps": len(record.steps),
            "drop_ins": len(record.drop_ins),
            "meetings": len(record.meetings),
        },
    )
    return pdf
