"""Access-matrix rows for staff provisioning (merged into tests/test_access_matrix.py).

The tokens page is for school admins: every other member gets 403, and trust_admin (no
school) too; outsider is Elm's school admin, so the page is theirs (for Elm) and Oak's token
is a 404 to them. The SCIM endpoint is not a page: it takes a school's bearer token and
nothing else, so every URL under /scim/v2/ is 401 to everyone in a browser, signed in or not.
"""

from __future__ import annotations

from typing import Any

from coachroom.integrations.provisioning.services import scim_token_create
from tests.access import Row


def oak_token(o: dict[str, Any]) -> int:
    token, _ = scim_token_create(
        school=o["alice_membership"].school, by=o["admin"], name="Microsoft Entra ID"
    )
    return token.pk


SCIM = Row({}, default=401, anonymous=401)

PROVISIONING_ROWS: dict[str, Row] = {
    "provisioning:tokens": Row({"admin": 200, "outsider": 200}),
    "provisioning:token-revoke": Row(
        {"admin": 200, "outsider": 404}, args=lambda o: [oak_token(o)]
    ),
    "scim:root": SCIM,
    "scim:users": SCIM,
    "scim:groups": SCIM,
    "scim:service-provider-config": SCIM,
    "scim:resource-types": SCIM,
    "scim:schemas": SCIM,
    "scim:not-found": Row({}, default=401, anonymous=401, args=lambda o: ["Bulk"]),
}
