"""The identity rule (accounts/identity.py): who may change a person's identity or link them
to a school. Oak and Ash share a trust; Elm is in another trust."""

from __future__ import annotations

import pytest

from coachroom.accounts.identity import (
    emails_outside_school,
    may_add_membership,
    may_change_identity,
    school_staff_by_email,
)
from coachroom.accounts.models import Membership, User
from tests.factories import MembershipFactory, SchoolFactory, UserFactory


@pytest.fixture
def ash(oak):
    return SchoolFactory(name="Ash School", trust=oak.trust)


@pytest.fixture
def oak_trust_admin(oak):
    user = UserFactory(first_name="Trusty")
    oak.trust.admins.add(user)
    return user


@pytest.fixture
def elm_trust_admin(elm):
    user = UserFactory(first_name="Elmtrust")
    elm.trust.admins.add(user)
    return user


@pytest.fixture
def shared(oak, ash):
    """Sam teaches at Oak and at Ash, two schools of one trust."""
    user = UserFactory(first_name="Sam", email="sam@trust.example")
    MembershipFactory(user=user, school=oak)
    MembershipFactory(user=user, school=ash)
    return user


# may_change_identity ---------------------------------------------------------------------------


def test_a_school_may_change_someone_who_belongs_to_it_alone(admin, alice, oak):
    assert may_change_identity(admin, alice, school=oak)
    assert may_change_identity(None, alice, school=oak)  # an import for the school


def test_a_deactivated_membership_elsewhere_still_locks_the_identity(admin, alice, oak, elm):
    MembershipFactory(user=alice, school=elm, is_active=False)
    assert not may_change_identity(admin, alice, school=oak)


def test_a_person_in_two_schools_is_changed_only_by_their_trust_admin(
    admin, shared, oak, oak_trust_admin, elm_trust_admin
):
    assert not may_change_identity(admin, shared, school=oak)
    assert not may_change_identity(None, shared, school=oak)
    assert not may_change_identity(elm_trust_admin, shared, school=oak)
    assert may_change_identity(oak_trust_admin, shared, school=oak)


def test_a_person_in_another_trust_is_out_of_a_trust_admins_reach(
    outsider, oak, elm, oak_trust_admin
):
    assert not may_change_identity(oak_trust_admin, outsider, school=oak)
    # Acting for Elm itself is Elm's business: callers check the actor's role in the school.
    assert may_change_identity(outsider, outsider, school=elm)


def test_elm_cannot_change_an_oak_person(outsider, alice, elm):
    assert not may_change_identity(outsider, alice, school=elm)


@pytest.mark.parametrize("power", ["is_staff", "is_superuser", "trust_admin"])
def test_people_with_wider_powers_are_changed_only_by_a_superuser(
    power, admin, oak, oak_trust_admin
):
    person = UserFactory()
    MembershipFactory(user=person, school=oak)
    if power == "trust_admin":
        oak.trust.admins.add(person)
    else:
        setattr(person, power, True)
        person.save()
    assert not may_change_identity(admin, person, school=oak)
    assert not may_change_identity(None, person, school=oak)
    assert not may_change_identity(oak_trust_admin, person, school=oak)
    assert not may_add_membership(oak_trust_admin, person, school=oak)
    superuser = User.objects.create_superuser("root@example.org", "x")
    assert may_change_identity(superuser, person, school=oak)
    assert may_add_membership(superuser, person, school=oak)


def test_a_person_not_saved_yet_may_be_given_an_identity(admin, oak):
    assert may_change_identity(admin, User(email="new@oak.example"), school=oak)


# may_add_membership ----------------------------------------------------------------------------


def test_a_school_admin_never_links_an_existing_account(admin, outsider, oak):
    assert not may_add_membership(admin, outsider, school=oak)


def test_an_automated_action_never_links_an_existing_account(shared, oak):
    assert not may_add_membership(None, shared, school=oak)


def test_a_trust_admin_links_people_within_their_trust_only(
    oak, ash, elm, oak_trust_admin, elm_trust_admin
):
    ash_only = UserFactory()
    MembershipFactory(user=ash_only, school=ash)
    assert may_add_membership(oak_trust_admin, ash_only, school=oak)
    assert not may_add_membership(elm_trust_admin, ash_only, school=oak)
    assert not may_add_membership(elm_trust_admin, ash_only, school=elm)
    assert not may_add_membership(oak_trust_admin, ash_only, school=elm)


def test_a_trust_admin_cannot_pull_in_someone_from_another_trust(outsider, oak, oak_trust_admin):
    assert not may_add_membership(oak_trust_admin, outsider, school=oak)


# Matching by email -----------------------------------------------------------------------------


def test_staff_are_matched_only_among_the_schools_own_staff(oak, alice, outsider):
    former = UserFactory(email="former@oak.example")
    MembershipFactory(user=former, school=oak, is_active=False)
    found = school_staff_by_email(
        oak, [" ALICE@oak.example", "outsider@elm.example", "", "former@oak.example"]
    )
    assert found == {"alice@oak.example": alice, "former@oak.example": former}


def test_emails_outside_the_school_are_the_taken_ones_not_on_its_staff(oak, alice, outsider):
    outside = emails_outside_school(
        oak, ["alice@oak.example", "Outsider@elm.example", "nobody@new.example"]
    )
    assert outside == {"outsider@elm.example"}
    assert Membership.objects.filter(user=outsider, school=oak).count() == 0
