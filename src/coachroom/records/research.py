"""The research export: one pseudonymised row per agreed action step, for someone studying
what works in coaching, made by the data-protection lead (or whoever runs Coachroom).

What keeps it safe (docs/data.md, "Research export"):
- no names, emails, notes or any free text: every column is a number, a yes/no or a fixed
  label, taken from `reporting.insights.facts`;
- dates are coarsened: a step's academic year becomes an ordinal (1 = the earliest year in the
  export) and its agreement the school week of that year; durations are in school weeks;
- every id (step, pair, teacher, coach, school) is an HMAC of the real id under a key drawn
  afresh for each export and never stored, so rows of two exports cannot be joined;
- k-anonymity on the quasi-identifiers (the columns someone could know from outside: school,
  year, kind of pair, same subject, same phase, line manager): each combination must hold steps
  of at least k teachers. Rows in smaller groups first lose their most specific values, one
  column at a time ("suppressed"); rows still too rare are left out. The zip's README reports
  both counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import secrets
import zipfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from coachroom import audit
from coachroom.accounts.models import School, User
from coachroom.reporting.insights.facts import StepFacts, step_facts

DEFAULT_K = 5
SUPPRESSED = "*"
# Blanked in this order for rows in too small a group: most specific first.
QUASI_IDENTIFIERS = (
    "line_manager",
    "same_phase",
    "same_subject",
    "pair_kind",
    "year",
    "school",
)
DICTIONARY = (
    ("step", "Pseudonymous id of the step (different in every export)", "text"),
    ("pair", "Pseudonymous id of the coaching pair", "text"),
    ("teacher", "Pseudonymous id of the teacher coached", "text"),
    ("coach", "Pseudonymous id of the coach", "text"),
    ("school", "Pseudonymous id of the school (quasi-identifier)", "text or *"),
    ("year", "Academic year, 1 = the earliest in this export (quasi-identifier)", "1, 2, … or *"),
    ("pair_kind", "Kind of pair (quasi-identifier)", "instructional, ecf, peer or *"),
    (
        "same_subject",
        "Coach and teacher share a subject (quasi-identifier)",
        "yes, no, blank = not recorded, *",
    ),
    (
        "same_phase",
        "Coach and teacher teach the same phase (quasi-identifier)",
        "yes, no, blank, *",
    ),
    (
        "line_manager",
        "The coach line-manages the teacher (quasi-identifier)",
        "yes, no, blank = not asked, *",
    ),
    ("agreed_week", "School week of the academic year in which the step was agreed", "1, 2, …"),
    ("priority_aligned", "The step serves a whole-school priority", "yes or no"),
    ("teacher_proposed", "The teacher proposed the step", "yes or no"),
    ("from_library", "The step came from the step library", "yes or no"),
    (
        "rehearsal_rounds",
        "Most rehearsal rounds in one meeting about the step",
        "0, 1, 2, 3 or more (3+); blank = no meeting",
    ),
    (
        "days_drop_in_to_meeting",
        "Days from the drop-in to the meeting that set the step",
        "whole days, 10+ for ten or more; blank",
    ),
    (
        "days_to_reobservation",
        "Days from agreeing the step to the first drop-in that looked for it",
        "whole days, 30+; blank = never looked for",
    ),
    (
        "cadence_achieved",
        "How often the pair met: meetings per school week over its time together",
        "weekly, fortnightly, less; blank",
    ),
    ("secured", "The step was secured", "yes or no"),
    (
        "weeks_followed",
        "School weeks from agreement to securing, or to when it ended or to the export",
        "number, 1 decimal",
    ),
    (
        "stuck",
        "At the re-check weeks after securing: still seen?",
        "yes, no; blank = not re-checked",
    ),
)
COLUMNS = [name for name, _meaning, _values in DICTIONARY]


@dataclass
class ResearchExport:
    content: bytes
    rows: int
    suppressed_rows: int  # rows that kept their place with some values blanked
    dropped_rows: int  # rows left out: too rare even with every quasi-identifier blanked
    suppressed_values: Counter[str] = field(default_factory=Counter)
    k: int = DEFAULT_K


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def _capped(value: int | None, cap: int) -> str:
    return "" if value is None else f"{cap}+" if value >= cap else str(value)


class _Pseudonyms:
    """Ids under a key that lives only as long as this export."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, kind: str, pk: int) -> str:
        digest = hmac.new(self._key, f"{kind}:{pk}".encode(), hashlib.sha256)
        return digest.hexdigest()[:16]


