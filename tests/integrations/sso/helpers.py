"""Setting up providers against the loopback OpenID Connect provider, and signing in through it
with Django's test client: the client posts the button, follows the redirect to the provider
over real HTTP, and brings the provider's redirect back to Coachroom's callback."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from django.test import Client
from django.urls import reverse

from coachroom.accounts.models import School, Trust
from coachroom.integrations.sso import crypto
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind
from tests.integrations.sso.oidc_provider import OIDCProvider

TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
SECRET = "s3cret-from-the-provider"


def make_provider(
    idp: OIDCProvider,
    trust: Trust,
    *,
    kind: str = ProviderKind.OIDC,
    slug: str = "",
    school: School | None = None,
    domains: tuple[str, ...] = ("oak.example",),
    passwords_allowed: bool = True,
    **fields: Any,
) -> IdentityProvider:
    slug = slug or f"{trust.pk}-{kind.replace('_', '-')}"
    client_id = f"coachroom-{slug}"
    idp.add_client(client_id, SECRET)
    values: dict[str, Any] = {
        "trust": trust,
        "school": school,
        "kind": kind,
        "slug": slug,
        "client_id": client_id,
        "secret_encrypted": crypto.encrypt(SECRET),
        "allowed_domains": list(domains),
        "passwords_allowed": passwords_allowed,
    }
    if kind == ProviderKind.OIDC:
        values.update(
            display_name="Oak Login",
            issuer_url=idp.base_url,
            authorization_endpoint=f"{idp.base_url}/authorize",
        )
    elif kind == ProviderKind.MICROSOFT:
        values["tenant_id"] = TENANT
    values.update(fields)
    return IdentityProvider.objects.create(**values)


def start(client: Client, provider: IdentityProvider, **data: str) -> str:
    """Press the button; returns where Coachroom sends the browser (the provider)."""
    response = client.post(reverse("sso:start", args=[provider.slug]), data)
    assert response.status_code == 302, response
    return str(response["Location"])


def at_provider(authorize_url: str) -> str:
    """The provider signs the chosen person in; returns its redirect back to Coachroom, as a
    path for the test client."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers["Location"])
    return f"{back.path}?{back.query}"


def sign_in(client: Client, provider: IdentityProvider, **data: str) -> Any:
    """The whole journey; returns Coachroom's answer to the callback."""
    return client.get(at_provider(start(client, provider, **data)))
