"""A progress review or formal assessment as an A4 PDF for the appropriate body: the ECT, the
school and the people, the outcome against the Teachers' Standards, the evidence summary,
targets, the ECT's comments and the three signatures with their dates."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from coachroom.core.pdf import fonts, paragraph_text
from coachroom.induction.models import InductionReview, ReviewOutcome, section_title

INK = colors.HexColor("#1d2a33")


def long_date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "Not signed"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"


def styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, textColor=INK)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=17, leading=21, spaceAfter=8)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=12, spaceBefore=10)
    return body, h1, h2


def label_table(rows: list[list[Paragraph]]) -> Table:
    table = Table(rows, colWidths=[55 * mm, 115 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#b1b4b6")),
            ]
        )
    )
    return table


def review_pdf(review: InductionReview) -> bytes:
    body, h1, h2 = styles()
    induction = review.induction
    ect = induction.ect

    def row(label: str, value: str) -> list[Paragraph]:
        return [Paragraph(f"<b>{label}</b>", body), Paragraph(paragraph_text(value) or "–", body)]

    outcome = review.get_outcome_display() or "Not recorded"
    if review.outcome == ReviewOutcome.NOT_ON_TRACK and review.standards_of_concern:
        named = "; ".join(f"{n}. {section_title(n)}" for n in review.standards_of_concern)
        outcome += f" (Teachers' Standards: {named})"
    story = [
        Paragraph(f"{review.title}: {ect.full_name}", h1),
        label_table(
            [
                row("Early-career teacher", f"{ect.full_name} ({ect.email})"),
                row("School", f"{review.school.name} (URN {review.school.urn})"),
                row("Induction started", f"{long_date(induction.starts_on)}, FTE {induction.fte}"),
                row("Appropriate body", induction.appropriate_body),
                row("Induction tutor", induction.tutor.full_name if induction.tutor else ""),
                row("Due by", long_date(review.due_on)),
                row("Outcome", outcome),
            ]
        ),
        Paragraph("Evidence summary", h2),
        Paragraph(paragraph_text(review.evidence) or "–", body),
        Paragraph("Development targets", h2),
        Paragraph(paragraph_text(review.targets) or "–", body),
        Paragraph("The ECT's comments", h2),
        Paragraph(paragraph_text(review.ect_comments) or "–", body),
        Paragraph("Signatures", h2),
        label_table(
            [
                row("Induction tutor", _signed(review.tutor_signed_by, review.tutor_signed_at)),
                row("Headteacher", _signed(review.head_signed_by, review.head_signed_at)),
                row(
                    "Early-career teacher",
                    _signed(ect if review.ect_signed_at else None, review.ect_signed_at),
                ),
            ]
        ),
        Spacer(1, 6 * mm),
        Paragraph("Signed in Coachroom by each person, signed in with their own account.", body),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"{review.title}: {ect.full_name}", author=review.school.name
    )
    document.build(story)
    return buffer.getvalue()


def _signed(person: object, when: dt.datetime | None) -> str:
    name = getattr(person, "full_name", "")
    return f"{name}, {long_date(when)}" if when is not None and name else "Not signed"
