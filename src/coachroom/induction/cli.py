"""`coachroom import ittecf PATH [--dry-run]`: load the framework's statements from the school's
own copy (a CSV file, docs/induction.md).

As the other imports (imports/cli.py): every problem is printed on stdout, one a line (file,
line, column: what is wrong), then a one-line reason goes to stderr and the exit status is 1;
nothing is written. Otherwise the counts are printed. Running it twice changes nothing the
second time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from coachroom.core.errors import DomainError


def run_import(args: argparse.Namespace) -> int:
    from coachroom.induction.framework_file import read_statements
    from coachroom.induction.services import framework_import

    if args.school is not None:
        raise DomainError(
            "the framework's statements are shared by every school; leave out --school"
        )
    path = Path(args.path)
    if not path.exists():
        raise DomainError(f"{args.path} does not exist")
    if path.is_dir():
        raise DomainError(f"{args.path} is a folder; the framework import reads one CSV file")
    found = read_statements(path.read_bytes(), label=path.name)
    if found.problems:
        for problem in found.problems:
            print(problem)
        n = len(found.problems)
        raise DomainError(
            f"{n} problem{'s' if n != 1 else ''} found, so nothing was imported; "
            "fix them and run the import again"
        )
    print(framework_import(rows=found.rows, dry_run=args.dry_run).summary())
    return 0
