"""Morning lists, lead digests and overdue nudges; preferences and one-click unsubscribe.

The calendar is Oak's 2026–27 year: Autumn 2 runs from Monday 2 November to Friday 18
December, and half-term was 26–30 October. Time is frozen with time-machine, never slept.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from coachroom.accounts.models import Closure, Membership
from coachroom.coaching.models import Observation
from coachroom.scheduling import reminders
from coachroom.scheduling.models import NotificationPreferences, SentMessage, SessionOccurrence
from coachroom.scheduling.services import (
    session_assign_cover,
    session_mark_held,
    session_mark_missed,
    session_reschedule,
    slot_create,
)
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2026, 11, 23)
LAST_MONDAY = dt.date(2026, 11, 16)


def at(day: dt.date, hour: int = 7, minute: int = 5) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def monday_drop_ins(pair, *, from_date=dt.date(2026, 11, 2), room="Room 12", by=None):
    return slot_create(
        relationship=pair,
        by=by or pair.coach,
        kind="drop_in",
        weekday=0,
        start_time=dt.time(10, 0),
        starts_on=from_date,
        room=room,
        period="Period 3",
    )


def session_on(pair, day: dt.date, kind: str = "drop_in") -> SessionOccurrence:
    return SessionOccurrence.objects.get(relationship=pair, kind=kind, starts_at__date=day)


def outbox_for(user) -> list[EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


# Morning lists ---------------------------------------------------------------------------------


@time_machine.travel(at(MONDAY), tick=False)
def test_morning_list_names_times_kind_teacher_and_room(pairing, bob):
    monday_drop_ins(pairing)
    counts = reminders.send_morning_lists(MONDAY)
    assert counts.sent == 1
    (message,) = mail.outbox
    assert message.to == ["bob@oak.example"]
    assert "Monday 23 November" in message.body
    assert "10:00–10:15  Drop-in with Alice Example, Room 12, Period 3" in message.body
    assert "http://127.0.0.1:8000/programme/week/" in message.body


@time_machine.travel(at(MONDAY), tick=False)
def test_morning_list_is_sent_once_even_when_the_worker_runs_twice(pairing, bob):
    monday_drop_ins(pairing)
    first = reminders.send_morning_lists(MONDAY)
    again = reminders.send_morning_lists(MONDAY)  # a restarted worker runs the job again
    assert (first.sent, again.sent, again.skipped) == (1, 0, 1)
    assert len(mail.outbox) == 1
    assert SentMessage.objects.filter(key=f"morning:{bob.pk}:2026-11-23").count() == 1


@time_machine.travel(at(MONDAY), tick=False)
def test_a_failed_send_leaves_no_key_so_the_next_run_sends_it(pairing, bob):
    monday_drop_ins(pairing)
    with mock.patch.object(EmailMessage, "send", side_effect=OSError("mail server down")):
        failed = reminders.send_morning_lists(MONDAY)
    assert failed.failed == 1
    assert not SentMessage.objects.filter(key__startswith="morning:").exists()
    retried = reminders.send_morning_lists(MONDAY)
    assert retried.sent == 1
    assert len(mail.outbox) == 1


def test_no_morning_list_on_a_closure_day(pairing, oak, oak_year):
    monday_drop_ins(pairing)
    Closure.objects.create(school=oak, academic_year=oak_year, date=MONDAY, reason="Snow day")
    with time_machine.travel(at(MONDAY), tick=False):
        counts = reminders.send_morning_lists(MONDAY)
    assert counts.sent == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 11, 21), dt.date(2026, 10, 28)],
    ids=["saturday", "half-term"],
)
def test_no_morning_list_outside_school_days(pairing, bob, day):
    monday_drop_ins(pairing)
    session_reschedule(session=session_on(pairing, MONDAY), by=bob, starts_at=at(day, 10, 0))
    with time_machine.travel(at(day), tick=False):
        counts = reminders.send_morning_lists(day)
    assert counts.sent == 0
    assert mail.outbox == []


@time_machine.travel(at(MONDAY), tick=False)
def test_morning_list_respects_preferences(pairing, bob):
    monday_drop_ins(pairing)
    NotificationPreferences.objects.create(user=bob, morning_list=False)
    counts = reminders.send_morning_lists(MONDAY)
    assert (counts.sent, counts.opted_out) == (0, 1)
    assert mail.outbox == []


@time_machine.travel(at(MONDAY), tick=False)
def test_preferences_are_created_on_demand_all_on(pairing, bob):
    monday_drop_ins(pairing)
    reminders.send_morning_lists(MONDAY)
    prefs = NotificationPreferences.objects.get(user=bob)
    assert prefs.morning_list and prefs.weekly_digest and prefs.overdue_nudges


@time_machine.travel(at(MONDAY), tick=False)
def test_a_covered_session_goes_to_the_covering_coach(pairing, bob, carol, lead):
    monday_drop_ins(pairing)
    session_assign_cover(session=session_on(pairing, MONDAY), by=lead, coach=carol)
    reminders.send_morning_lists(MONDAY)
    assert outbox_for(bob) == []
    (message,) = outbox_for(carol)
    assert "Covering for Bob Example" in message.body


@time_machine.travel(at(MONDAY), tick=False)
def test_a_coach_who_has_left_the_school_gets_nothing(pairing, bob, oak):
    monday_drop_ins(pairing)
    Membership.objects.filter(user=bob, school=oak).update(is_active=False)
    assert reminders.send_morning_lists(MONDAY).sent == 0


@time_machine.travel(at(MONDAY), tick=False)
def test_every_email_has_one_click_unsubscribe_headers(pairing, bob):
    monday_drop_ins(pairing)
    reminders.send_morning_lists(MONDAY)
    (message,) = mail.outbox
    url = reminders.unsubscribe_url(bob, "morning_list")
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    assert "the morning list" in message.body
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()


@pytest.mark.parametrize("pairs", [1, 6])
def test_morning_list_queries_do_not_grow(
    oak, oak_year, bob, carol, pairs, django_assert_max_num_queries
):
    for n in range(pairs):
        for coach in (bob, carol):
            pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach)
            slot_create(
                relationship=pair,
                by=coach,
                kind="drop_in",
                weekday=0,
                start_time=dt.time(8 + n, 0),
                starts_on=MONDAY,
            )
    # sessions with coach, school and pair (1); years, terms, closures (3); memberships (1);
    # preferences read and created (2); keys already sent (1); per coach: savepoint, insert,
    # release (3 × 2 coaches). Nothing per session.
    with time_machine.travel(at(MONDAY), tick=False), django_assert_max_num_queries(14):
        counts = reminders.send_morning_lists(MONDAY)
    assert counts.sent == 2
    assert all(m.body.count("Drop-in with") == pairs for m in mail.outbox)


# Overdue nudges --------------------------------------------------------------------------------


def test_nudge_lists_only_past_sessions_without_a_record(pairing, bob):
    monday_drop_ins(pairing)  # Mondays from 2 November
    session_mark_held(session=session_on(pairing, dt.date(2026, 11, 2)), by=bob)
    session_mark_missed(
        session=session_on(pairing, dt.date(2026, 11, 9)), by=bob, reason="teacher_absent"
    )
    with time_machine.travel(at(MONDAY, 16, 30), tick=False):
        counts = reminders.send_overdue_nudges(MONDAY)
        again = reminders.send_overdue_nudges(MONDAY)
    assert (counts.sent, again.sent) == (1, 0)
    (message,) = mail.outbox
    assert message.subject == "A coaching session has no record yet"
    assert "Monday 16 November, 10:00  Drop-in with Alice Example" in message.body
    assert "2 November" not in message.body  # held
    assert "9 November" not in message.body  # missed, with a reason
    assert "23 November" not in message.body  # today: not over yet
    session = session_on(pairing, LAST_MONDAY)
    assert f"http://127.0.0.1:8000{reverse('scheduling:session-detail', args=[session.pk])}" in (
        message.body
    )


def test_no_nudge_in_the_holidays(pairing):
    monday_drop_ins(pairing, from_date=dt.date(2026, 10, 19))
    half_term = dt.date(2026, 10, 28)
    with time_machine.travel(at(half_term, 16, 30), tick=False):
        assert reminders.send_overdue_nudges(half_term).sent == 0


def test_nudges_respect_preferences(pairing, bob):
    monday_drop_ins(pairing)
    NotificationPreferences.objects.create(user=bob, overdue_nudges=False)
    with time_machine.travel(at(MONDAY, 16, 30), tick=False):
        counts = reminders.send_overdue_nudges(MONDAY)
    assert (counts.sent, counts.opted_out) == (0, 1)


# Lead digests ----------------------------------------------------------------------------------

SECRET_NOTE = "Pupil by the window drew sharks on the worksheet"


@pytest.fixture
def last_week(oak, oak_year, pairing, bob, carol, lead):
    """The week of 16 November at Oak: one drop-in held, one meeting unrecorded, a step
    secured, a drop-in with private notes, and carol's coachee not seen since September."""
    slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=0,
        start_time=dt.time(10, 0),
        starts_on=LAST_MONDAY,
    )
    slot_create(
        relationship=pairing,
        by=bob,
        kind="meeting",
        weekday=1,
        start_time=dt.time(15, 30),
        starts_on=LAST_MONDAY,
    )
    session_mark_held(session=session_on(pairing, LAST_MONDAY), by=bob)
    Observation.objects.create(
        school=oak,
        relationship=pairing,
        teacher=pairing.coachee,
        observer=bob,
        status="submitted",
        observed_at=at(LAST_MONDAY, 10, 0),
        notes=SECRET_NOTE,
    )
    make_step(pairing, state="secured", secured_at=at(dt.date(2026, 11, 18), 11))
    make_step(pairing, state="secured", secured_at=at(dt.date(2026, 11, 5), 11))  # earlier
    dave = UserFactory(first_name="Dave", last_name="Unseen")
    MembershipFactory(user=dave, school=oak)
    RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=dave)


