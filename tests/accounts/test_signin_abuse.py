"""Sign-in abuse behind a reverse proxy: locks by account and address, password spraying, the
client's address from X-Forwarded-For, and caps on reset and invitation emails."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from coachroom.accounts import throttle
from coachroom.accounts.models import User
from coachroom.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.datetime(2026, 11, 16, 8, 30, tzinfo=LONDON)
PROXY = "10.0.0.2"
STAFFROOM = "198.51.100.7"  # the school's network
ATTACKER = "203.0.113.66"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def sign_in(client, email: str, password: str, address: str, **meta: str):
    """A sign-in as the recommended proxy passes it on: from the proxy, naming the client."""
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
        **meta,
    )


def ask_for_reset(client, email: str, address: str):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


# Locks by account and address -------------------------------------------------------------


def test_wrong_passwords_from_one_address_do_not_lock_the_account_elsewhere(
    client, alice, behind_proxy
):
    for _ in range(5):
        sign_in(client, alice.email, "wrong", ATTACKER)
    assert sign_in(client, alice.email, PASSWORD, ATTACKER).status_code == 429
    response = sign_in(client, alice.email, PASSWORD, STAFFROOM)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_spraying_one_password_across_many_accounts_locks_the_address(client, oak, behind_proxy):
    staff = UserFactory.create_batch(25)
    statuses = [sign_in(client, user.email, "Summer2026!", ATTACKER).status_code for user in staff]
    assert statuses[:19] == [200] * 19  # a wrong password, shown on the form
    assert statuses[19:] == [429] * 6  # the 20th failure locks the address
    # Even the right password for an account it never tried is refused from that address...
    fresh = UserFactory()
    response = sign_in(client, fresh.email, PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    # ...while the staff, signing in from school, are not affected.
    assert sign_in(client, staff[0].email, PASSWORD, STAFFROOM).status_code == 302


def test_a_successful_sign_in_clears_that_persons_failures_from_the_address_count(
    client, oak, settings, behind_proxy
):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 3
    alice, bob = UserFactory.create_batch(2)
    sign_in(client, alice.email, "typo", STAFFROOM)
    sign_in(client, alice.email, "typo again", STAFFROOM)
    assert sign_in(client, alice.email, PASSWORD, STAFFROOM).status_code == 302
    client.logout()
    sign_in(client, bob.email, "typo", STAFFROOM)
    assert sign_in(client, bob.email, PASSWORD, STAFFROOM).status_code == 302


# The client's address ----------------------------------------------------------------------


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, alice):
    """Directly exposed, a client could otherwise dodge the lock with a new header each time."""
    for n in range(5):
        sign_in(client, alice.email, "wrong", f"192.0.2.{n}")
    assert sign_in(client, alice.email, PASSWORD, "192.0.2.99").status_code == 429


def test_spoofed_entries_left_of_the_proxys_own_are_ignored(client, alice, behind_proxy):
    for n in range(5):
        sign_in(client, alice.email, "wrong", f"192.0.2.{n}, {ATTACKER}")
    assert sign_in(client, alice.email, PASSWORD, f"192.0.2.99, {ATTACKER}").status_code == 429
    assert sign_in(client, alice.email, PASSWORD, STAFFROOM).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "header", "expected"),
    [
        (0, "192.0.2.1", PROXY),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.1", "192.0.2.1"),
        (2, "10.0.0.1", PROXY),  # too short to have passed both proxies
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "192.0.2.1:52100", "192.0.2.1"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_right(settings, proxies, header, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    assert throttle.client_ip(request) == expected


# Password-reset emails ----------------------------------------------------------------------


def test_reset_emails_to_one_account_are_capped_each_hour(client, alice, caplog):
    caplog.set_level(logging.WARNING, logger="coachroom.accounts.throttle")
    responses = [ask_for_reset(client, alice.email, f"192.0.2.{n}") for n in range(5)]
    assert len(mail.outbox) == 3
    assert all(m.to == [alice.email] for m in mail.outbox)
    # The page never says whether a link went.
    assert {(r.status_code, r["Location"]) for r in responses} == {
        (302, reverse("password_reset_done"))
    }
    held = AuditEvent.objects.filter(action=throttle.RESET_HELD_BACK, subject=alice)
    assert held.count() == 2
    assert held.first().data == {"address": "192.0.2.4", "limit": "account"}
    (record, *_) = [
        r for r in caplog.records if getattr(r, "event", "") == "password_reset.throttled"
    ]
    assert record.user_id == alice.pk and record.limit == "account"
    with time_machine.travel(MONDAY + dt.timedelta(hours=1, minutes=1), tick=False):
        ask_for_reset(client, alice.email, "192.0.2.9")
    assert len(mail.outbox) == 4


def test_reset_emails_from_one_address_are_capped_each_hour(client, oak):
    people = UserFactory.create_batch(12)
    for person in people:
        ask_for_reset(client, person.email, ATTACKER)
    assert [m.to for m in mail.outbox] == [[p.email] for p in people[:10]]
    assert AuditEvent.objects.filter(action=throttle.RESET_HELD_BACK).count() == 2
    ask_for_reset(client, people[11].email, STAFFROOM)
    assert mail.outbox[-1].to == [people[11].email]


def test_reset_address_is_the_client_behind_the_proxy(client, oak, behind_proxy):
    people = UserFactory.create_batch(11)
    for person in people:
        client.post(
            reverse("password_reset"),
            {"email": person.email},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"6.6.6.{person.pk % 200}, {ATTACKER}",
        )
    assert len(mail.outbox) == 10
    sent = AuditEvent.objects.filter(action=throttle.RESET_SENT)
    assert set(sent.values_list("data__address", flat=True)) == {ATTACKER}


def test_a_throttled_reset_looks_like_one_for_an_unknown_address(client, alice, settings):
    settings.PASSWORD_RESETS_PER_ACCOUNT_HOUR = 0
    held = ask_for_reset(client, alice.email, STAFFROOM)
    unknown = ask_for_reset(client, "nobody@oak.example", STAFFROOM)
    assert mail.outbox == []
    assert (held.status_code, held["Location"]) == (unknown.status_code, unknown["Location"])
    page = client.get(held["Location"])
    assert b"we send only a few links an hour" in page.content


# Invitation emails -------------------------------------------------------------------------


def test_resending_an_invitation_is_capped_each_hour(client, admin, oak, caplog):
    caplog.set_level(logging.WARNING, logger="coachroom.accounts.throttle")
    invitee = User.objects.create_user("new.teacher@oak.example", first_name="New")
    membership = invitee.memberships.create(school=oak, is_teacher=True)
    client.force_login(admin)
    url = reverse("accounts:staff-reinvite", args=[membership.pk])
    statuses = [client.post(url).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [409]
    assert [m.to for m in mail.outbox] == [[invitee.email]] * 5
    refused = client.post(url)
    assert b"No invitation sent" in refused.content
    assert AuditEvent.objects.filter(action=throttle.INVITATION_SENT, subject=invitee).count() == 5
    assert AuditEvent.objects.filter(
        action=throttle.INVITATION_HELD_BACK, subject=invitee, actor=admin, school=oak
    ).exists()
    assert any(getattr(r, "event", "") == "invitation.throttled" for r in caplog.records)
    with time_machine.travel(MONDAY + dt.timedelta(hours=1, minutes=1), tick=False):
        assert client.post(url).status_code == 302
    assert len(mail.outbox) == 6
