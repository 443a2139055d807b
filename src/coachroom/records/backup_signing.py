"""The key that signs backups, and the signature a restore checks.

`coachroom backup` signs its manifest with HMAC-SHA256; the manifest holds the SHA-256 of every
other file in the archive, so the signature covers all of it. `coachroom restore` refuses an
archive that is unsigned, signed with another key, or changed since it was signed.

The key comes from the environment variable COACHROOM_BACKUP_KEY (at least 32 characters) or,
when that is unset, from the file `backup_key` in the data directory, which the first backup
generates. It is never derived from SECRET_KEY: the operator keeps it apart from the backups,
and a restore on another machine needs it (set COACHROOM_BACKUP_KEY, or copy the file).

Only the key's id, a fingerprint that does not reveal the key, is written into the archive, so
that a restore can say which key it expected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from coachroom.core.errors import DomainError

KEY_ENV = "COACHROOM_BACKUP_KEY"
KEY_FILE = "backup_key"
MIN_KEY_CHARS = 32
SIGNATURE = "signature.json"
ALGORITHM = "HMAC-SHA256"


@dataclass(frozen=True)
class BackupKey:
    secret: bytes
    source: str  # where it came from: the variable's name or the file's path
    created: bool = False

    @property
    def key_id(self) -> str:
        """A fingerprint to name the key by; it does not reveal the key."""
        return hmac.new(self.secret, b"coachroom backup key id", hashlib.sha256).hexdigest()[:16]

    def sign(self, manifest: bytes) -> str:
        return hmac.new(self.secret, manifest, hashlib.sha256).hexdigest()


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def _checked(text: str, source: str) -> bytes:
    key = text.strip()
    if len(key) < MIN_KEY_CHARS:
        raise DomainError(
            f"the backup key in {source} is too short: use at least {MIN_KEY_CHARS} random "
            "characters"
        )
    return key.encode("utf-8")


def load_key() -> BackupKey | None:
    """The key from COACHROOM_BACKUP_KEY, else from the data directory's file; None if neither."""
    value = os.environ.get(KEY_ENV, "")
    if value.strip():
        return BackupKey(_checked(value, KEY_ENV), KEY_ENV)
    path = key_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not a text file"
        raise DomainError(f"the backup key {path} cannot be read: {reason}") from None
    return BackupKey(_checked(text, str(path)), str(path))


def key_for_backup() -> BackupKey:
    """The key to sign with; the first backup without one generates the key file."""
    found = load_key()
    if found is not None:
        return found
    path = key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another backup made it a moment ago
        return key_for_backup()
    except OSError as error:
        raise DomainError(f"cannot create the backup key {path}: {error.strerror}") from None
    secret = secrets.token_urlsafe(32)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    return BackupKey(secret.encode("utf-8"), str(path), created=True)


def signature(manifest: bytes, key: BackupKey) -> bytes:
    """The archive's signature.json for these exact manifest bytes."""
    document = {"algorithm": ALGORITHM, "key_id": key.key_id, "hmac": key.sign(manifest)}
    return json.dumps(document, indent=2).encode("utf-8")


def _parse(signed: bytes) -> tuple[str, str]:
    try:
        document = json.loads(signed)
        key_id, mac = document["key_id"], document["hmac"]
        algorithm = document["algorithm"]
    except (ValueError, TypeError, KeyError):
        raise DomainError(
            "this backup's signature cannot be read: the archive was damaged or changed"
        ) from None
    if algorithm != ALGORITHM or not isinstance(key_id, str) or not isinstance(mac, str):
        raise DomainError(f"this backup is not signed with {ALGORITHM}, so it cannot be trusted")
    return key_id, mac


def verify(signed: bytes | None, manifest: bytes) -> BackupKey:
    """Refuse, with one line, an archive that is unsigned, signed with another key or changed."""
    if signed is None:
        raise DomainError(
            "this backup is not signed, so it cannot be trusted; restore only archives that "
            "`coachroom backup` wrote"
        )
    key_id, mac = _parse(signed)
    key = load_key()
    if key is None:
        raise DomainError(
            f"there is no backup key here to check this backup, which was signed with key "
            f"{key_id}: set {KEY_ENV} to that key, or copy the backup_key file of the "
            f"installation that made it to {key_file()}"
        )
    if key.key_id != key_id:
        raise DomainError(
            f"this backup was signed with backup key {key_id}, but the key in {key.source} is "
            f"{key.key_id}: set {KEY_ENV} to the key of the installation that made the backup"
        )
    if not hmac.compare_digest(mac, key.sign(manifest)):
        raise DomainError(
            "this backup has been changed since it was made: its signature does not match"
        )
    return key
