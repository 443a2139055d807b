"""The page cache: repeat views cost what a bare page costs, and never show stale data."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from coachroom.accounts.models import School, User
from coachroom.accounts.pagecache import CSRF_PLACEHOLDER, touch_all_schools, touch_schools
from coachroom.audit.models import AuditEvent
from coachroom.imports import services as imports
from coachroom.library.starter import load_starter_library
from tests.factories import UserFactory

HOME = reverse("home")
LIBRARY = reverse("library:step-list")
PROFILE = reverse("accounts:profile")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]+')


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


def without_tokens(html: str) -> str:
    return ANY_TOKEN.sub(r"\1", html)


def version(school: School) -> int:
    return School.objects.values_list("data_version", flat=True).get(pk=school.pk)


def rename(user: User, first: str) -> None:
    """Change a name behind the cache's back: no request, no touch."""
    User.objects.filter(pk=user.pk).update(first_name=first)


def test_a_repeat_view_skips_the_page_queries(client, pairing, bob, django_assert_max_num_queries):
    client.force_login(bob)
    first = client.get(HOME)
    assert first.status_code == 200
    assert "Alice Example" in first.content.decode()
    # Session, user and memberships, then the session saved (in a savepoint): the same queries
    # as a bare signed-in page, and none of the page's own.
    with django_assert_max_num_queries(6):
        second = client.get(HOME)
    assert second.status_code == 200
    assert without_tokens(second.content.decode()) == without_tokens(first.content.decode())


def test_the_cache_really_serves_the_stored_page(client, pairing, bob, alice):
    client.force_login(bob)
    client.get(HOME)
    rename(alice, "Alicia")
    assert "Alice Example" in client.get(HOME).content.decode()  # no touch, so no change yet


def test_a_touch_shows_the_change_at_once(client, pairing, oak, bob, alice):
    client.force_login(bob)
    client.get(HOME)
    rename(alice, "Alicia")
    touch_schools([oak.pk])
    html = client.get(HOME).content.decode()
    assert "Alicia Example" in html
    assert "Alice Example" not in html


def test_the_page_is_re_rendered_every_five_minutes(client, pairing, bob, alice):
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(bob)
        client.get(HOME)
        rename(alice, "Alicia")
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.UTC), tick=False):
        assert "Alicia Example" in client.get(HOME).content.decode()


def test_a_post_by_a_member_bumps_their_schools_version(client, oak, elm, bob):
    client.force_login(bob)
    before = version(oak), version(elm)
    client.get(HOME)
    assert (version(oak), version(elm)) == before
    client.post(PROFILE, {})
    assert version(oak) == before[0] + 1
    assert version(elm) == before[1]  # bob is not at Elm


def test_a_trust_admins_post_bumps_every_school_of_the_trust(client, oak):
    trust_admin = UserFactory(first_name="Trust")
    oak.trust.admins.add(trust_admin)
    before = version(oak)
    client.force_login(trust_admin)
    client.post(PROFILE, {})
    assert version(oak) == before + 1


