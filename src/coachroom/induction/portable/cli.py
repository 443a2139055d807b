"""`coachroom export ect EMAIL PATH [--school URN]`: write an ECT's portable induction record.

Whoever runs Coachroom exports it on the ECT's behalf, as the ECT would download it (their own
button on My induction): it holds what the ECT may read. Every refusal is one line on stderr
and exit status 1 (cli.py prints the `DomainError`); nothing is written then. The export is
audited once the file is written.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from coachroom.accounts.models import Membership, User
from coachroom.core.errors import DomainError
from coachroom.induction.models import Induction
from coachroom.induction.portable.services import record_archive, record_exported


def run_export_ect(args: argparse.Namespace) -> int:
    path = Path(args.path)
    _check_path(path)
    induction = _induction_of(args.email, args.school)
    export = record_archive(induction=induction, reader=induction.ect)
    partial = path.with_name(path.name + ".part")  # never leave a half-written zip behind
    try:
        partial.write_bytes(export.content)
        os.replace(partial, path)
    except OSError as error:
        raise DomainError(f"cannot write {path}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)
    record_exported(induction=induction, export=export, by=None)
    print(
        f"Wrote {induction.ect.full_name}'s induction record at {induction.school.name} "
        f"({export.reviews} signed review{'s' if export.reviews != 1 else ''}, "
        f"{export.steps} step{'s' if export.steps != 1 else ''}) to {path}"
    )
    return 0


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise DomainError(f"{path} is a folder; give the zip's file name, e.g. {path / 'ect.zip'}")
    if path.exists():
        raise DomainError(f"{path} already exists; choose a new file name")
    if not path.parent.is_dir():
        raise DomainError(f"the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise DomainError(f"cannot write in the folder {path.parent}")


def _induction_of(email: str, urn: str | None) -> Induction:
    address = email.strip().lower()
    ect = User.objects.filter(email=address).first()
    if ect is None:
        raise DomainError(f"no Coachroom account has the email {address}")
    inductions = list(
        Induction.objects.filter(ect=ect)
        .select_related("school", "ect", "mentor", "tutor")
        .order_by("school__name", "pk")
    )
    if urn is not None:
        inductions = [i for i in inductions if i.school.urn == urn.strip()]
    if not inductions:
        where = f" at the school with URN {urn}" if urn is not None else ""
        raise DomainError(f"{address} has no induction set up in Coachroom{where}")
    if len(inductions) > 1:
        schools = "; ".join(f"{i.school.name} (URN {i.school.urn})" for i in inductions)
        raise DomainError(
            f"{address} has an induction at {len(inductions)} schools ({schools}); "
            "choose one with --school URN"
        )
    induction = inductions[0]
    # Read as the ECT: someone who has left, or whose account is closed, reads nothing there.
    if not Membership.objects.active().filter(user=ect, school=induction.school).exists():
        raise DomainError(
            f"{address} is no longer an active member of {induction.school.name}, so their "
            "induction there is closed to them; reactivate them there to export it, or answer "
            "a subject access request"
        )
    return induction
