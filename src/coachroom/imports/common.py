"""What both importers share: reading CSV text, problems with file/line/column, planned
changes and their counts, and progress reporting.

Reading never keeps a row the importer does not need: `read_table` asks a `classify` function
about every row first, so pupil rows are dropped before any of their values are looked at.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TextIO

from coachroom.core.problems import Problem

Verdict = Literal["keep", "drop", "skip", "stub"]
"""keep the row; drop it unread (pupils); skip it unread (staff we don't import, counted);
stub: keep only `stub_column` (an unknown role), so the problem can be reported without the
rest of the row."""

Action = Literal["create", "update", "deactivate"]


class Problems:
    """Every problem found, in the order found; nothing is written while there are any."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(file, line, column, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Change:
    action: Action
    kind: str  # "trust", "school", "year", "staff", "pair", "induction"
    label: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "action": self.action,
            "kind": self.kind,
            "label": self.label,
            "detail": self.detail,
        }

    def __str__(self) -> str:
        return f"{self.kind}: {self.label}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class Outcome:
    """The result of an import or dry run: problems, or the changes made (or that would be)."""

    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def deactivated(self) -> int:
        return self.count("deactivate")

    @property
    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "deactivated": self.deactivated}

    def by_kind(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for change in self.changes:
            row = table.setdefault(change.kind, {"create": 0, "update": 0, "deactivate": 0})
            row[change.action] += 1
        return table

    def ignored_lines(self) -> list[str]:
        """ "Ignored 5 rows about pupils …", from `skipped` ({"rows about pupils …": 5})."""
        lines = []
        for what, n in self.skipped.items():
            if n:
                text = what.replace("rows", "row", 1) if n == 1 else what
                lines.append(f"Ignored {n} {text}.")
        return lines

    def result_json(self) -> dict[str, Any]:
        return {
            "changes": [c.as_dict() for c in self.changes],
            "notes": self.notes,
            "ignored": self.ignored_lines(),
            "by_kind": self.by_kind(),
        }

    def summary_lines(self, limit: int = 20) -> list[str]:
        """Plain text for the terminal: headline counts, a breakdown and a short list."""
        c = self.counts
        if self.dry_run:
            lines = [
                "Dry run: nothing has been written.",
                f"Would create {c['created']}, update {c['updated']}, "
                f"deactivate {c['deactivated']}.",
            ]
        else:
            lines = [
                f"{c['created']} created, {c['updated']} updated, {c['deactivated']} deactivated."
            ]
        for kind, row in self.by_kind().items():
            parts = [f"{n} {VERB[a]}" for a, n in row.items() if n]
            lines.append(f"  {KIND_LABELS.get(kind, kind)}: {', '.join(parts)}")
        for action in ("create", "update", "deactivate"):
            these = [ch for ch in self.changes if ch.action == action]
            if not these:
                continue
            heading = ("Would " + action if self.dry_run else VERB[action].capitalize()) + ":"
            lines.append(heading)
            lines.extend(f"  {ch}" for ch in these[:limit])
            if len(these) > limit:
                lines.append(f"  … and {len(these) - limit} more")
        lines.extend(self.ignored_lines())
        lines.extend(f"Note: {note}" for note in self.notes)
        return lines


VERB = {"create": "created", "update": "updated", "deactivate": "deactivated"}
KIND_LABELS = {
    "trust": "Trusts",
    "school": "Schools",
    "year": "Academic years",
    "staff": "Staff",
    "pair": "Coaching pairs",
    "induction": "Inductions",
}


class Progress(Protocol):
    """Told `done` of `total` rows in `phase`; a total of 0 announces a phase without counts."""

    def __call__(self, done: int, total: int, phase: str) -> None: ...


def no_progress(done: int, total: int, phase: str) -> None:
    return None


class TerminalProgress:
    """A progress line on stderr, redrawn in place; silent when stderr is not a terminal."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None = None, every: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int, phase: str) -> None:
        if not self.stream.isatty():
            return
        if not total:
            self.stream.write(f"\r{phase[:40]:<40}{' ' * (self.WIDTH + 20)}")
            self.stream.flush()
            self.drawn = True
            return
        now = time.monotonic()
        if now - self.last < self.every and done < total:
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(self.WIDTH * share)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{phase[:40]:<40} [{bar}] {share:4.0%} {done:,}/{total:,}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


@dataclass
class Table:
    """One CSV file's kept rows: (line number, values by canonical column name)."""

    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    skipped: int = 0  # rows we don't import (not pupils), for the summary
    dropped: int = 0  # pupil, parent and guardian rows, never read beyond their role


def decode(name: str, data: bytes, problems: Problems) -> str | None:
    """Text from UTF-8 (with or without a byte-order mark), or Windows-1252 as Excel saves it."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    problems.add(name, None, None, "The file is not text. Save it as “CSV UTF-8” and try again.")
    return None


def count_rows(text: str) -> int:
    """A quick estimate of the data rows, for progress bars."""
    return max(0, text.count("\n") - 1 + (0 if text.endswith("\n") else 1))


def iter_records(text: str) -> Iterable[tuple[int, int, list[str]]]:
    """(first line, last line, values) for each CSV record; quoted newlines span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    last = 0
    for record in reader:
        yield last + 1, reader.line_num, record
        last = reader.line_num


def read_table(
    name: str,
    text: str,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    problems: Problems,
    classify: Callable[[dict[str, str]], Verdict] | None = None,
    stub_column: str = "",
    progress: Callable[[int], None] | None = None,
) -> Table | None:
    """Check the header and return the kept rows, or None if a required column is missing.

    Header names are matched ignoring case and surrounding spaces. Values are stripped. Blank
    lines are ignored. `classify` sees only `stub_column` of each row, before anything else of
    the row is read (see `Verdict`).
    """
    records = iter(iter_records(text))
    header = _read_header(name, next(records, None), required, optional, problems)
    if header is None:
        return None
    table = Table(name=name, columns=header, rows=[])
    stub_index = header.index(stub_column) if stub_column in header else None
    for index, (line, _end, values) in enumerate(records, start=1):
        if progress is not None and index % 200 == 0:
            progress(200)
        if not any(v.strip() for v in values):
            continue
        verdict: Verdict = "keep"
        if classify is not None and stub_index is not None:
            # Only the one column is looked at before a pupil row is dropped.
            role = values[stub_index].strip() if stub_index < len(values) else ""
            verdict = classify({stub_column: role})
        if verdict == "drop":
            table.dropped += 1
        elif verdict == "skip":
            table.skipped += 1
        else:
            row = _read_row(
                name, line, header, values, problems, stub_column if verdict == "stub" else ""
            )
            if row is not None:
                table.rows.append((line, row))
    return table


def _read_header(
    name: str,
    first: tuple[int, int, list[str]] | None,
    required: Sequence[str],
    optional: Sequence[str],
    problems: Problems,
) -> list[str] | None:
    """The canonical column names of the first line, or None (with problems) if unusable."""
    if first is None or not any(v.strip() for v in first[2]):
        problems.add(name, 1, None, "The file is empty: the first line must name the columns.")
        return None
    known = {c.lower(): c for c in (*required, *optional)}
    header: list[str] = []
    seen: set[str] = set()
    for raw in first[2]:
        canonical = known.get(raw.strip().lower(), raw.strip())
        if canonical in seen and canonical:
            problems.add(name, 1, canonical, f"The column “{canonical}” appears twice.")
        seen.add(canonical)
        header.append(canonical)
    missing = [c for c in required if c not in seen]
    for column in missing:
        problems.add(name, 1, column, f"The column “{column}” is missing from the first line.")
    return None if missing else header


def _read_row(
    name: str,
    line: int,
    header: list[str],
    values: list[str],
    problems: Problems,
    stub_column: str,
) -> dict[str, str] | None:
    """One line's values by column; a stub keeps only `stub_column`. None if it has more values
    than the header names (reported as a problem)."""
    row = {
        column: (values[i].strip() if i < len(values) else "") for i, column in enumerate(header)
    }
    if stub_column:
        return {stub_column: row.get(stub_column, "")}
    if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
        problems.add(
            name,
            line,
            None,
            f"This line has {len(values)} values but the first line names "
            f"{len(header)} columns. Check for a comma that needs quotes around its value.",
        )
        return None
    return row


def redact(
    text: str, classify: Callable[[dict[str, str]], Verdict], stub_column: str
) -> tuple[str, int]:
    """The same CSV with pupil rows blanked and stub rows cut to one column; and how many
    rows were blanked.

    Blank lines keep every other row on its original line number, so problems found later
    point at the line the admin sees in their own copy of the file. Without the `stub_column`
    there is no telling pupils from staff, so every row is blanked (the missing column is
    reported when the file is checked).
    """
    records = iter(iter_records(text))
    first = next(records, None)
    if first is None:
        return text, 0
    header = [h.strip().lower() for h in first[2]]
    role_index = header.index(stub_column.lower()) if stub_column.lower() in header else None
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(first[2])
    out.write("\n" * (first[1] - first[0]))
    dropped = 0
    for start, end, values in records:
        span = end - start + 1
        if not any(v.strip() for v in values):
            out.write("\n" * span)
            continue
        verdict: Verdict = "drop"
        if role_index is not None:
            role = values[role_index].strip() if role_index < len(values) else ""
            verdict = classify({stub_column: role})
        if verdict in ("keep", "skip"):
            writer.writerow(values)
            out.write("\n" * (span - 1))
        elif verdict == "stub" and role_index is not None:
            stub = [""] * len(header)
            stub[role_index] = values[role_index] if role_index < len(values) else ""
            writer.writerow(stub)
            out.write("\n" * (span - 1))
        else:
            dropped += 1
            out.write("\n" * span)
    return out.getvalue(), dropped


def megabytes(size: int) -> str:
    """1.5 MB, 20 MB: as the upload page and problems write sizes."""
    value = size / (1024 * 1024)
    return f"{value:.1f} MB" if value < 10 else f"{value:.0f} MB"


def chunked(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
