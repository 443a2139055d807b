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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DateField, Prefetch, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

import coachroom
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


@cache
def _fonts() -> tuple[str, str]:
    """DejaVu Sans where the system has it (wide coverage of names and scripts); otherwise the
    Vera fonts bundled with reportlab, so no system package is ever needed."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    bundled = Path(reportlab.__file__).parent / "fonts"
    if (dejavu / "DejaVuSans.ttf").exists() and (dejavu / "DejaVuSans-Bold.ttf").exists():
        regular, bold = dejavu / "DejaVuSans.ttf", dejavu / "DejaVuSans-Bold.ttf"
    else:
        regular, bold = bundled / "Vera.ttf", bundled / "VeraBd.ttf"
    pdfmetrics.registerFont(TTFont("CoachroomSans", str(regular)))
    pdfmetrics.registerFont(TTFont("CoachroomSans-Bold", str(bold)))
    pdfmetrics.registerFontFamily(
        "CoachroomSans",
        normal="CoachroomSans",
        bold="CoachroomSans-Bold",
        italic="CoachroomSans",
        boldItalic="CoachroomSans-Bold",
    )
    return "CoachroomSans", "CoachroomSans-Bold"


def _text(value: str) -> str:
    """Escape free text for reportlab's paragraph markup, keeping line breaks."""
    return "<br/>".join(escape(line) for line in value.strip().splitlines())


