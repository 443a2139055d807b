from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, RelationshipFactory


def test_teacher_home_names_their_coach(client, alice, pairing):
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert b"Bob Example coaches you" in response.content


def test_coach_home_lists_coachees(client, bob, pairing):
    client.force_login(bob)
    response = client.get(reverse("home"))
    assert b"Alice Example" in response.content
    assert b"Your coachees" in response.content


def test_admin_home_shows_the_set_up_checklist(client, admin):
    client.force_login(admin)
    response = client.get(reverse("home"))
    assert b"Add this year&#x27;s term dates" in response.content


def test_senior_leader_sees_counts_not_names(client, head, pairing):
    client.force_login(head)
    response = client.get(reverse("home"))
    assert response.context["school_figures"]["pairs"] == 1
    assert b"Alice Example" not in response.content


def test_trust_admin_sees_schools_across_the_trust(client, oak, pairing):
    trust_admin = MembershipFactory(school=oak).user
    trust_admin.memberships.all().delete()
    oak.trust.admins.add(trust_admin)
    client.force_login(trust_admin)
    response = client.get(reverse("home"))
    assert response.context["trust_schools"][0]["pairs"] == 1


@pytest.mark.parametrize("rows", [1, 15])
def test_coach_home_queries_do_not_grow(
    client, bob, oak, oak_year, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
    client.force_login(bob)
    # session, user, memberships; coachees with last drop-in, their steps, overdue sessions,
    # reflections for "Needs you"; bob also teaches: his own pairs, steps, upcoming sessions
    # and meetings awaiting reflection; session save (+1 spare)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))
    assert len(response.context["coachees"]) == rows
