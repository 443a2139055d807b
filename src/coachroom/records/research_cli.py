"""`coachroom export research PATH [--school URN] [--k K]`: the research export as a zip.

Without `--school`, every school in this Coachroom, pooled (ids still differ per export). Every
refusal is one line on stderr and exit status 1 (cli.py prints the `DomainError`); nothing is
written then. Audited once per school, with no actor: whoever runs Coachroom made it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from coachroom.accounts.models import School
from coachroom.core.errors import DomainError
from coachroom.records.research import research_export


def run_export_research(args: argparse.Namespace) -> int:
    path = Path(args.path)
    _check_path(path)
    if args.k < 2:
        raise DomainError("--k must be at least 2")
    schools = list(School.objects.order_by("name"))
    if args.school:
        schools = [s for s in schools if s.urn == args.school.strip()]
        if not schools:
            raise DomainError(f"no school has the URN {args.school}")
    if not schools:
        raise DomainError("there are no schools in this Coachroom yet")
    export = research_export(schools=schools, by=None, k=args.k)
    partial = path.with_name(path.name + ".part")  # never leave a half-written zip behind
    try:
        partial.write_bytes(export.content)
        os.replace(partial, path)
    except OSError as error:
        raise DomainError(f"cannot write {path}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)
    print(
        f"Wrote {export.rows} step row{'s' if export.rows != 1 else ''} to {path} "
        f"(k = {export.k}: {export.suppressed_rows} with a value suppressed, "
        f"{export.dropped_rows} left out)"
    )
    return 0


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise DomainError(
            f"{path} is a folder; give the zip's file name, e.g. {path / 'research.zip'}"
        )
    if path.exists():
        raise DomainError(f"{path} already exists; choose a new file name")
    if not path.parent.is_dir():
        raise DomainError(f"the folder {path.parent} does not exist")
