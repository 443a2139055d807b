"""The coaching-privacy rule as one table: viewer × situation → may read the notes."""

from __future__ import annotations

import datetime as dt

import pytest

from coachroom.accounts.models import Membership, School
from coachroom.coaching.models import Observation
from coachroom.coaching.policy import can_read_notes
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory


@pytest.fixture
def line_manager(oak):
    """A senior leader who line-manages alice: the role grants nothing."""
    user = UserFactory(first_name="Manager")
    MembershipFactory(user=user, school=oak, is_senior_leader=True, is_school_admin=True)
    return user


@pytest.fixture
def trust_admin(oak):
    user = UserFactory(first_name="Trust")
    oak.trust.admins.add(user)
    return user


@pytest.mark.parametrize(
    ("viewer", "lead_access", "for_review", "visible"),
    [
        ("alice", "review", False, True),  # the teacher sees everything about herself
        ("bob", "review", False, True),  # her current coach
        ("carol", "review", False, False),  # another coach in the same school
        ("lead", "review", False, False),  # coaching lead, not submitted for review
        ("lead", "review", True, True),  # coaching lead, submitted for review (teacher told)
        ("lead", "all", False, True),  # school lets the lead read all
        ("line_manager", "all", True, False),  # leaders never read notes
        ("trust_admin", "all", True, False),
        ("outsider", "all", True, False),  # another school, even as its coaching lead
    ],
)
def test_who_may_read_notes(request, oak, pairing, alice, viewer, lead_access, for_review, visible):
    oak.lead_note_access = lead_access
    oak.save()
    request.getfixturevalue("lead")
    person = request.getfixturevalue(viewer)
    assert (
        can_read_notes(
            person, teacher=alice, school=oak, relationship=pairing, submitted_for_review=for_review
        )
        is visible
    )


def test_former_coach_loses_access_when_the_pair_ends(oak, pairing, alice, bob):
    pairing.ended_on = dt.date(2000, 1, 1)
    pairing.save()
    assert not can_read_notes(bob, teacher=alice, school=oak, relationship=pairing)


def test_new_coach_sees_earlier_history_only_when_shared(oak, oak_year, pairing, alice, carol):
    earlier = pairing  # records from bob's coaching
    new_pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=alice)
    assert not can_read_notes(carol, teacher=alice, school=oak, relationship=earlier)
    new_pair.history_shared = True
    new_pair.save()
    assert can_read_notes(carol, teacher=alice, school=oak, relationship=earlier)


def test_deactivated_coach_cannot_read(oak, pairing, alice, bob):
    Membership.objects.filter(user=bob, school=oak).update(is_active=False)
    assert not can_read_notes(bob, teacher=alice, school=oak, relationship=pairing)


def test_lead_of_another_school_cannot_read_even_with_all_access(
    elm, outsider, oak, alice, pairing
):
    elm.lead_note_access = School.LeadNoteAccess.ALL
    elm.save()
    assert not can_read_notes(outsider, teacher=alice, school=oak, relationship=pairing)


def test_access_follows_the_coach_role_not_the_pair(oak, oak_year, pairing, alice, bob, carol):
    """A pair left open by an import or a direct change still gives nothing once the person no
    longer holds the Coach role in the school."""
    shared_pair = RelationshipFactory(
        school=oak, academic_year=oak_year, coach=carol, coachee=alice, history_shared=True
    )
    record = Observation.objects.create(
        school=oak, relationship=pairing, teacher=alice, observer=bob, status="submitted"
    )
    assert can_read_notes(carol, teacher=alice, school=oak, relationship=pairing)
    assert Observation.objects.visible_to(bob).filter(pk=record.pk).exists()
    Membership.objects.filter(school=oak, user__in=[bob, carol]).update(is_coach=False)
    assert not can_read_notes(bob, teacher=alice, school=oak, relationship=pairing)
    assert not can_read_notes(carol, teacher=alice, school=oak, relationship=shared_pair)
    assert not Observation.objects.visible_to(bob).filter(pk=record.pk).exists()
    assert not Observation.objects.visible_to(carol).filter(pk=record.pk).exists()


def test_a_former_coaching_lead_loses_the_leads_reads(oak, pairing, alice, lead):
    oak.lead_note_access = School.LeadNoteAccess.ALL
    oak.save()
    assert can_read_notes(lead, teacher=alice, school=oak, relationship=pairing)
    Membership.objects.filter(school=oak, user=lead).update(is_coaching_lead=False)
    assert not can_read_notes(
        lead, teacher=alice, school=oak, relationship=pairing, submitted_for_review=True
    )
