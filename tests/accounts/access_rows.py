"""Access-matrix rows for identity pages and closing a year (see tests/test_access_matrix.py)."""

from __future__ import annotations

from tests.access import Row

ACCOUNT_ROWS: dict[str, Row] = {
    "accounts:email-change": Row({}, default=200),
    "accounts:email-confirm": Row({}, default=200, anonymous=200, args=lambda o: ["bad-token"]),
    "accounts:year-close": Row({"admin": 200, "outsider": 404}, args=lambda o: [o["year"].pk]),
}
