"""The portable record as an A4 PDF, for people: made from the record's data alone (never from
the database), so it can hold nothing the JSON beside it does not."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from coachroom.coaching.models import StepState
from coachroom.core.pdf import paragraph_text
from coachroom.induction.models import ReviewOutcome
from coachroom.induction.review_pdf import INK, label_table, long_date, styles

NOTHING = "–"


def day(value: str | None) -> str:
    """An ISO date from the record as people write it: "7 September 2026"."""
    return long_date(dt.date.fromisoformat(value)) if value else NOTHING


def short_day(value: str | None) -> str:
    """An ISO date for a narrow column: "7 Sep 2026"."""
    if not value:
        return NOTHING
    when = dt.date.fromisoformat(value)
    return f"{when.day} {when:%b %Y}"


def state_label(value: str) -> str:
    """A step's state in words; a state this version does not know reads as it is."""
    return str(StepState(value).label) if value in StepState.values else value.capitalize()


def outcome_label(value: str) -> str:
    return str(ReviewOutcome(value).label) if value in ReviewOutcome.values else value


def signature_text(signature: dict[str, Any] | None) -> str:
    return f"{signature['name']}, {day(signature['on'])}" if signature else "Not signed"


def record_pdf(data: dict[str, Any]) -> bytes:
    body, h1, h2 = styles()
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    name = data["ect"]["name"]

    def text(value: str | None) -> Paragraph:
        return Paragraph(paragraph_text(value or "") or NOTHING, body)

    story: list[Flowable] = [
        Paragraph(f"Induction record: {paragraph_text(name)}", h1),
        Paragraph(
            f"From {paragraph_text(data['school']['name'])}'s Coachroom, as it stood on "
            f"{day(data['as_of'])}.",
            body,
        ),
        Spacer(1, 4 * mm),
        label_table(_rows(_summary(data), body)),
        Paragraph("Dates", h2),
        label_table(_rows(_dates(data), body)),
        Paragraph("Progress reviews and assessments", h2),
    ]
    if not data["reviews"]:
        story.append(text("None signed yet."))
    for review in data["reviews"]:
        story += _review(review, body, h2)
    story.append(Paragraph("Action steps with the mentor", h2))
    story.append(_steps(data["steps"], small) if data["steps"] else text("None yet."))
    story += [
        Paragraph("Time and entitlement", h2),
        label_table(_rows(_counts(data), body)),
        Spacer(1, 6 * mm),
        Paragraph(
            "Mentor notes, drop-in and meeting notes and support plans are never part of this "
            "record. Reviews appear once the induction tutor has signed them.",
            small,
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Induction record: {name}",
        author=data["school"]["name"],
        creator="Coachroom",
        invariant=True,  # no creation time or random id: the same record makes the same bytes
    )

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(body.fontName, 8)
        canvas.setFillColor(INK)
        canvas.drawString(20 * mm, 10 * mm, f"Induction record: {name} · page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _rows(pairs: list[tuple[str, str]], style: ParagraphStyle) -> list[list[Paragraph]]:
    return [
        [Paragraph(f"<b>{label}</b>", style), Paragraph(paragraph_text(value) or NOTHING, style)]
        for label, value in pairs
    ]


def _summary(data: dict[str, Any]) -> list[tuple[str, str]]:
    ect, school, body = data["ect"], data["school"], data["appropriate_body"]
    rows = [
        ("Early-career teacher", f"{ect['name']} ({ect['email']})"),
        ("School", f"{school['name']} (URN {school['urn']})"),
        (
            "Appropriate body",
            f"{body['name']} ({body['contact']})" if body["contact"] else body["name"],
        ),
        ("Induction started", day(data["starts_on"])),
        ("FTE", data["fte"]),
        ("Mentor", data["mentor"] or NOTHING),
        ("Induction tutor", data["induction_tutor"] or NOTHING),
    ]
    if data["left_on"]:
        rows.append(("Last day at the school", day(data["left_on"])))
    return rows


def _dates(data: dict[str, Any]) -> list[tuple[str, str]]:
    dates = data["dates"]
    ends = day(dates["ends_on"])
    if dates["extension_days"]:
        ends += f", extended by {dates['extension_days']} school days of absence"
    absences = "; ".join(f"{day(a['first_day'])} to {day(a['last_day'])}" for a in data["absences"])
    return [
        ("End of year 1", day(dates["year_one_ends_on"])),
        ("End of induction", ends),
        *[(f"Due {day(point['due_on'])}", point["what"]) for point in dates["points"]],
        ("Absences", absences or "None recorded"),
    ]


def _review(review: dict[str, Any], body: ParagraphStyle, h2: ParagraphStyle) -> list[Flowable]:
    h3 = ParagraphStyle("h3", parent=h2, fontSize=11, spaceBefore=8)
    outcome = outcome_label(review["outcome"]) or "Not recorded"
    if review["standards_of_concern"]:
        named = "; ".join(f"{s['number']}. {s['title']}" for s in review["standards_of_concern"])
        outcome += f" (Teachers' Standards: {named})"
    signed = review["signed"]
    return [
        Paragraph(paragraph_text(review["title"]), h3),
        label_table(
            _rows(
                [
                    ("Due by", day(review["due_on"])),
                    ("Outcome", outcome),
                    ("Evidence summary", review["evidence"]),
                    ("Development targets", review["targets"]),
                    ("The ECT's comments", review["ect_comments"]),
                    ("Induction tutor", signature_text(signed["induction_tutor"])),
                    ("Headteacher", signature_text(signed["headteacher"])),
                    ("Early-career teacher", signature_text(signed["ect"])),
                ],
                body,
            )
        ),
    ]


def _steps(steps: list[dict[str, Any]], style: ParagraphStyle) -> Table:
    def cell(value: str) -> Paragraph:
        return Paragraph(paragraph_text(value) or NOTHING, style)

    header = ["Step", "State", "Proposed", "Agreed", "Secured", "Framework"]
    rows = [[Paragraph(f"<b>{h}</b>", style) for h in header]]
    for step in steps:
        framework = "; ".join(
            f"{t['statement']}, {t['section_title']}"
            if t["statement"]
            else f"Section {t['section']}, {t['section_title']}"
            for t in step["framework"]
        )
        secured = short_day(step["secured_on"])
        if step["stuck_on"]:
            secured += f"; it stuck, {short_day(step['stuck_on'])}"
        rows.append(
            [
                cell(step["title"]),
                cell(state_label(step["state"])),
                cell(short_day(step["proposed_on"])),
                cell(short_day(step["agreed_on"])),
                cell(secured),
                cell(framework),
            ]
        )
    widths = [52 * mm, 20 * mm, 22 * mm, 22 * mm, 22 * mm, 32 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, "#b1b4b6"),
            ]
        )
    )
    return table


def _counts(data: dict[str, Any]) -> list[tuple[str, str]]:
    meetings, time_off = data["mentor_meetings"], data["time_off"]
    hours = f"{time_off['hours_recorded']} hours recorded"
    if time_off["hours_due"] is not None:
        hours += f" of {time_off['hours_due']} due so far"
    return [
        ("Mentor meetings", f"{meetings['held']} held of {meetings['planned']} planned so far"),
        ("Time off timetable", hours),
    ]
