"""An admin of one school cannot take over a person of another (issue: trust boundaries, part 1).

Oak and Ash share a trust; Elm is in another trust. `outsider` belongs to Elm.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from coachroom.accounts import services
from coachroom.accounts.identity import IDENTITY_LOCKED
from coachroom.accounts.models import EmailChange, Membership, User
from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError
from coachroom.scheduling.models import CalendarFeed
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, UserFactory

NOW = "2026-11-23 09:00:00+00:00"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ash(oak):
    return SchoolFactory(name="Ash School", trust=oak.trust)


@pytest.fixture
def trusty(oak):
    """A trust admin of Oak's trust, who also runs Oak's staff list."""
    user = UserFactory(first_name="Trusty", email="trusty@trust.example")
    MembershipFactory(user=user, school=oak, is_school_admin=True, is_teacher=False)
    oak.trust.admins.add(user)
    return user


@pytest.fixture
def shared(oak, ash):
    user = UserFactory(first_name="Sam", last_name="Shared", email="sam@trust.example")
    MembershipFactory(user=user, school=oak)
    MembershipFactory(user=user, school=ash)
    return user


def _invite(client, email, first="Someone", last="New"):
    data = {"email": email, "first_name": first, "last_name": last, "roles": ["teacher"]}
    return client.post(reverse("accounts:staff-invite"), data)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _path(url):
    return urlsplit(url).path


# Invitations -----------------------------------------------------------------------------------


def test_inviting_another_schools_person_changes_nothing_and_reveals_nothing(
    client, admin, oak, outsider, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        existing = _invite(client, "Outsider@elm.example", "Hijacked", "Name")
        new = _invite(client, "brand.new@oak.example")
    assert existing.status_code == new.status_code == 302
    assert existing["Location"] == new["Location"]
    assert _messages(existing) == ["An invitation has been sent to outsider@elm.example."]
    assert _messages(new)[-1] == "An invitation has been sent to brand.new@oak.example."
    outsider.refresh_from_db()
    assert (outsider.first_name, outsider.last_name) == ("Outsider", outsider.last_name)
    assert outsider.last_name != "Name"
    assert not Membership.objects.filter(user=outsider, school=oak).exists()
    assert [m.to for m in mail.outbox] == [["brand.new@oak.example"]]
    refused = AuditEvent.objects.get(action="accounts.staff.invite_refused")
    assert refused.subject == outsider and refused.school is None  # not in Oak's own log
    assert refused.data["school"] == oak.pk


def test_a_trust_admin_links_a_person_from_a_school_of_their_trust_keeping_their_names(
    client, trusty, oak, ash, django_capture_on_commit_callbacks
):
    ash_teacher = UserFactory(first_name="Ada", last_name="Ash", email="ada@ash.example")
    MembershipFactory(user=ash_teacher, school=ash)
    client.force_login(trusty)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, "ada@ash.example", "Renamed", "Person")
    assert response.status_code == 302
    assert Membership.objects.filter(user=ash_teacher, school=oak).exists()
    ash_teacher.refresh_from_db()
    assert (ash_teacher.first_name, ash_teacher.last_name) == ("Ada", "Ash")
    assert [m.to for m in mail.outbox] == [["ada@ash.example"]]


def test_a_trust_admin_cannot_link_another_trusts_person(client, trusty, oak, outsider):
    client.force_login(trusty)
    _invite(client, "outsider@elm.example")
    assert not Membership.objects.filter(user=outsider, school=oak).exists()


def test_a_superuser_account_is_never_linked_by_an_invitation(trusty, oak):
    root = User.objects.create_superuser("root@example.org", "x", first_name="Root")
    assert (
        services.staff_invite(
            school=oak,
            by=trusty,
            email="root@example.org",
            first_name="A",
            last_name="B",
            roles=["teacher"],
        )
        is None
    )
    assert not root.memberships.exists()


# Staff edit ------------------------------------------------------------------------------------


def test_a_person_of_two_schools_shows_their_identity_read_only(client, admin, shared, oak):
    membership = Membership.objects.get(user=shared, school=oak)
    client.force_login(admin)
    page = client.get(reverse("accounts:staff-edit", args=[membership.pk]))
    assert IDENTITY_LOCKED in page.content.decode()
    assert b'name="first_name"' not in page.content and b'name="email"' not in page.content


def test_posting_names_anyway_changes_no_identity(client, admin, shared, oak):
    membership = Membership.objects.get(user=shared, school=oak)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:staff-edit", args=[membership.pk]),
        {
            "first_name": "Taken",
            "last_name": "Over",
            "email": "attacker@oak.example",
            "roles": ["teacher", "senior_leader"],
        },
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.first_name, shared.email) == ("Sam", "sam@trust.example")
    assert not EmailChange.objects.exists()
    membership.refresh_from_db()
    assert membership.is_senior_leader  # the school's own details still save


def test_the_service_refuses_an_identity_change_it_is_not_entitled_to(admin, shared, oak):
    membership = Membership.objects.get(user=shared, school=oak)
    with pytest.raises(DomainError, match="trust admin"):
        services.staff_update(membership=membership, by=admin, first_name="Taken")
    with pytest.raises(DomainError, match="trust admin"):
        services.email_change_request(
            person=shared, new_email="x@oak.example", by=admin, school=oak
        )
    shared.refresh_from_db()
    assert shared.first_name == "Sam"


def test_their_trust_admin_may_rename_a_person_of_two_schools(client, trusty, shared, oak):
    membership = Membership.objects.get(user=shared, school=oak)
    client.force_login(trusty)
    page = client.get(reverse("accounts:staff-edit", args=[membership.pk]))
    assert b'name="first_name"' in page.content
    client.post(
        reverse("accounts:staff-edit", args=[membership.pk]),
        {
            "first_name": "Samira",
            "last_name": "Shared",
            "email": shared.email,
            "roles": ["teacher"],
        },
    )
    shared.refresh_from_db()
    assert shared.first_name == "Samira"


# Email changes ---------------------------------------------------------------------------------


def _change_alices_email(client, admin, alice, oak, capture, new="alice.new@oak.example"):
    membership = Membership.objects.get(user=alice, school=oak)
    client.force_login(admin)
    with capture(execute=True):
        return client.post(
            reverse("accounts:staff-edit", args=[membership.pk]),
            {"first_name": "Alice", "last_name": "Example", "email": new, "roles": ["teacher"]},
        )


def test_an_email_change_waits_for_the_new_address_and_tells_the_old_one(
    client, admin, alice, oak, django_capture_on_commit_callbacks
):
    feed = CalendarFeed.objects.create(user=alice)
    old_token = feed.token
    elsewhere = Client()
    elsewhere.force_login(alice)
    _change_alices_email(client, admin, alice, oak, django_capture_on_commit_callbacks)
    alice.refresh_from_db()
    assert alice.email == "alice@oak.example"  # nothing yet
    confirm, notice = mail.outbox
    assert confirm.to == ["alice.new@oak.example"] and notice.to == ["alice@oak.example"]
    assert "alice.new@oak.example" in notice.body
    link = re.search(r"http\S+/account/email/confirm/\S+/", confirm.body)
    assert link is not None and link.group(0) not in notice.body
    stranger = Client()
    assert stranger.get(_path(link.group(0))).status_code == 200  # a mail scanner's visit
    alice.refresh_from_db()
    assert alice.email == "alice@oak.example"
    response = stranger.post(_path(link.group(0)))
    assert response["Location"] == reverse("login")
    alice.refresh_from_db()
    assert alice.email == "alice.new@oak.example"
    feed.refresh_from_db()
    assert feed.token != old_token
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302  # signed out
    again = stranger.post(_path(link.group(0)))
    assert b"expired or was already used" in again.content


def test_the_person_confirming_in_their_own_browser_stays_signed_in(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:email-change"),
            {"new_email": "Alice.Home@example.org", "password": PASSWORD},
        )
    link = re.search(r"http\S+/account/email/confirm/\S+/", mail.outbox[0].body)
    response = client.post(_path(link.group(0)))
    assert response["Location"] == reverse("accounts:profile")
    assert client.get(reverse("accounts:profile")).context["user"].email == "alice.home@example.org"


def test_changing_your_own_email_needs_your_password(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:email-change"), {"new_email": "x@example.org", "password": "wrong"}
    )
    assert b"Your password was entered incorrectly" in response.content
    assert not EmailChange.objects.exists()


def test_a_change_to_an_address_in_use_sends_nothing_and_says_the_same(
    client, admin, alice, oak, outsider, django_capture_on_commit_callbacks
):
    response = _change_alices_email(
        client, admin, alice, oak, django_capture_on_commit_callbacks, new="outsider@elm.example"
    )
    assert any("has been sent to outsider@elm.example" in m for m in _messages(response))
    assert mail.outbox == []
    assert not EmailChange.objects.exists()


def test_an_email_change_link_expires(
    client, admin, alice, oak, django_capture_on_commit_callbacks
):
    _change_alices_email(client, admin, alice, oak, django_capture_on_commit_callbacks)
    link = re.search(r"http\S+/account/email/confirm/\S+/", mail.outbox[0].body)
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False):
        response = Client().post(_path(link.group(0)))
    assert b"expired or was already used" in response.content
    alice.refresh_from_db()
    assert alice.email == "alice@oak.example"


def test_a_pending_change_lapses_if_the_person_joins_another_school(
    client, admin, alice, oak, elm, django_capture_on_commit_callbacks
):
    _change_alices_email(client, admin, alice, oak, django_capture_on_commit_callbacks)
    token = re.search(r"/account/email/confirm/(\S+)/", mail.outbox[0].body).group(1)
    MembershipFactory(user=alice, school=elm)
    with pytest.raises(DomainError, match="trust admin"):
        services.email_change_confirm(token=token)


# Password reset --------------------------------------------------------------------------------


def test_a_password_reset_signs_out_other_sessions_and_revokes_the_calendar_address(client, alice):
    feed = CalendarFeed.objects.create(user=alice)
    old_token = feed.token
    elsewhere = Client()
    elsewhere.force_login(alice)
    client.post(reverse("password_reset"), {"email": alice.email})
    link = re.search(r"http\S+/password/set/\S+/", mail.outbox[0].body)
    page = client.get(_path(link.group(0)), follow=True)
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password-9", "new_password2": "a-long-new-password-9"},
    )
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.token != old_token
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.password.reset", subject=alice).exists()
