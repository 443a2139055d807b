"""Client secrets at rest: Fernet (AES-128-CBC with an HMAC-SHA256) under a key derived from
SSO_ENCRYPTION_KEY, or from SECRET_KEY when that is not set.

The key is never stored. Changing SSO_ENCRYPTION_KEY (or SECRET_KEY without it) makes saved
secrets unreadable: the trust admin's page then asks for the secret again, and the sign-in
button says it needs attention. Old SECRET_KEYs listed in SECRET_KEY_FALLBACKS still decrypt,
so a key can be rotated without re-entering every secret; the next save re-encrypts.
"""

from __future__ import annotations

import base64
import os
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from coachroom.integrations.sso.models import IdentityProvider

# Secrets read from the environment must be in variables of this name, so that a trust admin
# can never have Coachroom send another setting (the SECRET_KEY, the database password) to a
# provider as its client secret.
ENV_PREFIX = "COACHROOM_SSO_SECRET_"
ENV_NAME = re.compile(rf"^{ENV_PREFIX}[A-Z0-9_]{{1,60}}$")


class SecretUnavailable(Exception):
    """The provider's client secret cannot be read (key changed, variable unset)."""


def _fernet(material: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        # Fixed for good (it predates the integrations app): a new salt would make every
        # saved secret unreadable.
        salt=b"coachroom.integrations.sso",
        info=b"client-secret",
    ).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> list[str]:
    dedicated = getattr(settings, "SSO_ENCRYPTION_KEY", "")
    if dedicated:
        return [dedicated]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def encrypt(secret: str) -> str:
    return MultiFernet([_fernet(k) for k in _keys()]).encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return MultiFernet([_fernet(k) for k in _keys()]).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnavailable(
            "The saved client secret can no longer be read: SSO_ENCRYPTION_KEY or SECRET_KEY "
            "has changed. Enter the secret again."
        ) from None


def client_secret(provider: IdentityProvider) -> str:
    """The provider's client secret, from the environment or decrypted."""
    if provider.secret_env_var:
        value = os.environ.get(provider.secret_env_var, "")
        if not ENV_NAME.match(provider.secret_env_var) or not value:
            raise SecretUnavailable(
                f"The environment variable {provider.secret_env_var} is not set on this server."
            )
        return value
    if not provider.secret_encrypted:
        raise SecretUnavailable("No client secret has been saved.")
    return decrypt(provider.secret_encrypted)


def secret_readable(provider: IdentityProvider) -> bool:
    try:
        client_secret(provider)
    except SecretUnavailable:
        return False
    return True
