"""Removing a role removes its access (issue: trust boundaries, part 2), and ended pairs and
closed years archive their steps (part 3)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from coachroom.accounts import services
from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import ActionStep, StepState
from coachroom.core.errors import DomainError
from tests.coaching.access_rows import meeting, observation
from tests.factories import make_step

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        yield


def _edit(client, membership, roles, **extra):
    data = {
        "first_name": membership.user.first_name,
        "last_name": membership.user.last_name,
        "email": membership.user.email,
        "roles": roles,
        **extra,
    }
    return client.post(reverse("accounts:staff-edit", args=[membership.pk]), data)


def test_removing_the_coach_role_asks_first_and_then_ends_the_pairs(
    client, admin, oak, pairing, bob, alice
):
    step = make_step(pairing, state=StepState.PRACTISING)
    membership = Membership.objects.get(user=bob, school=oak)
    client.force_login(admin)
    page = _edit(client, membership, ["teacher"])
    assert page.status_code == 200
    assert "Coaching Alice Example" in page.content.decode()
    membership.refresh_from_db()
    pairing.refresh_from_db()
    assert membership.is_coach and pairing.ended_on is None  # nothing yet
    response = _edit(client, membership, ["teacher"], confirm="yes")
    assert response.status_code == 302
    membership.refresh_from_db()
    pairing.refresh_from_db()
    step.refresh_from_db()
    assert not membership.is_coach
    assert pairing.ended_on == TODAY
    assert step.state == StepState.ARCHIVED
    event = AuditEvent.objects.get(action="accounts.staff.updated")
    assert event.data["pairs_ended"] == [pairing.pk]


def test_the_service_will_not_drop_the_coach_role_silently(oak, pairing, bob, admin):
    membership = Membership.objects.get(user=bob, school=oak)
    with pytest.raises(DomainError, match="still coaches 1 teacher"):
        services.staff_update(membership=membership, by=admin, roles=["teacher"])
    membership.refresh_from_db()
    assert membership.is_coach


def test_a_coach_whose_role_is_removed_loses_every_page_of_the_pair(
    client, admin, oak, pairing, bob, alice
):
    objects = {"pair": pairing}
    drop_in = observation(objects)
    draft = observation(objects, "draft")
    held = meeting(objects)
    step = make_step(pairing, state=StepState.PRACTISING)
    pages = [
        reverse("coaching:drop-in-detail", args=[drop_in.pk]),
        reverse("coaching:drop-in-edit", args=[draft.pk]),
        reverse("coaching:meeting-detail", args=[held.pk]),
        reverse("coaching:step-detail", args=[step.pk]),
        reverse("coaching:timeline", args=[alice.pk]),
        reverse("coaching:meeting-new", args=[pairing.pk]),
    ]
    client.force_login(bob)
    assert [client.get(url).status_code for url in pages] == [200] * len(pages)
    client.force_login(admin)
    _edit(client, Membership.objects.get(user=bob, school=oak), ["teacher"], confirm="yes")
    client.force_login(bob)
    assert [client.get(url).status_code for url in pages] == [404] * len(pages)
    start = client.post(reverse("coaching:drop-in-start", args=[pairing.pk]))
    assert start.status_code == 404


def test_a_coach_flag_cleared_elsewhere_closes_the_pairs_pages_at_once(
    client, oak, pairing, bob, alice
):
    """Even if a pair was left open (an import, the Django admin), access needs the role."""
    draft = observation({"pair": pairing}, "draft")
    Membership.objects.filter(user=bob, school=oak).update(is_coach=False)
    client.force_login(bob)
    assert client.get(reverse("coaching:drop-in-edit", args=[draft.pk])).status_code == 404
    assert client.get(reverse("coaching:timeline", args=[alice.pk])).status_code == 404
    assert client.post(reverse("coaching:drop-in-start", args=[pairing.pk])).status_code == 404


def test_removing_the_coaching_lead_role_asks_first(client, admin, oak, lead):
    membership = Membership.objects.get(user=lead, school=oak)
    client.force_login(admin)
    page = _edit(client, membership, ["teacher", "coach"])
    assert "can no longer read the meetings submitted for review" in page.content.decode()
    membership.refresh_from_db()
    assert membership.is_coaching_lead
    _edit(client, membership, ["teacher", "coach"], confirm="yes")
    membership.refresh_from_db()
    assert not membership.is_coaching_lead and membership.is_coach


def test_deactivation_lists_the_pairs_that_end_and_archives_their_steps(
    client, admin, oak, pairing, alice
):
    step = make_step(pairing, state=StepState.PRACTISING)
    membership = Membership.objects.get(user=alice, school=oak)
    client.force_login(admin)
    page = client.get(reverse("accounts:staff-deactivate", args=[membership.pk]))
    assert "Coached by Bob Example" in page.content.decode()
    client.post(reverse("accounts:staff-deactivate", args=[membership.pk]))
    pairing.refresh_from_db()
    step.refresh_from_db()
    assert pairing.ended_on == TODAY
    assert step.state == StepState.ARCHIVED


def test_ending_a_pair_archives_its_open_steps(client, lead, pairing):
    practising = make_step(pairing, state=StepState.PRACTISING)
    secured = make_step(pairing, state=StepState.SECURED, title="Cold call")
    withdrawn = make_step(pairing, state=StepState.WITHDRAWN, title="Wait time")
    client.force_login(lead)
    client.post(reverse("accounts:pair-end", args=[pairing.pk]))
    states = dict(ActionStep.objects.values_list("pk", "state"))
    assert states == {
        practising.pk: StepState.ARCHIVED,
        secured.pk: StepState.ARCHIVED,
        withdrawn.pk: StepState.WITHDRAWN,
    }
    assert practising.transitions.filter(event="archived").exists()


def test_closing_a_year_ends_its_pairs_after_a_confirmation(
    client, admin, oak, oak_year, pairing, carol, lead
):
    other = CoachingRelationship.objects.create(
        school=oak,
        academic_year=oak_year,
        coach=carol,
        coachee=lead,
        started_on=dt.date(2026, 9, 1),
    )
    step = make_step(pairing, state=StepState.PRACTISING)
    client.force_login(admin)
    detail = client.get(reverse("accounts:year-detail", args=[oak_year.pk]))
    assert reverse("accounts:year-close", args=[oak_year.pk]) in detail.content.decode()
    page = client.get(reverse("accounts:year-close", args=[oak_year.pk]))
    text = page.content.decode()
    assert "Bob Example coaching Alice Example" in text and "23 November 2026" in text
    assert CoachingRelationship.objects.current().count() == 2
    response = client.post(reverse("accounts:year-close", args=[oak_year.pk]))
    assert response.status_code == 302
    assert CoachingRelationship.objects.current().count() == 0
    other.refresh_from_db()
    step.refresh_from_db()
    assert other.ended_on == TODAY
    assert step.state == StepState.ARCHIVED
    again = client.get(reverse("accounts:year-close", args=[oak_year.pk]))
    assert "There is nothing to close" in again.content.decode()


def test_a_year_closed_after_it_ended_ends_its_pairs_on_its_last_day(admin, oak_year, pairing):
    with time_machine.travel("2027-08-20 09:00:00+00:00", tick=False):
        assert services.academic_year_close(year=oak_year, by=admin) == 1
    pairing.refresh_from_db()
    assert pairing.ended_on == oak_year.ends_on
