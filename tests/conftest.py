"""The fixed cast: alice teaches at Oak, bob coaches her, lead runs coaching at Oak, head is a
senior leader there, admin is Oak's school admin, carol is another Oak coach (not alice's), and
outsider coaches at Elm, another school."""

from __future__ import annotations

import pytest
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


@pytest.fixture
def oak(db) -> School:
    return SchoolFactory(name="Oak School", urn="111111")


@pytest.fixture
def elm(db) -> School:
    return SchoolFactory(name="Elm School", urn="222222")


@pytest.fixture
def oak_year(oak) -> AcademicYear:
    """2026–27 with typical English half-terms and INSET days."""
    return academic_year_create(school=oak, by=None, start_year=2026)


def _member(school: School, first: str, **roles: bool) -> User:
    user = UserFactory(first_name=first, last_name="Example", email=f"{first.lower()}@oak.example")
    MembershipFactory(user=user, school=school, **roles)
    return user


@pytest.fixture
def alice(oak) -> User:
    return _member(oak, "Alice", is_teacher=True)


@pytest.fixture
def bob(oak) -> User:
    return _member(oak, "Bob", is_teacher=True, is_coach=True)


@pytest.fixture
def carol(oak) -> User:
    return _member(oak, "Carol", is_teacher=True, is_coach=True)


@pytest.fixture
def lead(oak) -> User:
    return _member(oak, "Lead", is_teacher=True, is_coach=True, is_coaching_lead=True)


@pytest.fixture
def head(oak) -> User:
    return _member(oak, "Head", is_teacher=False, is_senior_leader=True)


@pytest.fixture
def admin(oak) -> User:
    return _member(oak, "Admin", is_teacher=False, is_school_admin=True)


@pytest.fixture
def dpo(oak) -> User:
    """Oak's data protection lead (a business manager: no other role)."""
    return _member(oak, "Dora", is_teacher=False, is_data_protection_lead=True)


@pytest.fixture
def outsider(elm) -> User:
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


@pytest.fixture
def pairing(oak, oak_year, alice, bob) -> CoachingRelationship:
    """bob coaches alice at Oak this year."""
    return RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=alice)
