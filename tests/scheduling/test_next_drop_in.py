"""The next drop-in agreed at a feedback meeting is a real, clash-checked session."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.coaching import meetings, services
from coachroom.coaching.models import FeedbackMeeting
from coachroom.scheduling import next_drop_in
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.ical import feed_sessions
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import RelationshipFactory

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)  # a Monday in term, after school
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def _meeting_data(**overrides):
    return {
        "praise": "Your instructions were under 20 words and everyone started at once.",
        "decision": "new",
        "new_title": "Stop, scan, say",
        "new_criteria": "Stops mid-sentence\nSweeps the room",
        "round_1_attempt": "Introduced the key point with a pause",
        "round_1_feedback": "Hold the pause a second longer",
        "next_drop_in": "2026-11-26",
        "next_drop_in_time": "09:00",
        **overrides,
    }


def _record(pair, by, **more):
    return meetings.meeting_record(
        relationship=pair,
        by=by,
        praise="Sharp start",
        decision="new",
        rounds=[("Tried it", "Slower")],
        new_step=services.StepDraft(title="Stop, scan, say", criteria="Stops"),
        **more,
    )


def test_saving_the_meeting_books_the_drop_in_for_both(client, bob, alice, pairing, oak_year):
    client.force_login(bob)
    response = client.post(reverse("coaching:meeting-new", args=[pairing.pk]), _meeting_data())
    assert response.status_code == 302
    meeting = FeedbackMeeting.objects.get()
    session = SessionOccurrence.objects.get(booked_at_meeting=meeting)
    assert (session.kind, session.status, session.coach) == ("drop_in", "planned", bob)
    assert session.starts_at == _at(dt.date(2026, 11, 26), 9)
    assert meeting.next_drop_in == dt.date(2026, 11, 26)
    assert meeting.step.review_due == dt.date(2026, 11, 26)
    assert AuditEvent.objects.filter(action="programme.session.booked").count() == 1
    # in both people's week and calendar feed
    for person in (bob, alice):
        client.force_login(person)
        week = client.get(reverse("scheduling:week"))
        assert session.pk in [row.pk for _, day in week.context["days"] for row in day]
        assert "Next drop-in" in week.content.decode()
        assert session in feed_sessions(person)


def test_the_form_offers_the_first_free_school_day(client, bob, pairing, oak_year):
    client.force_login(bob)
    page = client.get(reverse("coaching:meeting-new", args=[pairing.pk]))
    form = page.context["form"]
    assert form["next_drop_in"].initial == dt.date(2026, 11, 24)
    assert form["next_drop_in_time"].initial == dt.time(9, 0)


def test_the_suggestion_skips_clashes_and_holidays(bob, alice, pairing, oak_year, carol):
    other = RelationshipFactory(
        school=pairing.school, academic_year=oak_year, coach=bob, coachee=carol
    )
    scheduling.slot_create(
        relationship=other,
        by=bob,
        kind="drop_in",
        weekday=1,
        start_time=dt.time(8, 0),
        minutes=120,
        starts_on=dt.date(2026, 11, 23),
    )  # bob is busy 08:00-10:00 every Tuesday
    assert next_drop_in.suggest(pairing) == _at(dt.date(2026, 11, 24), 10, 0)
    # on the last day of the autumn term, the next school day is in January
    assert next_drop_in.suggest(pairing, today=dt.date(2026, 12, 18)).date() > dt.date(2027, 1, 1)


def test_a_pair_with_a_slot_is_offered_its_planned_drop_in(bob, pairing, oak_year):
    scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=3,
        start_time=dt.time(11, 0),
        starts_on=dt.date(2026, 11, 23),
    )
    assert next_drop_in.suggest(pairing) == _at(dt.date(2026, 11, 26), 11, 0)
    meeting = _record(
        pairing, bob, next_drop_in=dt.date(2026, 11, 26), next_drop_in_time=dt.time(11, 0)
    )
    booked = SessionOccurrence.objects.get(booked_at_meeting=meeting)
    assert booked.slot is not None  # the timetabled drop-in, not a second one at the same time
    assert SessionOccurrence.objects.filter(starts_at=booked.starts_at).count() == 1


def test_a_clash_saves_nothing_and_shows_free_times(client, bob, pairing, oak_year, carol):
    other = RelationshipFactory(
        school=pairing.school, academic_year=oak_year, coach=bob, coachee=carol
    )
    scheduling.slot_create(
        relationship=other,
        by=bob,
        kind="drop_in",
        weekday=3,
        start_time=dt.time(9, 0),
        starts_on=dt.date(2026, 11, 23),
    )
    client.force_login(bob)
    url = reverse("coaching:meeting-new", args=[pairing.pk])
    page = client.post(url, _meeting_data())
    html = page.content.decode()
    assert page.status_code == 200 and "Clashes: nothing is booked yet" in html
    assert "Bob Example is already leading a drop-in with Carol Example" in html
    assert 'value="2026-11-26T09:15"' in html
    assert not FeedbackMeeting.objects.exists()
    response = client.post(url, _meeting_data(use_option="2026-11-26T09:15"))
    assert response.status_code == 302
    booked = SessionOccurrence.objects.get(booked_at_meeting__isnull=False)
    assert booked.starts_at == _at(dt.date(2026, 11, 26), 9, 15)


def test_a_clash_can_be_overridden_with_a_reason(client, bob, pairing, oak_year, carol):
    other = RelationshipFactory(
        school=pairing.school, academic_year=oak_year, coach=bob, coachee=carol
    )
    scheduling.slot_create(
        relationship=other,
        by=bob,
        kind="drop_in",
        weekday=3,
        start_time=dt.time(9, 0),
        starts_on=dt.date(2026, 11, 23),
    )
    client.force_login(bob)
    url = reverse("coaching:meeting-new", args=[pairing.pk])
    page = client.post(url, _meeting_data(clash_override="on"))
    assert "Say why it must be this time." in page.content.decode()
    client.post(url, _meeting_data(clash_override="on", clash_override_reason="Both in one lesson"))
    booked = SessionOccurrence.objects.get(booked_at_meeting__isnull=False)
    assert booked.clash_override_reason == "Both in one lesson"


def test_booking_twice_is_one_session(bob, pairing, oak_year):
    meeting = _record(
        pairing, bob, next_drop_in=dt.date(2026, 11, 26), next_drop_in_time=dt.time(9)
    )
    again = next_drop_in.book(meeting=meeting, by=bob, starts_at=_at(dt.date(2026, 11, 26), 9))
    assert SessionOccurrence.objects.filter(booked_at_meeting=meeting).get() == again


def test_a_date_without_a_time_books_nothing(bob, pairing, oak_year):
    meeting = _record(pairing, bob, next_drop_in=dt.date(2026, 11, 26))
    assert meeting.next_drop_in == dt.date(2026, 11, 26)
    assert not SessionOccurrence.objects.filter(kind="drop_in").exists()


def test_moving_the_booked_drop_in_moves_the_meetings_date(bob, pairing, oak_year):
    meeting = _record(
        pairing, bob, next_drop_in=dt.date(2026, 11, 26), next_drop_in_time=dt.time(9)
    )
    session = SessionOccurrence.objects.get(booked_at_meeting=meeting)
    scheduling.session_reschedule(session=session, by=bob, starts_at=_at(dt.date(2026, 11, 30), 9))
    meeting.refresh_from_db()
    assert meeting.next_drop_in == dt.date(2026, 11, 30)
    assert meeting.step.review_due == dt.date(2026, 11, 30)
