"""What every PDF Coachroom makes shares: its fonts and how free text becomes paragraph markup.
Imported only when a PDF is made, so reportlab never slows start-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont


@cache
def fonts() -> tuple[str, str]:
    """DejaVu Sans where the system has it (wide coverage of names and scripts); otherwise the
    Vera fonts bundled with reportlab, so no system package is ever needed."""
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


def paragraph_text(value: str) -> str:
    """Escape free text for reportlab's paragraph markup, keeping line breaks."""
    return "<br/>".join(escape(line) for line in value.strip().splitlines())
