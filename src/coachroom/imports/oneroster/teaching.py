"""Year groups and class titles → key stages; subjects; a new school's phase from its name."""

from __future__ import annotations

import re

from coachroom.accounts.models import School

# Year groups → key stages -------------------------------------------------------------------

KEY_STAGE_ORDER = ("EYFS", "KS1", "KS2", "KS3", "KS4", "KS5")
_EARLY_GRADES = {"IT", "PR", "PK", "TK", "KG", "R", "N", "RECEPTION", "NURSERY"}
_YEAR_IN_TITLE = re.compile(r"\b(?:year|yr|y)\s*-?\s*(\d{1,2})(?!\d)", re.IGNORECASE)
_LEADING_YEAR = re.compile(r"^(\d{1,2})(?=[A-Za-z/ \-]|$)")
_EARLY_IN_TITLE = re.compile(r"\b(?:reception|nursery|rec|eyfs)\b", re.IGNORECASE)


def key_stage(year_group: int) -> str | None:
    if 1 <= year_group <= 2:
        return "KS1"
    if 3 <= year_group <= 6:
        return "KS2"
    if 7 <= year_group <= 9:
        return "KS3"
    if 10 <= year_group <= 11:
        return "KS4"
    if 12 <= year_group <= 13:
        return "KS5"
    return None


def key_stages_from_grades(grades: list[str]) -> set[str]:
    """Grades read as UK year groups: 07 or Y7 is Year 7; R, N, KG and PK are early years."""
    stages: set[str] = set()
    for grade in grades:
        text = grade.strip().upper().removeprefix("YEAR").removeprefix("Y").strip()
        if text in _EARLY_GRADES:
            stages.add("EYFS")
        elif text.isdigit():
            stage = key_stage(int(text))
            if stage:
                stages.add(stage)
    return stages


def key_stages_from_title(title: str) -> set[str]:
    """ "Year 10 Maths", "Y7 English", "10X/Ma1", "Reception Robins"."""
    stages = {s for m in _YEAR_IN_TITLE.finditer(title) if (s := key_stage(int(m.group(1))))}
    leading = _LEADING_YEAR.match(title.strip())
    if leading and (stage := key_stage(int(leading.group(1)))):
        stages.add(stage)
    if _EARLY_IN_TITLE.search(title):
        stages.add("EYFS")
    return stages


PRIMARY_STAGES, SECONDARY_STAGES = {"EYFS", "KS1", "KS2"}, {"KS3", "KS4", "KS5"}


def phase_from_key_stages(stages: set[str]) -> str:
    """The phase someone teaches, when their classes say so plainly: "" when they teach on
    both sides of Year 7 (all-through staff), or the file has no year groups for them."""
    if stages and stages <= PRIMARY_STAGES:
        return "primary"
    if stages and stages <= SECONDARY_STAGES:
        return "secondary"
    return ""


def join_key_stages(stages: set[str]) -> str:
    return ", ".join(s for s in KEY_STAGE_ORDER if s in stages)


def join_subjects(subjects: list[str], limit: int = 200) -> str:
    text = ""
    for subject in sorted(subjects, key=str.lower):
        candidate = f"{text}, {subject}" if text else subject
        if len(candidate) > limit:
            break
        text = candidate
    return text


def guess_phase(name: str) -> str:
    lowered = name.lower()
    if "all-through" in lowered or "all through" in lowered:
        return School.Phase.ALL_THROUGH
    if "special" in lowered:
        return School.Phase.SPECIAL
    if any(word in lowered for word in ("primary", "infant", "junior", "first school")):
        return School.Phase.PRIMARY
    return School.Phase.SECONDARY
