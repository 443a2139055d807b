"""Every table in the app's pages scrolls inside its own focusable region, so no table makes a
phone's page wider than the screen and keyboard users can still scroll it (axe's
`scrollable-region-focusable`)."""

from __future__ import annotations

import re
from pathlib import Path

import coachroom

TEMPLATES = Path(coachroom.__file__).parent / "templates"
# A standalone document inside a subject-access download, not a page of the app.
STANDALONE = {"records/subject_access/index.html"}
REGION = re.compile(
    r'<div class="table-scroll" tabindex="0" role="region" aria-label(?:ledby)?="[^"]+">\s*$'
)
TAGS = re.compile(r"\{%.*?%\}")


def test_every_table_is_in_a_focusable_scroll_region():
    unwrapped = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in STANDALONE:
            continue
        text = path.read_text()
        for match in re.finditer(r"<table\b", text):
            before = TAGS.sub("", text[max(0, match.start() - 400) : match.start()])
            if not REGION.search(before):
                line = text.count("\n", 0, match.start()) + 1
                unwrapped.append(f"{name}:{line}")
    assert not unwrapped, "tables outside a focusable scroll region: " + ", ".join(unwrapped)
