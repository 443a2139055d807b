"""Access-matrix rows for records (merged into tests/test_access_matrix.py).

`my-record-pdf` takes no id: it is always the signed-in person's own record, so only alice
(bob's coachee) has one; everyone else, her coach and leaders included, gets 404. Leaders
download counts; only school admins answer subject access requests, export the school or set
retention. `outsider` is an admin and lead at Elm, so reaches those pages with Elm's data.
Anyone signed in, with or without a school, may download what is held about them.
"""

from __future__ import annotations

from tests.access import Row

LEADERS = {"lead": 200, "head": 200, "admin": 200, "outsider": 200}
ADMINS = {"admin": 200, "outsider": 200}

RECORDS_ROWS: dict[str, Row] = {
    "records:index": Row({}, default=200),
    "records:activity-export": Row(LEADERS),
    "records:my-record-pdf": Row({"alice": 200}, default=404),
    "records:my-data": Row({}, default=200),
    "records:subject-access": Row(ADMINS),
    "records:school-export": Row(ADMINS),
    "records:retention": Row(ADMINS),
}