def _day(value: dt.datetime | dt.date | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{local.day} {local:%b %Y, %H:%M}" if with_time else f"{local.day} {local:%b %Y}"
    return f"{value.day} {value:%b %Y}"


def coaching_record_pdf(record: CoachingRecord) -> bytes:
    """The record as an A4 PDF with a bookmark for every step, drop-in and meeting."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        ListFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = _fonts()
    ink, muted = colors.HexColor("#1d2a33"), colors.HexColor("#505a5f")
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, textColor=ink)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=muted)
    label = ParagraphStyle("label", parent=body, fontName=bold, spaceBefore=4)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=20, leading=24, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=h1, fontSize=15, leading=19, spaceBefore=14, spaceAfter=4)
    h3 = ParagraphStyle("h3", parent=h1, fontSize=12, leading=15, spaceBefore=10, spaceAfter=2)
    teacher = record.teacher
    generated = timezone.localtime()

    class RecordDoc(SimpleDocTemplate):
        def afterFlowable(self, flowable: Any) -> None:  # reportlab's hook name
            outline = getattr(flowable, "outline", None)
            if outline:
                title, level = outline
                key = f"o{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)

    def heading(text: str, style: ParagraphStyle, level: int) -> Paragraph:
        paragraph = Paragraph(escape(text), style)
        paragraph.outline = (text, level)
        return paragraph

    def field(name: str, value: str) -> list[Any]:
        if not value.strip():
            return []
        return [Paragraph(escape(name), label), Paragraph(_text(value), body)]

    def facts(items: Sequence[tuple[str, str]]) -> Paragraph:
        shown = [f"<b>{escape(k)}:</b> {escape(v)}" for k, v in items if v]
        return Paragraph(" · ".join(shown), small)

    story: list[Any] = [
        heading(f"Coaching record: {teacher.full_name}", h1, 0),
        Paragraph(
            f"Everything written about your teaching in Coachroom, as of "
            f"{escape(_day(generated, with_time=True))}"
            + (f", at {escape(', '.join(record.schools))}" if record.schools else "")
            + ". Coaching is for developing teachers, never for judging them: no lesson is "
            "graded, and this record is yours.",
            body,
        ),
        Spacer(1, 4 * mm),
    ]

    story.append(heading(f"Action steps ({len(record.steps)})", h2, 0))
    if not record.steps:
        story.append(Paragraph("No action steps yet.", body))
    for step in record.steps:
        block: list[Any] = [
            heading(step.title, h3, 1),
            facts(
                [
                    ("State", str(step.get_state_display())),
                    ("School", step.school.name),
                    ("Coach", step.relationship.coach.full_name),
                    ("Proposed by", step.proposed_by.full_name),
                    ("Agreed", _day(step.agreed_at)),
                    ("Secured", _day(step.secured_at)),
                    ("It stuck", _day(step.stuck_at)),
                ]
            ),
        ]
        if step.criteria:
            block.append(Paragraph("What it looks like", label))
            block.append(
                ListFlowable(
                    [Paragraph(escape(c), body) for c in step.criteria],
                    bulletType="bullet",
                    bulletFontName=regular,
                    leftIndent=12,
                )
            )
        history = step.history  # type: ignore[attr-defined]
        if history:
            block.append(Paragraph("History", label))
            rows = [[Paragraph(f"<b>{h}</b>", small) for h in ("When", "What", "Who", "Why")]]
            rows += [
                [
                    Paragraph(escape(_day(t.at)), small),
                    Paragraph(escape(t.summary), small),
                    Paragraph(escape(t.by.full_name if t.by else ""), small),
                    Paragraph(_text(t.reason), small),
                ]
                for t in history
            ]
            table = Table(rows, colWidths=[24 * mm, 58 * mm, 36 * mm, 52 * mm], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                        ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ]
                )
            )
            block.append(table)
        story.append(KeepTogether(block[:3]))
        story.extend(block[3:])

    story.append(heading(f"Drop-ins ({len(record.drop_ins)})", h2, 0))
    if not record.drop_ins:
        story.append(Paragraph("No drop-ins yet.", body))
    for o in record.drop_ins:
        title = f"Drop-in, {_day(o.observed_at, with_time=True)}"
        context = ", ".join(p for p in (o.year_group, o.subject, o.class_set) if p)
        block = [
            heading(title, h3, 1),
            facts(
                [
                    ("By", o.observer.full_name),
                    ("School", o.school.name),
                    ("Class", context),
                    ("Status", "" if o.status == o.Status.SUBMITTED else "Draft"),
                ]
            ),
        ]
        for e in o.evidence_list:  # type: ignore[attr-defined]
            check = "Did it stick? " if e.is_stick_check else ""
            block.append(
                Paragraph(
                    f"<b>{escape(e.step.title)}:</b> {check}{escape(e.get_rating_display())}",
                    body,
                )
            )
        block += field("What went well", o.went_well)
        block += field("Notes", o.notes)
        block += field("Suggested focus for the meeting", o.suggested_focus)
        block += field("Video link", o.video_url)
        story.append(KeepTogether(block[:2]))
        story.extend(block[2:])

    story.append(heading(f"Feedback meetings ({len(record.meetings)})", h2, 0))
    if not record.meetings:
        story.append(Paragraph("No feedback meetings yet.", body))
    for m in record.meetings:
        block = [
            heading(f"Feedback meeting, {_day(m.held_at)}", h3, 1),
            facts(
                [
                    ("With", m.coach.full_name),
                    ("School", m.school.name),
                    ("Decision", str(m.get_decision_display())),
                    ("Step", m.step.title if m.step else ""),
                    ("Next drop-in", _day(m.next_drop_in)),
                ]
            ),
        ]
        block += field("Precise praise", m.praise)
        block += field("How the step went", m.step_review)
        block += field("Modelling", m.modelling)
        block += field("The plan", m.plan)
        rounds = m.round_list  # type: ignore[attr-defined]
        if rounds:
            block.append(Paragraph("Rehearsal", label))
            for r in rounds:
                text = f"<b>Round {r.number}.</b> Tried: {_text(r.attempt)}"
                if r.feedback.strip():
                    text += f"<br/>Feedback: {_text(r.feedback)}"
                block.append(Paragraph(text, body))
        block += field("Your reflection", m.reflection)
        story.append(KeepTogether(block[:2]))
        story.extend(block[2:])

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(muted)
        canvas.drawString(
            18 * mm,
            10 * mm,
            f"Coaching record of {teacher.full_name} · generated {_day(generated)} · "
            f"page {doc.page}",
        )
        canvas.restoreState()

    out = io.BytesIO()
    doc = RecordDoc(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Coaching record: {teacher.full_name}",
        author="Coachroom",
        subject="A teacher's own coaching record",
        creator=f"Coachroom {coachroom.__version__}",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


@transaction.atomic
def record_pdf_export(*, teacher: User) -> bytes:
    record = coaching_record(teacher)
    pdf = coaching_record_pdf(record)
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
