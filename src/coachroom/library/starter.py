"""Load the shipped starter library (`data/starter_steps.json`) into the database.

The loader is an idempotent upsert keyed by each row's `slug` or `key`:

- problems, strands and sub-strands are created or brought up to date;
- starter steps (no trust, no school) are created, updated to the file's wording, or archived
  when their key has gone from the file; they are never deleted, because agreed action steps
  may point at them;
- school- and trust-owned steps, including schools' copies of starter steps, are never
  touched, so a school's wording survives every update.

Every starter step carries the file's `version`. When every live starter step is already at
that version and the count matches, the loader stops after one query.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Q
from django.utils import timezone

from coachroom.library.models import LibraryStep, Problem, Strand, SubStrand

logger = logging.getLogger(__name__)

STARTER_FILE = Path(__file__).resolve().parent / "data" / "starter_steps.json"
STARTER_SOURCE = "Coachroom starter library"

# Fields a starter step takes from the file; anything else on the row is left alone.
STEP_FIELDS = (
    "strand_id",
    "substrand_id",
    "title",
    "looks_like",
    "why",
    "drill",
    "pitfalls",
    "phase",
    "subjects",
    "ittecf_sections",
    "source",
    "licence",
    "version",
    "is_archived",
)


@dataclass
class LoadReport:
    version: int
    created: int = 0
    updated: int = 0
    archived: int = 0
    up_to_date: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)

    def __str__(self) -> str:
        state = " (already loaded)" if self.up_to_date else ""
        return (
            f"Starter library version {self.version}{state}: {self.created} created, "
            f"{self.updated} updated, {self.archived} archived."
        )


def read_starter_file(path: Path | None = None) -> dict[str, Any]:
    with (path or STARTER_FILE).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def join_list(values: list[Any]) -> str:
    """Subjects and ITTECF sections are stored as "a, b, c"."""
    return ", ".join(str(v).strip() for v in values if str(v).strip())


def load_starter_library(
    *, force: bool = False, path: Path | None = None, using: str = DEFAULT_DB_ALIAS
) -> LoadReport:
    data = read_starter_file(path)
    version = int(data["version"])
    report = LoadReport(version=version)
    if not force and _is_current(data, using=using):
        report.up_to_date = True
        return report
    with transaction.atomic(using=using):
        problems = _upsert_problems(data["problems"], using=using)
        strands, substrands = _upsert_strands(data["strands"], using=using)
        _upsert_steps(data, problems, strands, substrands, report, using=using)
    logger.info(
        "starter library loaded",
        extra={
            "version": version,
            "steps_created": report.created,
            "steps_updated": report.updated,
            "steps_archived": report.archived,
        },
    )
    return report


def _is_current(data: dict[str, Any], *, using: str) -> bool:
    """One query: are exactly the file's steps live, all at the file's version?"""
    counts = (
        LibraryStep.objects.using(using)
        .starter()
        .filter(is_archived=False)
        .aggregate(live=Count("pk"), current=Count("pk", filter=Q(version=int(data["version"]))))
    )
    wanted = len(data["steps"])
    return bool(counts["live"] == counts["current"] == wanted)


def _upsert_problems(rows: list[dict[str, Any]], *, using: str) -> dict[str, Problem]:
    # bulk_create sets primary keys on SQLite and PostgreSQL, both of which we support.
    existing = {p.slug: p for p in Problem.objects.using(using).all()}
    new, changed = [], []
    for row in rows:
        values = {"kennedy_label": row["kennedy"], "steplab_label": row["steplab"]}
        problem = existing.get(row["slug"])
        if problem is None:
            problem = Problem(slug=row["slug"], **values)
            new.append(problem)
            existing[problem.slug] = problem
        elif _assign(problem, values):
            changed.append(problem)
    Problem.objects.using(using).bulk_create(new)
    Problem.objects.using(using).bulk_update(changed, ["kennedy_label", "steplab_label"])
    return existing


def _upsert_strands(
    rows: list[dict[str, Any]], *, using: str
) -> tuple[dict[str, Strand], dict[tuple[str, str], SubStrand]]:
    strands = {s.slug: s for s in Strand.objects.using(using).all()}
    new, changed = [], []
    for row in rows:
        values = {
            "name": row["name"],
            "order": int(row["order"]),
            "ittecf_sections": join_list(row.get("ittecf", [])),
        }
        strand = strands.get(row["slug"])
        if strand is None:
            strand = Strand(slug=row["slug"], **values)
            new.append(strand)
            strands[strand.slug] = strand
        elif _assign(strand, values):
            changed.append(strand)
    Strand.objects.using(using).bulk_create(new)
    Strand.objects.using(using).bulk_update(changed, ["name", "order", "ittecf_sections"])

    by_pk = {s.pk: s for s in strands.values()}
    substrands = {
        (by_pk[ss.strand_id].slug, ss.slug): ss
        for ss in SubStrand.objects.using(using).all()
        if ss.strand_id in by_pk
    }
    new_subs, changed_subs = [], []
    for row in rows:
        strand = strands[row["slug"]]
        for position, sub in enumerate(row.get("substrands", []), start=1):
            values = {"name": sub["name"], "order": position}
            substrand = substrands.get((strand.slug, sub["slug"]))
            if substrand is None:
                substrand = SubStrand(strand=strand, slug=sub["slug"], **values)
                new_subs.append(substrand)
                substrands[(strand.slug, substrand.slug)] = substrand
            elif _assign(substrand, values):
                changed_subs.append(substrand)
    SubStrand.objects.using(using).bulk_create(new_subs)
    SubStrand.objects.using(using).bulk_update(changed_subs, ["name", "order"])
    return strands, substrands


def _upsert_steps(
    data: dict[str, Any],
    problems: dict[str, Problem],
    strands: dict[str, Strand],
    substrands: dict[tuple[str, str], SubStrand],
    report: LoadReport,
    *,
    using: str,
) -> None:
    version = int(data["version"])
    licence = str(data.get("licence", ""))
    existing = {s.key: s for s in LibraryStep.objects.using(using).starter().exclude(key="")}
    now = timezone.now()
    new: list[LibraryStep] = []
    changed: list[LibraryStep] = []
    wanted_problems: dict[str, set[int]] = {}
    for row in data["steps"]:
        strand = strands[row["strand"]]
        substrand = substrands.get((strand.slug, row.get("substrand") or ""))
        values: dict[str, Any] = {
            "strand_id": strand.pk,
            "substrand_id": substrand.pk if substrand else None,
            "title": row["title"].strip(),
            "looks_like": "\n".join(line.strip() for line in row["looks_like"] if line.strip()),
            "why": row.get("why", "").strip(),
            "drill": row.get("drill", "").strip(),
            "pitfalls": row.get("pitfalls", "").strip(),
            "phase": row.get("phase") or "all",
            "subjects": join_list(row.get("subjects", [])),
            "ittecf_sections": join_list(row.get("ittecf", [])),
            "source": STARTER_SOURCE,
            "licence": licence,
            "version": version,
            "is_archived": False,
        }
        wanted_problems[row["key"]] = {problems[slug].pk for slug in row.get("problems", [])}
        step = existing.get(row["key"])
        if step is None:
            new.append(LibraryStep(key=row["key"], **values))
        else:
            # A new file version alone is bookkeeping: report only rows whose wording moved.
            if _differs(step, {k: v for k, v in values.items() if k != "version"}):
                report.updated += 1
            if _assign(step, values):
                step.updated_at = now
                changed.append(step)
    created = LibraryStep.objects.using(using).bulk_create(new)
    report.created = len(created)
    LibraryStep.objects.using(using).bulk_update(changed, [*STEP_FIELDS, "updated_at"])

    gone = (
        LibraryStep.objects.using(using)
        .starter()
        .exclude(key="")
        .exclude(key__in=list(wanted_problems))
        .filter(is_archived=False)
    )
    report.archived = gone.update(is_archived=True, updated_at=now)

    _sync_problems(wanted_problems, using=using)


def _sync_problems(wanted: dict[str, set[int]], *, using: str) -> None:
    """Make each starter step's problem tags match the file, adding and removing only the
    difference."""
    through = LibraryStep.problems.through
    ids = dict(
        LibraryStep.objects.using(using)
        .starter()
        .filter(key__in=list(wanted))
        .values_list("key", "pk")
    )
    current: dict[int, set[int]] = {}
    for step_id, problem_id in (
        through.objects.using(using)
        .filter(librarystep_id__in=ids.values())
        .values_list("librarystep_id", "problem_id")
    ):
        current.setdefault(step_id, set()).add(problem_id)
    add, remove = [], Q()
    removing = False
    for key, problem_ids in wanted.items():
        step_id = ids[key]
        have = current.get(step_id, set())
        for problem_id in problem_ids - have:
            add.append(through(librarystep_id=step_id, problem_id=problem_id))
        extra = have - problem_ids
        if extra:
            remove |= Q(librarystep_id=step_id, problem_id__in=extra)
            removing = True
    if removing:
        through.objects.using(using).filter(remove).delete()
    through.objects.using(using).bulk_create(add)


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set the values on obj; True when any of them changed."""
    changed = _differs(obj, values)
    for name, value in values.items():
        setattr(obj, name, value)
    return changed


def _differs(obj: Any, values: dict[str, Any]) -> bool:
    return any(getattr(obj, name) != value for name, value in values.items())