def test_lead_digest_has_last_weeks_counts(last_week, lead):
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        counts = reminders.send_lead_digests(LAST_MONDAY)
    assert counts.sent == 1  # the lead; Elm's lead has no term dates, so nothing to report
    (message,) = mail.outbox
    assert message.to == [lead.email]
    assert "week beginning Monday 16 November" in message.body
    assert "Drop-ins held: 1 of 1 planned" in message.body
    assert "Feedback meetings held: 0 of 1 planned" in message.body
    assert "Steps secured: 1" in message.body
    assert "Sessions still without a record: 1" in message.body
    assert "Bob Example: 1 of 2" in message.body
    assert "for more than 2 weeks: 1" in message.body
    assert "Carol Example: 1 coachee" in message.body


def test_lead_digest_has_no_notes_and_no_coachee_names(last_week):
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        reminders.send_lead_digests(LAST_MONDAY)
    (message,) = mail.outbox
    assert "sharks" not in message.body
    assert "Pause and scan" not in message.body  # not even step titles
    assert "Dave" not in message.body and "Alice" not in message.body


def test_lead_digest_is_sent_once_and_not_for_a_holiday_week(last_week):
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        assert reminders.send_lead_digests(LAST_MONDAY).sent == 1
        assert reminders.send_lead_digests(LAST_MONDAY).sent == 0
        assert reminders.send_lead_digests(dt.date(2026, 10, 26)).sent == 0  # half-term


