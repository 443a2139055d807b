"""The fixed cast: alice teaches at Oak, bob coaches her, lead runs coaching at Oak, head is a
senior leader there, admin is Oak's school admin, carol is another Oak coach (not alice's), and
outsider coaches at Elm, another school.

The cast lives in the 2026–27 academic year, so every test starts on the same school day of
that year, `TEST_NOW`, whatever the machine's clock says (see `_pinned_clock`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connection

from coachroom.accounts.models import AcademicYear, CoachingRelationship, School, User
from tests.cast import (
    make_elm,
    make_oak,
    make_oak_member,
    make_oak_year,
    make_outsider,
    make_pairing,
    pinned_clock,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `servers` run real processes against the test database, and tests marked
    `concurrent_writers` run transactions side by side: only a database server can do either.
    They are selected when the suite runs on PostgreSQL (the PostgreSQL pass of `./dev test`),
    and reported as deselected on SQLite."""
    if django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return

    def needs_a_server(item: pytest.Item) -> bool:
        return any(item.get_closest_marker(name) for name in ("servers", "concurrent_writers"))

    left_out = [item for item in items if needs_a_server(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not needs_a_server(item)]


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
def tess(oak) -> User:
    """Oak's induction tutor."""
    return make_oak_member(oak, "Tess")


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
