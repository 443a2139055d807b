"""A teacher's coaching record as an A4 PDF (reportlab), with a bookmark for every step, drop-in
and meeting. Imported only when a PDF is made, so reportlab never slows start-up."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import timezone
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

import coachroom
from coachroom.core.pdf import fonts, paragraph_text

if TYPE_CHECKING:
    from coachroom.records.exports import CoachingRecord

INK, MUTED = colors.HexColor("#1d2a33"), colors.HexColor("#505a5f")


def _day(value: dt.datetime | dt.date | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{local.day} {local:%b %Y, %H:%M}" if with_time else f"{local.day} {local:%b %Y}"
    return f"{value.day} {value:%b %Y}"


@dataclass(frozen=True)
class _Styles:
    """The paragraph styles, and the small builders every section uses."""

    regular: str
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle

    @classmethod
    def make(cls) -> _Styles:
        regular, bold = fonts()
        body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, textColor=INK)
        h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=20, leading=24, spaceAfter=6)
        return cls(
            regular=regular,
            body=body,
            small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=MUTED),
            label=ParagraphStyle("label", parent=body, fontName=bold, spaceBefore=4),
            h1=h1,
            h2=ParagraphStyle(
                "h2", parent=h1, fontSize=15, leading=19, spaceBefore=14, spaceAfter=4
            ),
            h3=ParagraphStyle(
                "h3", parent=h1, fontSize=12, leading=15, spaceBefore=10, spaceAfter=2
            ),
        )

    def heading(self, text: str, style: ParagraphStyle, level: int) -> Paragraph:
        paragraph = Paragraph(escape(text), style)
        paragraph.outline = (text, level)
        return paragraph

    def field(self, name: str, value: str) -> list[Any]:
        if not value.strip():
            return []
        return [Paragraph(escape(name), self.label), Paragraph(paragraph_text(value), self.body)]

    def facts(self, items: Sequence[tuple[str, str]]) -> Paragraph:
        shown = [f"<b>{escape(k)}:</b> {escape(v)}" for k, v in items if v]
        return Paragraph(" · ".join(shown), self.small)


class _RecordDoc(SimpleDocTemplate):
    def afterFlowable(self, flowable: Any) -> None:  # reportlab's hook name
        outline = getattr(flowable, "outline", None)
        if outline:
            title, level = outline
            key = f"o{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


def coaching_record_pdf(record: CoachingRecord) -> bytes:
    """The record as an A4 PDF with a bookmark for every step, drop-in and meeting."""
    st = _Styles.make()
    teacher = record.teacher
    generated = timezone.localtime()
    story: list[Any] = [
        st.heading(f"Coaching record: {teacher.full_name}", st.h1, 0),
        Paragraph(
            f"Everything written about your teaching in Coachroom, as of "
            f"{escape(_day(generated, with_time=True))}"
            + (f", at {escape(', '.join(record.schools))}" if record.schools else "")
            + ". Coaching is for developing teachers, never for judging them: no lesson is "
            "graded, and this record is yours.",
            st.body,
        ),
        Spacer(1, 4 * mm),
        *_steps_story(st, record),
        *_drop_ins_story(st, record),
        *_meetings_story(st, record),
    ]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(st.regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            18 * mm,
            10 * mm,
            f"Coaching record of {teacher.full_name} · generated {_day(generated)} · "
            f"page {doc.page}",
        )
        canvas.restoreState()

    out = io.BytesIO()
    doc = _RecordDoc(
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


def _steps_story(st: _Styles, record: CoachingRecord) -> list[Any]:
    story: list[Any] = [st.heading(f"Action steps ({len(record.steps)})", st.h2, 0)]
    if not record.steps:
        story.append(Paragraph("No action steps yet.", st.body))
    for step in record.steps:
        block: list[Any] = [
            st.heading(step.title, st.h3, 1),
            st.facts(
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
            block.append(Paragraph("What it looks like", st.label))
            block.append(
                ListFlowable(
                    [Paragraph(escape(c), st.body) for c in step.criteria],
                    bulletType="bullet",
                    bulletFontName=st.regular,
                    leftIndent=12,
                )
            )
        history = step.history  # type: ignore[attr-defined]
        if history:
            block.append(Paragraph("History", st.label))
            block.append(_history_table(st, history))
        story.append(KeepTogether(block[:3]))
        story.extend(block[3:])
    return story


def _history_table(st: _Styles, history: Sequence[Any]) -> Table:
    rows = [[Paragraph(f"<b>{h}</b>", st.small) for h in ("When", "What", "Who", "Why")]]
    rows += [
        [
            Paragraph(escape(_day(t.at)), st.small),
            Paragraph(escape(t.summary), st.small),
            Paragraph(escape(t.by.full_name if t.by else ""), st.small),
            Paragraph(paragraph_text(t.reason), st.small),
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
    return table


def _drop_ins_story(st: _Styles, record: CoachingRecord) -> list[Any]:
    story: list[Any] = [st.heading(f"Drop-ins ({len(record.drop_ins)})", st.h2, 0)]
    if not record.drop_ins:
        story.append(Paragraph("No drop-ins yet.", st.body))
    for o in record.drop_ins:
        title = f"Drop-in, {_day(o.observed_at, with_time=True)}"
        context = ", ".join(p for p in (o.year_group, o.subject, o.class_set) if p)
        block = [
            st.heading(title, st.h3, 1),
            st.facts(
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
                    st.body,
                )
            )
        block += st.field("What went well", o.went_well)
        block += st.field("Notes", o.notes)
        block += st.field("Suggested focus for the meeting", o.suggested_focus)
        block += st.field("Video link", o.video_url)
        story.append(KeepTogether(block[:2]))
        story.extend(block[2:])
    return story


def _meetings_story(st: _Styles, record: CoachingRecord) -> list[Any]:
    story: list[Any] = [st.heading(f"Feedback meetings ({len(record.meetings)})", st.h2, 0)]
    if not record.meetings:
        story.append(Paragraph("No feedback meetings yet.", st.body))
    for m in record.meetings:
        block = [
            st.heading(f"Feedback meeting, {_day(m.held_at)}", st.h3, 1),
            st.facts(
                [
                    ("With", m.coach.full_name),
                    ("School", m.school.name),
                    ("Decision", str(m.get_decision_display())),
                    ("Step", m.step.title if m.step else ""),
                    ("Next drop-in", _day(m.next_drop_in)),
                ]
            ),
        ]
        block += st.field("Precise praise", m.praise)
        block += st.field("How the step went", m.step_review)
        block += st.field("Modelling", m.modelling)
        block += st.field("The plan", m.plan)
        rounds = m.round_list  # type: ignore[attr-defined]
        if rounds:
            block.append(Paragraph("Rehearsal", st.label))
            for r in rounds:
                text = f"<b>Round {r.number}.</b> Tried: {paragraph_text(r.attempt)}"
                if r.feedback.strip():
                    text += f"<br/>Feedback: {paragraph_text(r.feedback)}"
                block.append(Paragraph(text, st.body))
        block += st.field("Your reflection", m.reflection)
        story.append(KeepTogether(block[:2]))
        story.extend(block[2:])
    return story