def test_lead_digest_respects_preferences(last_week, lead):
    NotificationPreferences.objects.create(user=lead, weekly_digest=False)
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        counts = reminders.send_lead_digests(LAST_MONDAY)
    assert (counts.sent, counts.opted_out) == (0, 1)


@pytest.mark.parametrize("pairs", [1, 6])
def test_lead_digest_queries_do_not_grow(
    oak, oak_year, carol, lead, pairs, django_assert_max_num_queries
):
    for n in range(pairs):
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
        slot_create(
            relationship=pair,
            by=carol,
            kind="drop_in",
            weekday=n % 5,
            start_time=dt.time(9 + n // 5, 0),
            starts_on=LAST_MONDAY,
        )
        make_step(pair, state="secured", secured_at=at(LAST_MONDAY, 12))
    # leads (1); years, terms, closures (3); week, overdue, secured, unseen (4); preferences (2);
    # keys (1); savepoint, insert, release (3)
    with time_machine.travel(at(MONDAY, 7, 30), tick=False), django_assert_max_num_queries(14):
        counts = reminders.send_lead_digests(LAST_MONDAY)
    assert counts.sent == 1
    assert f"Steps secured: {pairs}" in mail.outbox[0].body


# Unsubscribe and preferences -------------------------------------------------------------------


def test_unsubscribe_link_asks_first_then_switches_that_kind_off(client, bob):
    url = reverse("scheduling:unsubscribe", args=[reminders.unsubscribe_token(bob, "morning_list")])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Stop the morning list of your coaching sessions?" in page.content
    assert not NotificationPreferences.objects.filter(user=bob, morning_list=False).exists()
    done = client.post(url)
    assert done.status_code == 200
    assert b"You won't get the morning list of your coaching sessions any more" in done.content
    assert reverse("scheduling:notifications").encode() in done.content
    prefs = NotificationPreferences.objects.get(user=bob)
    assert not prefs.morning_list
    assert prefs.overdue_nudges and prefs.weekly_digest  # other kinds unchanged


def test_one_click_unsubscribe_works_without_a_csrf_token(bob):
    client = Client(enforce_csrf_checks=True)
    url = reverse(
        "scheduling:unsubscribe", args=[reminders.unsubscribe_token(bob, "weekly_digest")]
    )
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not NotificationPreferences.objects.get(user=bob).weekly_digest


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "1:morning_list:forged",
        # a genuine signature over a kind that doesn't exist
        signing.Signer(salt=reminders.UNSUBSCRIBE_SALT).sign("1:everything"),
        # a genuine signature with another salt
        signing.Signer(salt="coachroom.other").sign("1:morning_list"),
    ],
)
def test_a_bad_unsubscribe_token_is_404(client, bob, token):
    response = client.post(reverse("scheduling:unsubscribe", args=[token]))
    assert response.status_code == 404


