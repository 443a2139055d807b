"""Access-matrix rows for the completion dashboard (merged into tests/test_access_matrix.py).

Coaches see their own pairs' figures, and leaders the school's; `outsider` is a coach, lead and
admin at Elm, so sees Elm's figures (200). Plain teachers and trust admins (no school) get 403.
"""

from __future__ import annotations

from tests.access import Row

FIGURE_VIEWERS = {
    "bob": 200,
    "carol": 200,
    "lead": 200,
    "head": 200,
    "admin": 200,
    "outsider": 200,
}

COMPLETION_ROWS: dict[str, Row] = {
    "reporting:completion": Row(FIGURE_VIEWERS),
    # without `?table=` the download is the summary
    "reporting:completion-csv": Row(FIGURE_VIEWERS),
    # Insights: a school's coaching lead (outsider leads at Elm); trust admins across schools
    "reporting:insights": Row({"lead": 200, "outsider": 200}),
    "reporting:trust-insights": Row({"trust_admin": 200}),
}