def test_a_change_made_through_a_form_shows_on_the_next_view(client, pairing, bob, alice):
    client.force_login(bob)
    client.get(HOME)
    alice_client = Client()
    alice_client.force_login(alice)
    response = alice_client.post(
        PROFILE, {"profile-first_name": "Alicia", "profile-last_name": "Example"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.first_name == "Alicia"
    assert "Alicia Example" in client.get(HOME).content.decode()


def test_people_never_see_each_others_cached_pages(client, pairing, bob, carol):
    client.force_login(bob)
    client.get(HOME)
    client.force_login(carol)
    html = client.get(HOME).content.decode()
    assert "Alice Example" not in html  # bob's coachee, not carol's
    assert f'<a href="{PROFILE}">Carol</a>' in html


def test_a_cached_page_carries_the_requests_own_csrf_token(pairing, bob):
    first = Client(enforce_csrf_checks=True)
    first.force_login(bob)
    first.get(HOME)
    second = Client(enforce_csrf_checks=True)
    second.force_login(bob)
    html = second.get(HOME).content.decode()
    assert CSRF_PLACEHOLDER not in html
    token = TOKEN.search(html)
    assert token is not None
    assert f'"x-csrftoken": "{token.group(1)}"' in html
    response = second.post(reverse("logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302


def test_flash_messages_are_shown_and_the_page_with_them_is_not_cached(client, pairing, bob):
    client.force_login(bob)
    client.get(HOME)  # cached now
    storage = CookieStorage(RequestFactory().get(HOME))
    message = Message(constants.SUCCESS, "Drop-in saved.")
    client.cookies[storage.cookie_name] = storage._encode([message])
    assert "Drop-in saved." in client.get(HOME).content.decode()
    assert "Drop-in saved." not in client.get(HOME).content.decode()


def test_htmx_requests_get_the_partial_not_the_cached_page(client, bob, oak):
    client.force_login(bob)
    client.get(LIBRARY)
    partial = client.get(LIBRARY, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial


def test_every_view_of_a_timeline_is_audited_even_from_the_cache(client, pairing, bob, alice):
    client.force_login(bob)
    url = reverse("coaching:timeline", args=[alice.pk])
    for _ in range(3):
        assert client.get(url).status_code == 200
    viewed = AuditEvent.objects.filter(action="coaching.timeline.viewed", subject_id=alice.pk)
    assert viewed.count() == 3


def test_saving_a_school_never_winds_its_version_back(oak):
    stale = School.objects.get(pk=oak.pk)
    touch_schools([oak.pk])
    stale.name = "Oak Academy"
    stale.save()
    oak.refresh_from_db()
    assert oak.name == "Oak Academy"
    assert oak.data_version == 1


def test_imports_and_the_starter_library_touch_the_schools(oak, elm, oak_year):
    csv = (
        "email,first_name,last_name,roles,coach_email,job_title,ect\nx@oak.example,X,Y,teacher,,,\n"
    )
    imports.staff_csv_import(data=csv.encode(), school=oak, actor=None, dry_run=True)
    assert version(oak) == 0  # a dry run changes nothing
    imports.staff_csv_import(data=csv.encode(), school=oak, actor=None, dry_run=False)
    assert (version(oak), version(elm)) == (1, 0)
    load_starter_library(force=True)
    assert (version(oak), version(elm)) == (2, 1)
    touch_all_schools()
    assert (version(oak), version(elm)) == (3, 2)


@pytest.mark.parametrize(
    ("viewer", "page", "budget"),
    [
        ("bob", "home", 6),
        ("head", "home", 6),
        ("bob", "library", 6),
        ("lead", "completion", 6),
        ("head", "dashboard", 6),
        ("alice", "timeline", 7),  # the access check for the teacher is never cached
    ],
)
def test_every_cached_page_is_cheap_the_second_time(
    request, client, pairing, viewer, page, budget, django_assert_max_num_queries
):
    user = request.getfixturevalue(viewer)
    urls = {
        "home": HOME,
        "library": LIBRARY + "?q=pause",
        "completion": reverse("reporting:completion"),
        "dashboard": reverse("reporting:dashboard"),
        "timeline": reverse("coaching:timeline", args=[request.getfixturevalue("alice").pk]),
    }
    client.force_login(user)
    first = client.get(urls[page])
    assert first.status_code == 200
    with django_assert_max_num_queries(budget):
        second = client.get(urls[page])
    assert without_tokens(second.content.decode()) == without_tokens(first.content.decode())


def test_the_touch_schools_command_expires_every_cached_page(oak, elm):
    out = io.StringIO()
    call_command("touch_schools", stdout=out)
    assert (version(oak), version(elm)) == (1, 1)
    assert "2 schools touched" in out.getvalue()


def test_signing_in_expires_nothing(client, oak, bob):
    bob.set_password("a-long-enough-password")
    bob.save()
    before = version(oak)
    response = client.post(
        reverse("login"), {"username": bob.email, "password": "a-long-enough-password"}
    )
    assert response.status_code == 302  # signed in
    assert version(oak) == before
    client.post(PROFILE, {"profile-first_name": "Bob", "profile-last_name": "Example"})
    assert version(oak) == before + 1  # any other POST does