def _rows(facts: Sequence[StepFacts], schools: Sequence[School]) -> list[dict[str, str]]:
    ids = _Pseudonyms()
    year_starts = {
        pk: start for s in schools for pk, start in s.academic_years.values_list("pk", "starts_on")
    }
    ordinal = {start: i for i, start in enumerate(sorted(set(year_starts.values())), start=1)}
    calendars = {s.pk: s.calendar(from_date=dt.date.min) for s in schools}
    rows = []
    for f in facts:
        start = year_starts[f.academic_year_id]
        weeks_in = calendars[f.school_id].school_days_between(start, f.agreed_on) // 5 + 1
        rows.append(
            {
                "step": ids("step", f.step_id),
                "pair": ids("pair", f.relationship_id),
                "teacher": ids("person", f.teacher_id),
                "coach": ids("person", f.coach_id),
                "school": ids("school", f.school_id),
                "year": str(ordinal[start]),
                "pair_kind": f.pair_kind,
                "same_subject": _yes_no(f.same_subject),
                "same_phase": _yes_no(f.same_phase),
                "line_manager": _yes_no(f.line_manager),
                "agreed_week": str(weeks_in),
                "priority_aligned": _yes_no(f.priority_aligned),
                "teacher_proposed": _yes_no(f.teacher_proposed),
                "from_library": _yes_no(f.from_library),
                "rehearsal_rounds": _capped(f.rehearsal_rounds, 3),
                "days_drop_in_to_meeting": _capped(f.days_drop_in_to_meeting, 10),
                "days_to_reobservation": _capped(f.days_to_reobservation, 30),
                "cadence_achieved": f.cadence_achieved or "",
                "secured": _yes_no(f.secured),
                "weeks_followed": f"{f.weeks_followed:.1f}",
                "stuck": _yes_no(f.stuck),
            }
        )
    return rows


def k_anonymise(
    rows: list[dict[str, str]], *, k: int, quasi: Sequence[str] = QUASI_IDENTIFIERS
) -> tuple[list[dict[str, str]], int, int, Counter[str]]:
    """Each combination of `quasi` values must cover at least `k` distinct teachers.

    Rows in smaller groups lose one quasi-identifier at a time (most specific first); rows still
    in too small a group at the end are dropped. Returns the rows kept, how many of them had a
    value suppressed, how many were dropped, and how many values of each column were blanked.
    """
    touched: set[int] = set()
    for column in quasi:
        small = _rare(rows, k, quasi)
        if not small:
            break
        for i in small:
            rows[i][column] = SUPPRESSED
            touched.add(i)
    rare = _rare(rows, k, quasi)
    kept = [row for i, row in enumerate(rows) if i not in rare]
    blanked = Counter(c for row in kept for c in quasi if row[c] == SUPPRESSED)
    return kept, len(touched - rare), len(rare), blanked


def _rare(rows: list[dict[str, str]], k: int, quasi: Sequence[str]) -> set[int]:
    teachers: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows:
        teachers[tuple(row[c] for c in quasi)].add(row["teacher"])
    return {i for i, row in enumerate(rows) if len(teachers[tuple(row[c] for c in quasi)]) < k}


def research_export(
    *, schools: Sequence[School], by: User | None, k: int = DEFAULT_K
) -> ResearchExport:
    """Build the zip and audit it, once per school it covers."""
    facts = step_facts(schools)
    rows, suppressed, dropped, blanked = k_anonymise(_rows(facts, schools), k=k)
    content = _zip(rows, k=k, suppressed=suppressed, dropped=dropped, blanked=blanked)
    for school in schools:
        audit.record(
            actor=by,
            action="records.research.exported",
            school=school,
            data={"rows": len(rows), "suppressed": suppressed, "dropped": dropped, "k": k},
        )
    return ResearchExport(content, len(rows), suppressed, dropped, blanked, k)


def _zip(
    rows: list[dict[str, str]], *, k: int, suppressed: int, dropped: int, blanked: Counter[str]
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("steps.csv", _csv(COLUMNS, [[r[c] for c in COLUMNS] for r in rows]))
        archive.writestr(
            "data-dictionary.csv",
            _csv(["column", "meaning", "values"], [list(entry) for entry in DICTIONARY]),
        )
        archive.writestr("README.txt", _readme(len(rows), k, suppressed, dropped, blanked))
    return buffer.getvalue()


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _readme(rows: int, k: int, suppressed: int, dropped: int, blanked: Counter[str]) -> str:
    by_column = ", ".join(f"{c}: {blanked[c]}" for c in QUASI_IDENTIFIERS if blanked[c]) or "none"
    return (
        "Coachroom research export\n"
        "=========================\n\n"
        "steps.csv holds one row per agreed action step; data-dictionary.csv explains each "
        "column. There are no names, emails, notes or other free text, and no calendar dates: "
        "years are numbered from the earliest in the file and weeks are school weeks.\n\n"
        "Ids are pseudonyms made with a key drawn for this export alone and then discarded: "
        "they are stable within this file, and cannot be matched to another export's ids.\n\n"
        f"k-anonymity: every combination of the quasi-identifiers ({', '.join(QUASI_IDENTIFIERS)}) "
        f"covers steps of at least {k} teachers.\n"
        f"Rows in the file: {rows}\n"
        f"Rows with a quasi-identifier suppressed (shown as {SUPPRESSED}): {suppressed}\n"
        f"Values suppressed, by column: {by_column}\n"
        f"Rows left out because no suppression made them common enough: {dropped}\n\n"
        "Coaching in Coachroom is developmental. The figures are correlations in the schools' "
        "own data, not evidence of cause, and must never be used to judge a teacher or coach.\n"
    )
