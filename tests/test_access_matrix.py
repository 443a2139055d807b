"""Every URL × every role: who gets 200, 302, 403, 404 or 405.

The matrix is data: `test_every_url_is_in_the_matrix` fails when a URL is added without a row,
so each new page must state who may reach it. Objects belong to Oak; `outsider` is a school
admin, coaching lead and coach at Elm, so a 404 for them proves that Oak's rows stay hidden.
List pages show the viewer's own school, so `outsider` gets 200 there, with Elm's data.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coachroom.accounts.models import Closure, Membership
from tests.access import Row
from tests.accounts.access_rows import ACCOUNT_ROWS
from tests.audit.access_rows import AUDIT_ROWS
from tests.cast import (
    OAK_ROLES,
    make_elm,
    make_oak,
    make_oak_member,
    make_oak_year,
    make_outsider,
    make_pairing,
    pinned_clock,
)
from tests.coaching.access_rows import COACHING_ROWS
from tests.coaching.access_rows_goals import GOAL_ROWS
from tests.coaching.access_rows_offline import OFFLINE_ROWS
from tests.coaching.access_rows_self_coaching import SELF_COACHING_ROWS
from tests.factories import RelationshipFactory, UserFactory
from tests.imports.access_rows import IMPORT_ROWS
from tests.induction.access_rows import INDUCTION_ROWS
from tests.integrations.provisioning.access_rows import PROVISIONING_ROWS
from tests.integrations.reporting_api.access_rows import API_ROWS
from tests.integrations.sso.access_rows import SSO_ROWS
from tests.leading.access_rows import WALK_ROWS
from tests.library.access_rows import LIBRARY_ROWS
from tests.records.access_rows import RECORDS_ROWS
from tests.reporting.access_rows import COMPLETION_ROWS
from tests.scheduling.access_rows import SCHEDULE_ROWS
from tests.scheduling.access_rows_ical import ICAL_ROWS
from tests.scheduling.access_rows_reminders import REMINDER_ROWS
from tests.video.access_rows import VIDEO_ROWS

ACTORS = [
    "anonymous",
    "alice",
    "bob",
    "carol",
    "lead",
    "head",
    "admin",
    "dpo",
    "tess",
    "outsider",
    "trust_admin",
]
LEADS = {"lead": 200, "admin": 200, "outsider": 200}
ADMIN_ONLY = {"admin": 200, "outsider": 200}
ADMIN_OBJECT = {"admin": 200, "outsider": 404}


MATRIX: dict[str, Row] = {
    "home": Row({}, default=200),
    "healthz": Row({}, default=200, anonymous=200),
    "login": Row({}, default=302, anonymous=200),
    "logout": Row({}, default=405),
    "password_reset": Row({}, default=200, anonymous=200),
    "password_reset_done": Row({}, default=200, anonymous=200),
    "password_reset_confirm": Row(
        {}, default=200, anonymous=200, args=lambda o: ["MQ", "bad-token"]
    ),
    "password_reset_complete": Row({}, default=200, anonymous=200),
    "accounts:profile": Row({}, default=200),
    "accounts:switch-school": Row({}, default=405),
    "accounts:school-settings": Row(ADMIN_ONLY),
    "accounts:staff-list": Row(LEADS),
    "accounts:staff-invite": Row(ADMIN_ONLY),
    "accounts:staff-edit": Row(ADMIN_OBJECT, args=lambda o: [o["alice_membership"].pk]),
    "accounts:staff-deactivate": Row(ADMIN_OBJECT, args=lambda o: [o["alice_membership"].pk]),
    "accounts:staff-reactivate": Row(
        {"admin": 302, "outsider": 404}, method="post", args=lambda o: [o["alice_membership"].pk]
    ),
    "accounts:staff-reinvite": Row(
        {"admin": 302, "outsider": 404}, method="post", args=lambda o: [o["alice_membership"].pk]
    ),
    "accounts:pair-list": Row(LEADS),
    "accounts:pair-end": Row(
        {"lead": 200, "admin": 200, "outsider": 404}, args=lambda o: [o["pair"].pk]
    ),
    "accounts:pair-line-manager": Row(
        {"lead": 302, "admin": 302, "outsider": 404}, method="post", args=lambda o: [o["pair"].pk]
    ),
    "accounts:pair-sharing": Row(
        {"alice": 302}, default=404, method="post", args=lambda o: [o["pair"].pk]
    ),
    "accounts:year-list": Row(LEADS),
    "accounts:year-detail": Row(ADMIN_OBJECT, args=lambda o: [o["year"].pk]),
    "accounts:closure-delete": Row(
        {"admin": 302, "outsider": 404},
        method="post",
        args=lambda o: [o["year"].pk, o["closure"].pk],
    ),
}


MATRIX.update(ACCOUNT_ROWS)
MATRIX.update(LIBRARY_ROWS)
MATRIX.update(COACHING_ROWS)
MATRIX.update(WALK_ROWS)
MATRIX.update(SCHEDULE_ROWS)
MATRIX.update(ICAL_ROWS)
MATRIX.update(REMINDER_ROWS)
MATRIX.update(COMPLETION_ROWS)
MATRIX.update(GOAL_ROWS)
MATRIX.update(SELF_COACHING_ROWS)
MATRIX.update(RECORDS_ROWS)
MATRIX.update(AUDIT_ROWS)
MATRIX.update(IMPORT_ROWS)
MATRIX.update(INDUCTION_ROWS)
MATRIX.update(SSO_ROWS)
MATRIX.update(API_ROWS)
MATRIX.update(PROVISIONING_ROWS)
MATRIX.update(VIDEO_ROWS)
MATRIX.update(OFFLINE_ROWS)


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin: staff-only, behind its own sign-in
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    assert _names(get_resolver()) == set(MATRIX)


def _make_cast() -> dict[str, Any]:
    oak = make_oak()
    year = make_oak_year(oak)
    people = {first.lower(): make_oak_member(oak, first) for first in OAK_ROLES}
    elm = make_elm()
    people["dpo"] = people.pop("dora")
    people["outsider"] = make_outsider(elm)
    pair = make_pairing(oak, year, people["alice"], people["bob"])
    trust_admin = UserFactory(first_name="Trusty")
    oak.trust.admins.add(trust_admin)
    return {
        **people,
        "trust_admin": trust_admin,
        "alice_membership": Membership.objects.get(user=people["alice"], school=oak),
        "pair": pair,
        "year": year,
        "closure": Closure.objects.create(
            school=oak, academic_year=year, date=dt.date(2026, 11, 20), reason="Snow day"
        ),
        "elm_pair": RelationshipFactory(school=elm),
    }


@pytest.fixture(scope="module")
def _module_cast(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """The cast, made once per module inside a transaction that is rolled back at the end.

    Each test's own transaction nests inside it as a savepoint, so what a test writes is undone
    after it as before; making the cast for each of the matrix's thousand tests took about a
    third of its time.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        with pinned_clock():
            cast = _make_cast()
        yield cast
        transaction.set_rollback(True)


@pytest.fixture
def cast(db, _module_cast) -> dict[str, Any]:
    """A fresh copy of the objects for each test, as Django's setUpTestData gives, so that a
    row that changes an object in memory leaves the next test's alone."""
    return copy.deepcopy(_module_cast)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(client, cast, name, actor):
    row = MATRIX[name]
    if actor == "anonymous":
        expected = row.anonymous
    else:
        client.force_login(cast[actor])
        expected = row.expect.get(actor, row.default)
    url = reverse(name, args=row.args(cast))
    response = getattr(client, row.method)(url)
    assert response.status_code == expected, f"{actor} {row.method.upper()} {url}"
    if actor == "anonymous" and expected == 302 and name != "home":
        assert response["Location"].startswith(reverse("login"))
