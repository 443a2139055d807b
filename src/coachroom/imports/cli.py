"""`coachroom import {oneroster,staff} PATH [--school URN] [--dry-run]`.

Problems are printed one a line on stdout (file, line, column: what is wrong), then a one-line
reason goes to stderr and the exit status is 1; nothing is written. Otherwise the counts and a
short list of changes are printed. A progress line is drawn on stderr when it is a terminal.
Running the same import twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING

from coachroom.core.errors import DomainError

if TYPE_CHECKING:
    from coachroom.accounts.models import School

URN = re.compile(r"^\d{6}$")


def run_import(args: argparse.Namespace) -> int:
    from coachroom.imports import importers, oneroster
    from coachroom.imports.common import Problems, TerminalProgress

    path = Path(args.path)
    if not path.exists():
        raise DomainError(f"{args.path} does not exist")
    urn = args.school
    if urn is not None and not URN.match(urn):
        raise DomainError(f"--school takes a six-digit URN, for example 143201, not {urn!r}")
    progress = TerminalProgress()
    try:
        if args.format == "oneroster":
            problems = Problems()
            if path.is_dir():
                bundle = oneroster.bundle_from_folder(path, problems)
            else:
                bundle = oneroster.bundle_from_zip(path.read_bytes(), problems, label=path.name)
            outcome = importers.oneroster_import(
                bundle=bundle,
                actor=None,
                dry_run=args.dry_run,
                school_urn=urn,
                problems=problems,
                progress=progress,
            )
        else:
            if path.is_dir():
                raise DomainError(f"{args.path} is a folder; a staff import reads one CSV file")
            school = _school(urn)
            outcome = importers.staff_csv_import(
                data=path.read_bytes(),
                school=school,
                actor=None,
                dry_run=args.dry_run,
                progress=progress,
            )
    finally:
        progress.finish()
    if outcome.problems:
        for problem in outcome.problems:
            print(problem)
        n = len(outcome.problems)
        raise DomainError(
            f"{n} problem{'s' if n != 1 else ''} found, so nothing was imported; "
            "fix them and run the import again"
        )
    print("\n".join(outcome.summary_lines()))
    return 0


def _school(urn: str | None) -> School:
    from coachroom.accounts.models import School

    if urn is None:
        schools = list(School.objects.all()[:2])
        if len(schools) == 1:
            return schools[0]
        raise DomainError("a staff CSV needs --school URN: the school to import into")
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise DomainError(f"no school has the URN {urn}")
    return school
