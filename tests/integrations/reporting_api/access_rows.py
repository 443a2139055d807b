"""Access-matrix rows for the API (merged into tests/test_access_matrix.py).

The API tokens page is everyone's own (anonymous visitors are sent to sign in); a token's
revoke page is its owner's, a 404 to everyone else. The API itself answers to tokens only: a
signed-in session gets the same 401 as no one at all, and the schema and its docs page are
public. tests/integrations/reporting_api/test_access.py has the API's own matrix, by token.
"""

from __future__ import annotations

from typing import Any

from coachroom.integrations.reporting_api import services
from coachroom.integrations.reporting_api.models import ApiToken, Scope
from tests.access import Row


def alice_token(o: dict[str, Any]) -> ApiToken:
    token, _secret = services.token_create(
        owner=o["alice"], name="Reports", scopes=[Scope.REPORTING.value], days=30
    )
    return token


OPERATIONS = (
    "me",
    "schools",
    "timeline",
    "completion_weeks",
    "completion_reasons",
    "completion_coachees",
    "steps_by_strand",
    "steps_by_priority",
    "stick_rate",
    "induction_reviews",
    "induction_summary",
)

API_ROWS: dict[str, Row] = {
    "api:tokens": Row({}, default=200),
    "api:token-revoke": Row({"alice": 200}, default=404, args=lambda o: [alice_token(o).pk]),
    "api:v1:openapi-json": Row({}, default=200, anonymous=200),
    "api:v1:openapi-view": Row({}, default=200, anonymous=200),
    "api:v1:api-root": Row({}, default=404, anonymous=404),
    **{f"api:v1:{name}": Row({}, default=401, anonymous=401) for name in OPERATIONS},
}
