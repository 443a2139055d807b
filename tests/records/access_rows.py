"""Access-matrix rows for records (merged into tests/test_access_matrix.py).

`my-record-pdf` takes no id: it is always the signed-in person's own record, so only alice
(bob's coachee) has one; everyone else, her coach and leaders included, gets 404. Leaders
download counts. Only the data protection lead (`dpo`) answers subject access requests and
exports the school, because both hand over coaching notes: a school admin gets 403 there, and
sets retention. `outsider` is admin, lead and data protection lead at Elm, so reaches those
pages with Elm's data.
Anyone signed in, with or without a school, may download what is held about them.
"""

from __future__ import annotations

from tests.access import Row

LEADERS = {"lead": 200, "head": 200, "admin": 200, "outsider": 200}
ADMINS = {"admin": 200, "outsider": 200}
DATA_PROTECTION_LEADS = {"dpo": 200, "outsider": 200}

RECORDS_ROWS: dict[str, Row] = {
    "records:index": Row({}, default=200),
    "records:activity-export": Row(LEADERS),
    "records:my-record-pdf": Row({"alice": 200}, default=404),
    "records:my-data": Row({}, default=200),
    "records:subject-access": Row(DATA_PROTECTION_LEADS),
    "records:school-export": Row(DATA_PROTECTION_LEADS),
    "records:research-export": Row(DATA_PROTECTION_LEADS),
    "records:retention": Row(ADMINS),
}
