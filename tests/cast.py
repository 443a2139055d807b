"""The fixed cast and the pinned clock, as plain functions: `conftest.py` builds its fixtures
from them, and a fixture of a wider scope (the access matrix's module-wide cast) makes exactly
the same people. Tests import from here, never from conftest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine

from coachroom.accounts.models import AcademicYear, CoachingRelationship, School, User
from coachroom.accounts.services import academic_year_create
from tests.factories import (
    MembershipFactory,
    RelationshipFactory,
    SchoolFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")

#: When every test runs unless it travels elsewhere: Wednesday 4 November 2026, 10:00 in
#: London, a school day in Autumn 2 of the cast's 2026–27 year (after the October half-term).
TEST_NOW = dt.datetime(2026, 11, 4, 10, 0, tzinfo=LONDON)


@contextmanager
def pinned_clock() -> Iterator[None]:
    """The clock every test starts on, for fixtures of a wider scope that make data."""
    with time_machine.travel(TEST_NOW, tick=True):
        yield


#: Oak staff by first name, with their roles.
OAK_ROLES: dict[str, dict[str, bool]] = {
    "Alice": {"is_teacher": True},
    "Bob": {"is_teacher": True, "is_coach": True},
    "Carol": {"is_teacher": True, "is_coach": True},
    "Lead": {"is_teacher": True, "is_coach": True, "is_coaching_lead": True},
    "Head": {"is_teacher": False, "is_senior_leader": True},
    "Admin": {"is_teacher": False, "is_school_admin": True},
    # Oak's data protection lead (a business manager: no other role).
    "Dora": {"is_teacher": False, "is_data_protection_lead": True},
    # Oak's induction tutor (an assistant head for staff development: no other role).
    "Tess": {"is_teacher": False, "is_induction_tutor": True},
}


def make_oak() -> School:
    return SchoolFactory(name="Oak School", urn="111111")


def make_elm() -> School:
    return SchoolFactory(name="Elm School", urn="222222")


def make_oak_year(oak: School) -> AcademicYear:
    return academic_year_create(school=oak, by=None, start_year=2026)


def _member(school: School, first: str, **roles: bool) -> User:
    user = UserFactory(first_name=first, last_name="Example", email=f"{first.lower()}@oak.example")
    MembershipFactory(user=user, school=school, **roles)
    return user


def make_oak_member(oak: School, first: str) -> User:
    return _member(oak, first, **OAK_ROLES[first])


def make_outsider(elm: School) -> User:
    user = UserFactory(first_name="Outsider", email="outsider@elm.example")
    MembershipFactory(
        user=user,
        school=elm,
        is_coach=True,
        is_coaching_lead=True,
        is_school_admin=True,
        is_data_protection_lead=True,
        is_induction_tutor=True,
    )
    return user


def make_pairing(oak: School, year: AcademicYear, alice: User, bob: User) -> CoachingRelationship:
    return RelationshipFactory(school=oak, academic_year=year, coach=bob, coachee=alice)
