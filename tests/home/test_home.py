from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import Membership
from coachroom.coaching.models import FeedbackMeeting, Observation, StepState
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step


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


# --- the coach's and teacher's panels: bounded, gated, a fixed number of queries -------------

NOW = dt.datetime(2026, 11, 4, 10, 0, tzinfo=dt.UTC)  # the pinned clock's Wednesday (tests/cast.py)


def _meeting(pair, *, held_days_ago, praise="Calm, quick start", **fields):
    return FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        held_at=timezone.now() - dt.timedelta(days=held_days_ago),
        praise=praise,
        decision="new",
        **fields,
    )


def _session(pair, *, days_from_now):
    return SessionOccurrence.objects.create(
        school=pair.school,
        relationship=pair,
        kind="drop_in",
        coach=pair.coach,
        starts_at=timezone.now() + dt.timedelta(days=days_from_now),
    )


def _busy_coachee(oak, oak_year, coach, coachee=None):
    """A pair with a term's worth of coaching: an active step, secured steps long checked, one
    stick-check due this week, drop-ins, an overdue session, an unread reflection."""
    pair = RelationshipFactory(
        school=oak, academic_year=oak_year, coach=coach, **({"coachee": coachee} if coachee else {})
    )
    for _ in range(3):
        make_step(pair, state=StepState.SECURED, stuck_at=timezone.now())
    make_step(pair, state=StepState.SECURED, stick_check_due=dt.date(2026, 11, 6))
    make_step(pair, state=StepState.PRACTISING)
    for status in ("submitted", "submitted", "draft"):
        Observation.objects.create(
            school=oak, relationship=pair, teacher=pair.coachee, observer=coach, status=status
        )
    _session(pair, days_from_now=-2)
    _session(pair, days_from_now=+2)
    _meeting(pair, held_days_ago=3, reflection="Tried it", reflected_at=timezone.now())
    _meeting(pair, held_days_ago=1)
    return pair


@pytest.mark.parametrize("rows", [1, 12])
def test_coach_home_queries_do_not_grow_with_a_terms_coaching(
    client, bob, alice, oak, oak_year, rows, django_assert_max_num_queries
):
    _busy_coachee(oak, oak_year, bob, alice)
    for _ in range(rows - 1):
        _busy_coachee(oak, oak_year, bob)
    for _ in range(rows):  # bob is coached too, once a year
        _busy_coachee(oak, oak_year, UserFactory(), bob)
    client.force_login(bob)
    # session, user, memberships, bob's coached pairs (the viewer); the pairs on the page,
    # every step shown, drop-in dates, overdue sessions, unread reflections; his upcoming
    # sessions and meetings awaiting his reflection; his pairs' and his coachees' rhythm
    # (tapering: one each); session save (savepoint, update, release)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("home"))
    assert len(response.context["coachees"]) == rows
    assert all(len(row.steps) <= 3 for row in response.context["coachees"])


