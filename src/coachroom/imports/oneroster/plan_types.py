"""Step 2's result: the `Plan` of what an import would create, update and deactivate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coachroom.accounts.models import AcademicYear, Membership, School, Term, Trust, User
from coachroom.imports.common import Change
from coachroom.imports.oneroster.roster import Org, Person, Session


@dataclass
class TrustPlan:
    org: Org | None  # None: a stand-alone school's own trust
    trust: Trust | None  # None: to create
    name: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class SchoolPlan:
    org: Org
    school: School | None
    trust: TrustPlan | None  # only for a new school
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class TermPlan:
    session: Session
    term: Term | None
    fields: dict[str, Any]


@dataclass
class YearPlan:
    school_sid: str
    key: str
    year: AcademicYear | None
    fields: dict[str, Any]
    terms: list[TermPlan]
    remove: list[Term]


@dataclass
class PersonPlan:
    person: Person
    user: User | None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class MembershipPlan:
    person: PersonPlan
    school_sid: str
    membership: Membership | None
    fields: dict[str, Any] = field(default_factory=dict)
    reactivate: bool = False


@dataclass
class Plan:
    trusts: list[TrustPlan] = field(default_factory=list)
    schools: dict[str, SchoolPlan] = field(default_factory=dict)
    years: list[YearPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    memberships: list[MembershipPlan] = field(default_factory=list)
    deactivate: list[Membership] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def diff(obj: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if getattr(obj, k) != v}


FIELD_LABELS = {
    "name": "name",
    "urn": "URN",
    "starts_on": "start date",
    "ends_on": "end date",
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "is_teacher": "teacher role",
    "is_school_admin": "school admin role",
    "is_coach": "coach role",
    "is_coaching_lead": "coaching lead role",
    "is_senior_leader": "senior leader role",
    "subjects": "subjects",
    "key_stages": "key stages",
    "phase": "phase taught",
    "job_title": "job title",
    "is_ect": "ECT",
}


def fields_text(fields: dict[str, Any]) -> str:
    """ "name, email changed; linked to the MIS record"."""
    labels = [FIELD_LABELS.get(k, k) for k in fields if k != "source_id"]
    parts = [", ".join(dict.fromkeys(labels)) + " changed"] if labels else []
    if "source_id" in fields:
        parts.append("linked to the MIS record")
    return "; ".join(parts)
