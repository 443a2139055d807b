"""Access-matrix rows for the audit pages (merged into tests/test_access_matrix.py).

The school's log is for its admins and its data protection lead (domain §10: the audit trail
is shown to the DPO): `outsider` (Elm's admin) gets 200 with Elm's log, never Oak's. Everyone
signed in, trust admins included, may see who has viewed their own records.
"""

from __future__ import annotations

from tests.access import Row

LOG_READERS = {"admin": 200, "dpo": 200, "outsider": 200}

AUDIT_ROWS: dict[str, Row] = {
    "audit:log": Row(LOG_READERS),
    "audit:log-csv": Row(LOG_READERS),
    "audit:my-views": Row({}, default=200),
}
