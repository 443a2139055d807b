"""Access by pair follows the Coach role: the moment the role ends (an import clearing it, an
admin unticking it), the coach loses the pair's pages, even while the pair stays open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from coachroom.accounts.access import SESSION_KEY
from coachroom.accounts.models import Membership
from coachroom.accounts.viewer import coached_pairs, viewer_of
from coachroom.coaching.access import get_teacher_for_timeline
from coachroom.coaching.goals import services as goal_services
from coachroom.scheduling import services as scheduling
from tests.factories import MembershipFactory

WEDNESDAY = 2


@pytest.fixture(autouse=True)
def _start_of_term(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC))


@pytest.fixture
def slot(pairing, bob):
    return scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=WEDNESDAY,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 10, 5),
        ends_on=dt.date(2026, 10, 9),
        room="Room 12",
        period="Period 3",
        override_reason="",
    )


@pytest.fixture
def goal(pairing, bob):
    return goal_services.goal_create(
        relationship=pairing, by=bob, statement="Pupils explain their reasoning aloud"
    )


def clear_coach_role(user, school):
    """As an import does: the role goes, the pair is left open."""
    Membership.objects.filter(user=user, school=school).update(is_coach=False, is_teacher=True)


def test_viewer_coaches_only_pairs_where_the_role_is_held(rf: RequestFactory, oak, pairing, bob):
    request = rf.get("/")
    request.user = bob
    request.session = {}
    assert viewer_of(request).coached_pair_ids == {pairing.pk}
    clear_coach_role(bob, oak)
    bob._coachroom_memberships = None
    request = rf.get("/")
    request.user = bob
    request.session = {}
    assert viewer_of(request).coached_pair_ids == frozenset()
    assert not coached_pairs(bob).exists()
    assert pairing.is_current


def test_viewer_is_built_once_per_request(rf: RequestFactory, bob, django_assert_num_queries):
    request = rf.get("/")
    request.user = bob
    request.session = {}
    first = viewer_of(request)
    with django_assert_num_queries(0):
        assert viewer_of(request) is first


def test_session_page_closes_when_the_coach_role_ends(client, oak, bob, slot):
    session = slot.sessions.get()
    client.force_login(bob)
    url = reverse("scheduling:session-detail", args=[session.pk])
    assert client.get(url).status_code == 200
    clear_coach_role(bob, oak)
    assert client.get(url).status_code == 404
    assert client.post(reverse("scheduling:session-missed", args=[session.pk])).status_code == 404


def test_slot_pages_close_when_the_coach_role_ends(client, oak, bob, pairing, slot):
    client.force_login(bob)
    url = reverse("scheduling:pair-slots", args=[pairing.pk])
    assert client.get(url).status_code == 200
    clear_coach_role(bob, oak)
    assert client.get(url).status_code == 403  # a member without the role
    assert client.get(reverse("scheduling:slot-end", args=[slot.pk])).status_code in (403, 404)


def test_goal_pages_close_when_the_coach_role_ends(client, oak, bob, pairing, goal):
    client.force_login(bob)
    new = reverse("coaching:goal-new", args=[pairing.pk])
    detail = reverse("coaching:goal-detail", args=[goal.pk])
    assert client.get(new).status_code == 200
    assert client.get(detail).status_code == 200
    clear_coach_role(bob, oak)
    assert client.get(new).status_code == 404
    assert client.get(detail).status_code == 404


def test_role_in_another_school_does_not_keep_this_schools_pair(client, oak, elm, bob, pairing):
    """Coaching at Elm is no reason to keep Oak's pair once Oak's role has gone."""
    MembershipFactory(user=bob, school=elm, is_coach=True)
    clear_coach_role(bob, oak)
    client.force_login(bob)
    assert client.get(reverse("coaching:goal-new", args=[pairing.pk])).status_code == 404
    assert client.get(reverse("scheduling:pair-slots", args=[pairing.pk])).status_code == 404


def test_home_drops_the_coachee_when_the_coach_role_ends(client, oak, alice, bob, pairing):
    client.force_login(bob)
    coachees = client.get(reverse("home")).context["coachees"]
    assert [row.pair.pk for row in coachees] == [pairing.pk]
    clear_coach_role(bob, oak)
    assert "coachees" not in client.get(reverse("home")).context


def test_own_timeline_shows_the_current_school_not_the_oldest_membership(
    rf: RequestFactory, oak, elm, alice
):
    MembershipFactory(user=alice, school=elm, is_teacher=True)
    request = rf.get("/")
    request.user = alice
    request.session = {SESSION_KEY: elm.pk}
    assert get_teacher_for_timeline(request, alice.pk) == (alice, elm)
    request.session = {SESSION_KEY: oak.pk}
    assert get_teacher_for_timeline(request, alice.pk) == (alice, oak)