def test_a_token_cannot_be_moved_to_another_kind(client, bob):
    token = reminders.unsubscribe_token(bob, "morning_list")
    forged = token.replace("morning_list", "weekly_digest")
    assert client.post(reverse("scheduling:unsubscribe", args=[forged])).status_code == 404


def test_preferences_page_shows_three_labelled_checkboxes(client, bob):
    client.force_login(bob)
    response = client.get(reverse("scheduling:notifications"))
    assert response.status_code == 200
    for kind in reminders.KINDS.values():
        assert kind.label.encode() in response.content.replace(b"&#x27;", b"'")
    # bob coaches but doesn't lead coaching: the page says the digest isn't for him now
    assert b"Your roles don&#x27;t include this at the moment." in response.content


def test_preferences_can_be_switched_off_and_on(client, bob):
    client.force_login(bob)
    url = reverse("scheduling:notifications")
    response = client.post(url, {"weekly_digest": "on", "overdue_nudges": "on"}, follow=True)
    assert b"Your email preferences have been saved." in response.content
    prefs = NotificationPreferences.objects.get(user=bob)
    assert (prefs.morning_list, prefs.weekly_digest, prefs.overdue_nudges) == (False, True, True)
    client.post(url, {"morning_list": "on"})
    prefs.refresh_from_db()
    assert (prefs.morning_list, prefs.weekly_digest, prefs.overdue_nudges) == (True, False, False)


def test_outsider_sees_only_their_own_preferences(client, outsider, bob):
    NotificationPreferences.objects.create(user=bob, morning_list=False)
    client.force_login(outsider)
    response = client.get(reverse("scheduling:notifications"))
    assert response.status_code == 200
    assert response.context["form"].instance.user == outsider
    assert response.context["form"].initial["morning_list"] is True
