"""Access-matrix rows for single sign-on (merged into tests/test_access_matrix.py).

Signing in is public: the start of the flow sends a link (GET) to the sign-in page and anyone
signed in home; a callback without its sign-in's state is refused (to the "who to ask" page),
and that page is open to all. Setting sign-in up is for the trust's admins: `trust_admin`
administers Oak's trust and gets 200; nobody else administers a trust, so the list is a 403
and Oak's trust and provider are 404 (another trust's admin gets 404 too:
tests/integrations/sso/test_views.py).
"""

from __future__ import annotations

from typing import Any

from coachroom.integrations.sso import crypto
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind
from tests.access import Row
from tests.integrations.sso.helpers import TENANT


def _provider(objs: dict[str, Any]) -> IdentityProvider:
    provider, _ = IdentityProvider.objects.get_or_create(
        slug="oak-microsoft",
        defaults={
            "trust_id": objs["pair"].school.trust_id,
            "kind": ProviderKind.MICROSOFT,
            "tenant_id": TENANT,
            "client_id": "oak-app",
            "secret_encrypted": crypto.encrypt("oak-secret"),
            "allowed_domains": ["oak.example"],
        },
    )
    return provider


TRUST_ADMIN_OBJECT = {"trust_admin": 200}

SSO_ROWS: dict[str, Row] = {
    "sso:start": Row({}, default=302, anonymous=302, args=lambda o: [_provider(o).slug]),
    "sso:callback": Row({}, default=302, anonymous=302, args=lambda o: [_provider(o).slug]),
    "sso:refused": Row({}, default=200, anonymous=200),
    "sso:list": Row({"trust_admin": 200}),
    "sso:create": Row(
        TRUST_ADMIN_OBJECT, default=404, args=lambda o: [o["pair"].school.trust_id, "microsoft"]
    ),
    "sso:edit": Row(TRUST_ADMIN_OBJECT, default=404, args=lambda o: [_provider(o).pk]),
    "sso:remove": Row(TRUST_ADMIN_OBJECT, default=404, args=lambda o: [_provider(o).pk]),
}
