"""Reading what a directory sends: request bodies, values, attribute paths, PATCH operations.

Directories differ in small ways, and Microsoft Entra ID's provisioning service most of all:
it capitalises operations ("Replace"), may send `active` as the string "False", and may send a
PATCH operation without a path whose value is an object of attributes. All of those are read
here; anything that cannot be read is a SCIM 400 with the right `scimType`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from scim2_filter_parser.attr_paths import AttrPath

from coachroom.integrations.provisioning.scim import errors

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
OPS = ("add", "replace", "remove")
MAX_PATH = 300
MAX_OPERATIONS = 1000


def load_object(body: bytes) -> dict[str, Any]:
    """The request's JSON object; anything else is invalidSyntax."""
    try:
        data = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        raise errors.invalid_syntax("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise errors.invalid_syntax("The request body must be a JSON object.")
    return data


def require_schema(data: dict[str, Any], urn: str) -> None:
    schemas = data.get("schemas")
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise errors.invalid_syntax(f"“schemas” must be a list that includes {urn}.")
    if urn.lower() not in {s.lower() for s in schemas}:
        raise errors.invalid_syntax(f"“schemas” must include {urn}.")


def as_bool(value: Any, what: str) -> bool:
    """true/false, or the strings "True"/"False" in any case (Entra ID sends those)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise errors.invalid_value(f"“{what}” must be true or false.")


def as_text(value: Any, what: str, *, max_length: int) -> str:
    """A string (null reads as empty), at most `max_length` characters once trimmed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise errors.invalid_value(f"“{what}” must be a string.")
    text = " ".join(value.split())
    if len(text) > max_length:
        raise errors.invalid_value(f"“{what}” can be at most {max_length} characters.")
    return text


def as_email(value: Any, what: str = "userName") -> str:
    """Coachroom's userName is the person's email address, as they sign in with it."""
    if not isinstance(value, str) or not value.strip():
        raise errors.invalid_value(f"“{what}” is required: the person's email address.")
    email = value.strip().lower()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise errors.invalid_value(
            f"“{what}” must be the person's email address, which they sign in with; "
            f"“{value.strip()[:100]}” is not one. Map userName to mail (or "
            "userPrincipalName when it is the email address)."
        ) from None
    if len(email) > 254:
        raise errors.invalid_value(f"“{what}” can be at most 254 characters.")
    return email


@dataclass(frozen=True)
class Path:
    """An attribute path, lower-cased: `name.givenName` is ("name", "givenname", "")."""

    attr: str
    sub: str
    uri: str
    raw: str

    @property
    def is_core(self) -> bool:
        return self.uri in ("", USER_URN.lower(), GROUP_URN.lower())


def parse_path(raw: str) -> Path:
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_PATH:
        raise errors.invalid_path("“path” must be an attribute path, such as “name.givenName”.")
    try:
        first = AttrPath(raw.strip() + ' eq ""', {}).first_path
    except Exception:  # the parser raises several kinds of error for a malformed path
        raise errors.invalid_path(f"“{raw[:100]}” is not an attribute path.") from None
    attr, sub, uri = first
    return Path((attr or "").lower(), (sub or "").lower(), (uri or "").lower(), raw.strip())


@dataclass(frozen=True)
class Operation:
    op: str  # add, replace or remove
    path: Path | None
    value: Any


def patch_operations(data: dict[str, Any]) -> list[Operation]:
    """The PatchOp message's operations, checked for shape (not for meaning)."""
    require_schema(data, PATCH_URN)
    raw_ops = data.get("Operations", data.get("operations"))
    if not isinstance(raw_ops, list) or not raw_ops:
        raise errors.invalid_syntax("“Operations” must be a list of at least one operation.")
    if len(raw_ops) > MAX_OPERATIONS:
        raise errors.invalid_syntax(f"At most {MAX_OPERATIONS} operations in one request.")
    operations: list[Operation] = []
    for raw in raw_ops:
        if not isinstance(raw, dict):
            raise errors.invalid_syntax("Each operation must be a JSON object.")
        op = raw.get("op")
        if not isinstance(op, str) or op.strip().lower() not in OPS:
            raise errors.invalid_syntax("Each operation's “op” must be add, replace or remove.")
        op = op.strip().lower()
        path = parse_path(raw["path"]) if raw.get("path") not in (None, "") else None
        if path is None and op == "remove":
            raise errors.no_target("A remove operation needs a “path”.")
        if path is None and not isinstance(raw.get("value"), dict):
            raise errors.invalid_syntax(
                "An operation without a “path” needs a “value” that is an object of attributes."
            )
        if op != "remove" and "value" not in raw:
            raise errors.invalid_syntax(f"The {op} operation needs a “value”.")
        operations.append(Operation(op, path, raw.get("value")))
    return operations


def pathless_items(value: dict[str, Any]) -> list[tuple[Path, Any]]:
    """A path-less operation's value, as (path, value) pairs. An extension's attributes may
    come as one object under the extension's URN; they are spread out too."""
    items: list[tuple[Path, Any]] = []
    for key, item in value.items():
        if isinstance(key, str) and key.lower().startswith("urn:") and isinstance(item, dict):
            items += [(Path(str(k).lower(), "", key.lower(), str(k)), v) for k, v in item.items()]
        else:
            items.append((parse_path(key), item))
    return items
