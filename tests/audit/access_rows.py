"""Access-matrix rows for the audit pages (merged into tests/test_access_matrix.py).

The school's log is for its admins: `outsider` (Elm's admin) gets 200 with Elm's log, never
Oak's. Everyone signed in, trust admins included, may see who has viewed their own records.
"""

from __future__ import annotations

from tests.access import Row

SCHOOL_ADMINS = {"admin": 200, "outsider": 200}

AUDIT_ROWS: dict[str, Row] = {
    "audit:log": Row(SCHOOL_ADMINS),
    "audit:log-csv": Row(SCHOOL_ADMINS),
    "audit:my-views": Row({}, default=200),
}