@pytest.mark.parametrize("rows", [1, 12])
def test_teacher_home_queries_do_not_grow(
    client, alice, oak, oak_year, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        _busy_coachee(oak, oak_year, UserFactory(), alice)
    client.force_login(alice)
    # session, user, memberships; her pairs, her steps, her upcoming sessions, meetings
    # awaiting her reflection; her pairs' rhythm (tapering); session save (savepoint, update,
    # release)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("home"))
    assert len(response.context["my_coaches"]) == rows
    assert len(response.context["my_steps"]) == min(rows, 3)


def test_the_coachs_overdue_sessions_show_five_and_link_to_the_rest(client, bob, pairing):
    for days in range(1, 8):
        _session(pairing, days_from_now=-days)
    client.force_login(bob)
    response = client.get(reverse("home"))
    needs = response.context["needs_you"]
    assert (len(needs.sessions), needs.more_sessions) == (5, True)
    body = response.content.decode()
    assert "There are more to record." in body
    assert f'href="{reverse("scheduling:week")}">See your week and every session' in body


def test_stick_checks_beyond_the_first_ten_are_counted(client, bob, oak, oak_year):
    for _ in range(12):
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
        make_step(pair, state=StepState.SECURED, stick_check_due=dt.date(2026, 11, 5))
    client.force_login(bob)
    response = client.get(reverse("home"))
    needs = response.context["needs_you"]
    assert (len(needs.stick_checks), needs.more_stick_checks) == (10, 2)
    assert 'href="#coachees-title">and 2 more' in response.content.decode()


def test_a_coachee_row_shows_the_active_step_not_one_secured_before(client, bob, pairing):
    make_step(pairing, state=StepState.SECURED, title="Cold call by name", stuck_at=NOW)
    make_step(pairing, state=StepState.PRACTISING, title="Wait five seconds")
    client.force_login(bob)
    (row,) = client.get(reverse("home")).context["coachees"]
    assert row.step.title == "Wait five seconds"


def test_a_coachee_row_falls_back_to_the_newest_secured_step(client, bob, pairing):
    with time_machine.travel(NOW - dt.timedelta(days=30)):
        make_step(pairing, state=StepState.SECURED, title="Cold call by name", stuck_at=NOW)
    make_step(pairing, state=StepState.SECURED, title="Wait five seconds", stuck_at=NOW)
    client.force_login(bob)
    (row,) = client.get(reverse("home")).context["coachees"]
    assert row.step.title == "Wait five seconds"
    assert [s.title for s in row.steps] == ["Wait five seconds"]  # the older one stays put


def test_the_teacher_sees_her_newest_steps_and_a_link_to_the_rest(client, alice, oak, oak_year):
    for n in range(5):
        with time_machine.travel(NOW - dt.timedelta(days=10 - n)):
            pair = RelationshipFactory(school=oak, academic_year=oak_year, coachee=alice)
            make_step(pair, state=StepState.PRACTISING, title=f"Step {n}")
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert [a.step.title for a in response.context["my_steps"]] == ["Step 4", "Step 3", "Step 2"]
    body = response.content.decode()
    assert "and 2 earlier steps" in body and reverse("coaching:my-timeline") in body


def test_the_teacher_is_asked_for_three_reflections_and_linked_to_the_rest(
    client, alice, bob, pairing
):
    meetings = [_meeting(pairing, held_days_ago=days) for days in range(1, 6)]
    _meeting(pairing, held_days_ago=6, reflection="Done", reflected_at=timezone.now())
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert response.context["awaiting_reflection"] == meetings[:3]
    assert response.context["more_awaiting_reflection"] is True
    body = response.content.decode()
    assert "More meetings await your reflection" in body
    assert all(m.get_absolute_url() in body for m in meetings[:3])
    assert meetings[3].get_absolute_url() not in body


def test_the_teacher_sees_her_next_three_sessions_and_a_link_to_all(client, alice, pairing):
    sessions = [_session(pairing, days_from_now=days) for days in range(1, 6)]
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert all(s.get_absolute_url() in body for s in sessions[:3])
    assert sessions[3].get_absolute_url() not in body
    assert reverse("scheduling:upcoming") in body


def test_a_teacher_is_asked_only_about_her_own_meetings(client, alice, carol, oak, oak_year, bob):
    theirs = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=carol)
    other = _meeting(theirs, held_days_ago=1)
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert response.context["awaiting_reflection"] == []
    assert other.get_absolute_url() not in response.content.decode()


def test_a_coach_whose_coach_role_ended_sees_nothing_of_the_pair(client, bob, alice, pairing):
    """Access follows the role, not the pair: the pair stays open, the home page drops it."""
    make_step(pairing, state=StepState.PRACTISING, title="Wait five seconds")
    Membership.objects.filter(user=bob, school=pairing.school).update(is_coach=False)
    client.force_login(bob)
    response = client.get(reverse("home"))
    assert "coachees" not in response.context
    assert b"Wait five seconds" not in response.content
    assert b"Alice Example" not in response.content


@pytest.mark.parametrize("leader", ["head", "admin"])
def test_leaders_homes_show_no_notes_names_or_steps(request, client, alice, pairing, leader):
    make_step(pairing, state=StepState.PRACTISING, title="Wait five seconds")
    _meeting(pairing, held_days_ago=1, praise="Private praise", reflection="My own worry")
    Observation.objects.create(
        school=pairing.school,
        relationship=pairing,
        teacher=alice,
        observer=pairing.coach,
        status="submitted",
    )
    client.force_login(request.getfixturevalue(leader))
    body = client.get(reverse("home")).content
    for private in (b"Wait five seconds", b"Private praise", b"My own worry", b"Alice Example"):
        assert private not in body


def test_the_coaching_lead_as_coach_sees_only_her_own_coachees(client, lead, pairing):
    """A coaching lead who also coaches gets her own coachees on the home page, not the
    school's: bob's coachee and step are not hers."""
    make_step(pairing, state=StepState.PRACTISING, title="Wait five seconds")
    client.force_login(lead)
    response = client.get(reverse("home"))
    assert response.context["coachees"] == []
    assert b"Wait five seconds" not in response.content


def test_only_three_meetings_awaiting_a_reflection_say_nothing_more(client, alice, pairing):
    for days in range(1, 4):
        _meeting(pairing, held_days_ago=days)
    client.force_login(alice)
    response = client.get(reverse("home"))
    assert len(response.context["awaiting_reflection"]) == 3
    assert b"More meetings await your reflection" not in response.content


def test_coachee_rows_link_where_the_url_conf_says(client, bob, pairing):
    step = make_step(pairing, state=StepState.PRACTISING)
    client.force_login(bob)
    (row,) = client.get(reverse("home")).context["coachees"]
    assert row.urls.timeline == reverse("coaching:timeline", args=[pairing.coachee_id])
    assert row.urls.drop_in == reverse("coaching:drop-in-start", args=[pairing.pk])
    assert row.urls.meeting == reverse("coaching:meeting-new", args=[pairing.pk])
    assert row.urls.step == step.get_absolute_url()
