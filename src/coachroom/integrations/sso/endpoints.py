"""Where each kind of provider lives: Microsoft's and Google's fixed endpoints, and the
discovery document of any other OpenID Connect provider.

Microsoft's and Google's addresses are Django settings with the public defaults below, so the
tests can point them at the OpenID Connect provider they run on loopback; nobody needs to set
them in production.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import requests
from allauth.socialaccount.adapter import get_adapter
from django.conf import settings

from coachroom.integrations.sso.models import IdentityProvider, ProviderKind

MICROSOFT_LOGIN_URL = "https://login.microsoftonline.com"
GOOGLE_ENDPOINTS = {
    "issuer": "https://accounts.google.com",
    "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
    "token_endpoint": "https://oauth2.googleapis.com/token",
    "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
}
WELL_KNOWN = "/.well-known/openid-configuration"


class DiscoveryError(Exception):
    """The issuer's discovery document could not be read or does not describe the issuer."""


def microsoft_login_url() -> str:
    return str(getattr(settings, "SSO_MICROSOFT_LOGIN_URL", MICROSOFT_LOGIN_URL)).rstrip("/")


def microsoft_endpoints(tenant_id: str) -> dict[str, str]:
    """Entra ID's v2.0 endpoints for one tenant (a directory ID, never common/organizations)."""
    base = f"{microsoft_login_url()}/{tenant_id}"
    return {
        "issuer": f"{base}/v2.0",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
    }


def google_endpoints() -> dict[str, str]:
    return dict(getattr(settings, "SSO_GOOGLE_ENDPOINTS", GOOGLE_ENDPOINTS))


def authorization_endpoint(provider: IdentityProvider) -> str:
    if provider.kind == ProviderKind.MICROSOFT:
        return microsoft_endpoints(provider.tenant_id)["authorization_endpoint"]
    if provider.kind == ProviderKind.GOOGLE:
        return google_endpoints()["authorization_endpoint"]
    return provider.authorization_endpoint


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def form_origins(providers: list[IdentityProvider]) -> list[str]:
    """The origins the sign-in buttons' forms lead to, for the page's form-action policy."""
    return sorted({o for o in (origin(authorization_endpoint(p)) for p in providers) if o})


# Any other OpenID Connect provider ---------------------------------------------------------


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def secure_enough(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine's loopback (a provider on the same server)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))


def normalise_issuer(url: str) -> str:
    url = url.strip()
    if url.endswith(WELL_KNOWN):
        url = url[: -len(WELL_KNOWN)]
    return url.rstrip("/")


def discover(issuer_url: str) -> dict[str, Any]:
    """Read and check the issuer's discovery document (OpenID Connect Discovery 1.0, §4)."""
    issuer = normalise_issuer(issuer_url)
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(issuer + WELL_KNOWN)
            response.raise_for_status()
            document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryError(
            f"Coachroom could not read {issuer}{WELL_KNOWN} ({type(error).__name__}). "
            "Check the issuer URL, and that this server can reach it."
        ) from error
    if not isinstance(document, dict):
        raise DiscoveryError(f"{issuer}{WELL_KNOWN} is not an OpenID Connect discovery document.")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise DiscoveryError(
            f"The discovery document names its issuer as {document.get('issuer')!r}, not "
            f"{issuer!r}. Copy the issuer URL exactly as your provider shows it."
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(key)
        if not isinstance(value, str) or not secure_enough(value):
            raise DiscoveryError(f"The discovery document has no usable {key}.")
    return document
