"""The school's directory groups: one for each Coachroom role, and one for the ECT flag.

A directory (Microsoft Entra ID, Google Workspace, Okta) sends groups and their members; in
Coachroom a group *is* a role at one school, so a person added to "Coaches" becomes a coach
there and one removed from it stops being one. A group's SCIM id is the role's own key
(`coach`), the same at every school: a token only ever sees its own school.

Directories name groups as they like, so a directory group links to a role when its name says
which one, give or take a "Coachroom" prefix, punctuation, case and plurals: "Coachroom -
Coaches", "coachroom_coaches" and "Coach" all link to Coaches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coachroom.accounts.models import ROLE_FIELDS, Role

ECT = "ect"


@dataclass(frozen=True)
class RoleGroup:
    key: str  # the group's SCIM id, and Role's value (or "ect")
    name: str  # the group's name in Coachroom
    field: str  # the Membership field the group sets and clears
    aliases: frozenset[str]  # more names (normalised) that link a directory group to it

    @property
    def label(self) -> str:
        """The role as one person holds it: "Coach", "Early-career teacher (ECT)"."""
        if self.key == ECT:
            return "Early-career teacher (ECT)"
        return str(Role(self.key).label)


def _group(role: Role, plural: str, *more: str) -> RoleGroup:
    return RoleGroup(
        key=role.value,
        name=plural,
        field=ROLE_FIELDS[role],
        aliases=frozenset(_normalise(n) for n in (plural, str(role.label), *more)),
    )


def _normalise(name: str) -> str:
    words = re.sub(r"[\s\-_–—:;|/.,()]+", " ", name.strip().lower()).split()
    if words and words[0] == "coachroom":
        words = words[1:]
    return " ".join(words)


GROUPS: tuple[RoleGroup, ...] = (
    _group(Role.TEACHER, "Teachers", "Teaching staff"),
    _group(Role.COACH, "Coaches", "Mentors", "Mentor", "Instructional coaches"),
    _group(Role.COACHING_LEAD, "Coaching leads", "Lead coaches", "Lead coach"),
    _group(
        Role.SENIOR_LEADER, "Senior leaders", "SLT", "Senior leadership team", "Senior leadership"
    ),
    _group(Role.SCHOOL_ADMIN, "School admins", "School administrators", "School administrator"),
    _group(
        Role.DATA_PROTECTION_LEAD,
        "Data protection leads",
        "Data protection officer",
        "Data protection officers",
        "DPO",
        "DPL",
    ),
    _group(Role.INDUCTION_TUTOR, "Induction tutors"),
    RoleGroup(
        key=ECT,
        name="Early-career teachers",
        field="is_ect",
        aliases=frozenset(
            _normalise(n) for n in ("Early-career teachers", "Early-career teacher", "ECTs", "ECT")
        ),
    ),
)
GROUP_BY_KEY: dict[str, RoleGroup] = {g.key: g for g in GROUPS}
assert set(GROUP_BY_KEY) == {r.value for r in Role} | {ECT}  # noqa: S101 - every role has one


def group_named(name: str) -> RoleGroup | None:
    """The group a directory group's name stands for, or None."""
    wanted = _normalise(name)
    for group in GROUPS:
        if wanted in group.aliases:
            return group
    return None


def names_for_help() -> str:
    """ "Teachers, Coaches, … and Early-career teachers", for error messages."""
    names = [g.name for g in GROUPS]
    return ", ".join(names[:-1]) + " and " + names[-1]
