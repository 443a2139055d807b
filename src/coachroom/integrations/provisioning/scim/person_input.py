"""A SCIM User (POST, PUT) or its PATCH operations, read into `PersonChanges`.

Coachroom keeps, for each person: userName (their email address, which they sign in with),
name.givenName and name.familyName, title (their job title at this school), active (at this
school) and externalId (the directory's id for them at this school). Everything else a
directory sends (displayName, emails, phone numbers, the enterprise extension's department and
manager…) is accepted and not kept, so that a directory's default attribute mappings work. A
kept attribute with a value of the wrong kind is an error.
"""

from __future__ import annotations

from typing import Any

from coachroom.integrations.provisioning.people import PersonChanges
from coachroom.integrations.provisioning.scim import errors
from coachroom.integrations.provisioning.scim.values import (
    USER_URN,
    Operation,
    Path,
    as_bool,
    as_email,
    as_text,
    pathless_items,
    require_schema,
)

NAME_MAX = 100
TITLE_MAX = 100
EXTERNAL_ID_MAX = 255
# Attributes some directories repeat inside a path-less operation's value: passed over.
READ_ONLY_ECHOES = frozenset({"id", "meta", "schemas"})


def parse_person(data: dict[str, Any]) -> PersonChanges:
    """A whole User resource. Attributes left out are left as they are (a PUT that forgets the
    name does not blank it)."""
    require_schema(data, USER_URN)
    changes = PersonChanges(email=as_email(data.get("userName")))
    if "name" in data and data["name"] is not None:
        _read_name(changes, data["name"])
    if "title" in data:
        changes.job_title = as_text(data["title"], "title", max_length=TITLE_MAX)
    if "active" in data and data["active"] is not None:
        changes.active = as_bool(data["active"], "active")
    if "externalId" in data:
        changes.external_id = as_text(data["externalId"], "externalId", max_length=EXTERNAL_ID_MAX)
    return changes


def _read_name(changes: PersonChanges, name: Any) -> None:
    if not isinstance(name, dict):
        raise errors.invalid_value("“name” must be an object with givenName and familyName.")
    lowered = {str(k).lower(): v for k, v in name.items()}
    if "givenname" in lowered:
        changes.first_name = as_text(lowered["givenname"], "name.givenName", max_length=NAME_MAX)
    if "familyname" in lowered:
        changes.last_name = as_text(lowered["familyname"], "name.familyName", max_length=NAME_MAX)


def parse_person_patch(operations: list[Operation]) -> PersonChanges:
    """PATCH operations, applied in order to what they ask for."""
    changes = PersonChanges()
    for operation in operations:
        if operation.path is None:
            for path, value in pathless_items(operation.value):
                if path.attr not in READ_ONLY_ECHOES:
                    _apply(changes, operation.op, path, value)
        else:
            _apply(changes, operation.op, operation.path, operation.value)
    return changes


def _apply(changes: PersonChanges, op: str, path: Path, value: Any) -> None:
    if not path.is_core:
        return  # an extension's attribute (the enterprise user's department…): not kept
    removing = op == "remove"
    match (path.attr, path.sub):
        case ("username", ""):
            if removing:
                raise errors.mutability(
                    "userName cannot be removed: it is how the person signs in."
                )
            changes.email = as_email(value)
        case ("name", ""):
            if removing:
                changes.first_name, changes.last_name = "", ""
            elif value is not None:
                _read_name(changes, value)
        case ("name", "givenname"):
            changes.first_name = "" if removing else as_text(value, path.raw, max_length=NAME_MAX)
        case ("name", "familyname"):
            changes.last_name = "" if removing else as_text(value, path.raw, max_length=NAME_MAX)
        case ("title", ""):
            changes.job_title = "" if removing else as_text(value, "title", max_length=TITLE_MAX)
        case ("active", ""):
            if removing:
                raise errors.mutability("active cannot be removed; set it to false instead.")
            changes.active = as_bool(value, "active")
        case ("externalid", ""):
            changes.external_id = (
                "" if removing else as_text(value, "externalId", max_length=EXTERNAL_ID_MAX)
            )
        case ("id", _) | ("meta", _):
            raise errors.mutability(f"“{path.raw}” is read-only.")
        case ("groups", _):
            raise errors.mutability(
                "A person's groups are read-only here: change the group's members instead."
            )
        case _:
            return  # displayName, emails, phoneNumbers…: accepted, not kept
