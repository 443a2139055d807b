"""The fixed cast: alice teaches at Oak, bob coaches her, lead runs coaching at Oak, head is a
senior leader there, admin is Oak's school admin, carol is another Oak coach (not alice's), and
outsider coaches at Elm, another school.

The cast lives in the 2026–27 academic year, so every test starts on the same school day of
that year, `TEST_NOW`, whatever the machine's clock says (see `_pinned_clock`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from coachroom.accounts.models import AcademicYear, CoachingRelationship, School, User
from coachroom.accounts.services import academic_year_create
from tests.factories import (
    MembershipFactory,
    RelationshipFactory,
    SchoolFactory,
    UserFactory,
)


@pytest.fixture(scope="session", autouse=True)
def _no_stray_postgres_sessions(django_db_setup, django_db_blocker):
    """Before pytest-django drops the PostgreSQL test database, end any session that a live
    server or worker thread left open, which would otherwise stop the drop."""
    yield
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
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


@pytest.fixture(autouse=True)
def _pinned_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Start every test at `TEST_NOW`, so that no test depends on the real date.

    The clock ticks on from there (`tick=True`): timestamps made one after another in a test
    still differ and sort in the order they were made, as they would in use. A test that needs
    another moment travels inside this one (`time_machine.travel(...)`, the `time_machine`
    fixture's `move_to`): the innermost travel wins and this one resumes when it ends. A test
    marked `@pytest.mark.time_machine(...)` is left to that marker, which starts first.

    time-machine patches the process's clock functions, so the browser tests' live server,
    running in another thread, sees the same date. Chromium keeps the real date, which is safe
    for sign-in: the session cookie lasts until the browser closes (SESSION_EXPIRE_AT_BROWSER_
    CLOSE), the CSRF cookie carries Max-Age, which browsers follow rather than the Expires date
    written from the pinned clock, and sessions expire by the server's (pinned) clock. So the
    browser tests are pinned like the rest.
    """
    if request.node.get_closest_marker("time_machine"):
        yield
        return
    with pinned_clock():
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True
    # Tests share one process; a cache would carry pages from one test's data to the next.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


# The cast is made by plain functions, so that a fixture of a wider scope (the access matrix's
# module-wide cast) makes exactly the same people as the fixtures below.

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
    )
    return user


def make_pairing(oak: School, year: AcademicYear, alice: User, bob: User) -> CoachingRelationship:
    return RelationshipFactory(school=oak, academic_year=year, coach=bob, coachee=alice)


@pytest.fixture
def oak(db) -> School:
    return make_oak()


@pytest.fixture
def elm(db) -> School:
    return make_elm()


@pytest.fixture
def oak_year(oak) -> AcademicYear:
    """2026–27 with typical English half-terms and INSET days."""
    return make_oak_year(oak)


@pytest.fixture
def alice(oak) -> User:
    return make_oak_member(oak, "Alice")


@pytest.fixture
def bob(oak) -> User:
    return make_oak_member(oak, "Bob")


@pytest.fixture
def carol(oak) -> User:
    return make_oak_member(oak, "Carol")


@pytest.fixture
def lead(oak) -> User:
    return make_oak_member(oak, "Lead")


@pytest.fixture
def head(oak) -> User:
    return make_oak_member(oak, "Head")


@pytest.fixture
def admin(oak) -> User:
    return make_oak_member(oak, "Admin")


@pytest.fixture
def dpo(oak) -> User:
    """Oak's data protection lead (a business manager: no other role)."""
    return make_oak_member(oak, "Dora")


@pytest.fixture
def outsider(elm) -> User:
    return make_outsider(elm)


@pytest.fixture
def pairing(oak, oak_year, alice, bob) -> CoachingRelationship:
    """bob coaches alice at Oak this year."""
    return make_pairing(oak, oak_year, alice, bob)
