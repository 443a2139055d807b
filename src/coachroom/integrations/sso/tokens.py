"""Checking an ID token: signature, issuer, audience and lifetime.

django-allauth skips the signature of an ID token it fetched itself from the token endpoint
(OpenID Connect Core §3.1.3.7 allows it over TLS). Coachroom checks it always, against the
provider's published keys, with asymmetric algorithms only, so a token forged or altered
anywhere on the way is refused. The nonce is checked against the sign-in's own state by
`signin.py`.
"""

from __future__ import annotations

from typing import Any

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error

# Never "none" or a shared-secret (HS*) algorithm: the key must be the provider's public key.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_SECONDS = 60


class TokenRejected(OAuth2Error):
    """The ID token failed a check; allauth shows it as a failed sign-in."""


def _signing_key(token: str, jwks_uri: str) -> Any:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenRejected("The ID token is not a JWT.") from error
    if header.get("alg") not in ALGORITHMS:
        raise TokenRejected(f"The ID token is signed with {header.get('alg')!r}.")
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(jwks_uri)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json())
    except (requests.RequestException, ValueError, jwt.PyJWTError) as error:
        raise TokenRejected("The provider's signing keys could not be read.") from error
    kid = header.get("kid")
    for key in keys.keys:
        if kid is None or key.key_id == kid:
            return key.key
    raise TokenRejected("The ID token is signed with a key the provider does not publish.")


def verify_id_token(
    *, token: str, jwks_uri: str, issuer: str | list[str], client_id: str
) -> dict[str, Any]:
    """The token's claims, once its signature, issuer, audience and times have been checked."""
    key = _signing_key(token, jwks_uri)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise TokenRejected(f"The ID token was refused: {error}") from error
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise TokenRejected("The ID token was issued to another client.")
    return claims
