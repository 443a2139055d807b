"""Access-matrix rows for web imports (merged into tests/test_access_matrix.py).

Only school admins import: every other member gets 403, and trust_admin (no school) too.
outsider is a school admin at Elm: the upload page and template are theirs (for Elm), but
Oak's runs are 404 to them.
"""

from __future__ import annotations

from typing import Any

from coachroom.imports.models import ImportKind, ImportRun, ImportUpload
from tests.access import Row

ADMINS = {"admin": 200, "outsider": 200}

STAFF_CSV = b"email,first_name,last_name,roles\nnew.person@oak.example,New,Person,teacher\n"


def oak_dry_run(o: dict[str, Any]) -> int:
    """A finished, problem-free dry run of a staff CSV at Oak, ready to import."""
    school = o["alice_membership"].school
    upload = ImportUpload.objects.create(
        school=school,
        uploaded_by=o["admin"],
        kind=ImportKind.STAFF,
        filename="staff.csv",
        size=len(STAFF_CSV),
        content=STAFF_CSV,
    )
    run = ImportRun.objects.create(
        school=school,
        upload=upload,
        started_by=o["admin"],
        kind=ImportKind.STAFF,
        dry_run=True,
        status=ImportRun.Status.DONE,
        created=1,
    )
    return run.pk


IMPORT_ROWS: dict[str, Row] = {
    "imports:upload": Row(ADMINS),
    "imports:staff-template": Row(ADMINS),
    "imports:run-detail": Row({"admin": 200, "outsider": 404}, args=lambda o: [oak_dry_run(o)]),
    "imports:run-apply": Row(
        {"admin": 302, "outsider": 404}, method="post", args=lambda o: [oak_dry_run(o)]
    ),
}
