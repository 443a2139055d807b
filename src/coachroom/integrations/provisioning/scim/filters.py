"""SCIM filters (`userName eq "sam@school.example"`) as Django queries.

scim2-filter-parser (django-scim2's own parser) reads the filter and turns it into a `Q`. Only
the attributes below can be filtered on; a filter naming any other attribute is an error
(invalidFilter) rather than a filter that quietly matches everyone. Comparisons are
case-insensitive, as SCIM defines them for userName.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_filter_parser.transpilers.django_q_object import Transpiler as QTranspiler
from scim2_filter_parser.transpilers.sql import Transpiler as PathFinder

from coachroom.integrations.provisioning.scim import errors
from coachroom.integrations.provisioning.scim.values import GROUP_URN, USER_URN

MAX_FILTER = 1000
AttrMap = Mapping[tuple[str, str | None, str | None], str]

_USER = USER_URN.lower()
PERSON_FIELDS: AttrMap = {
    **{
        (attr, sub, uri): field
        for uri in (None, _USER)
        for (attr, sub), field in {
            ("username", None): "user__email",
            ("externalid", None): "scim__external_id",
            ("emails", None): "user__email",
            ("emails", "value"): "user__email",
            ("name", "givenname"): "user__first_name",
            ("name", "familyname"): "user__last_name",
            ("active", None): "is_active",
        }.items()
    },
}
GROUP_FIELDS: AttrMap = {
    (attr, None, uri): field
    for uri in (None, GROUP_URN.lower())
    for attr, field in {
        "displayname": "display_name",
        "externalid": "external_id",
        "id": "role",
    }.items()
}


def filter_q(query: str, fields: AttrMap, *, what: str) -> Q:
    """The filter as a `Q` over the resource's rows, or a SCIM 400 (invalidFilter)."""
    if len(query) > MAX_FILTER:
        raise errors.invalid_filter(f"A filter can be at most {MAX_FILTER} characters.")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(query))
        finder = PathFinder({})
        finder.transpile(tree)
    except Exception:  # the lexer and the parser raise several kinds of error
        raise errors.invalid_filter(f"“{query[:100]}” is not a SCIM filter.") from None
    for path in finder.attr_paths:
        key = (
            path.attr_name.lower(),
            path.sub_attr.lower() if path.sub_attr else None,
            path.uri.lower() if path.uri else None,
        )
        if key not in fields:
            name = ".".join(p for p in (path.attr_name, path.sub_attr) if p)
            raise errors.invalid_filter(f"{what} cannot be filtered on “{name}”.")
    try:
        q = QTranspiler(fields).transpile(tree)
    except Exception:
        raise errors.invalid_filter(f"“{query[:100]}” is not a filter Coachroom can run.") from None
    if not isinstance(q, Q):
        raise errors.invalid_filter(f"“{query[:100]}” is not a filter Coachroom can run.")
    return q


class PersonFilter:
    """django-scim2's USER_FILTER_PARSER: the attribute map its adapters read."""

    attr_map = PERSON_FIELDS


class GroupFilter:
    """django-scim2's GROUP_FILTER_PARSER."""

    attr_map = GROUP_FIELDS
