"""Personal calendar feeds: parsed back with the icalendar library, as a calendar app would."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import segno
from dateutil import tz
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event
from icalendar.enums import STATUS, TRANSP
from icalendar.prop import vDuration, vText

from coachroom.accounts.models import Membership
from coachroom.audit.models import AuditEvent
from coachroom.cli import main
from coachroom.coaching.models import Observation
from coachroom.scheduling import ical
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.ical import build_calendar
from coachroom.scheduling.models import CalendarFeed, SessionOccurrence
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step

LONDON = "Europe/London"
WEDNESDAY = 2


@pytest.fixture(autouse=True)
def _start_of_term(time_machine):
    """Early September 2026, so that the autumn's sessions are all still ahead."""
    time_machine.move_to(dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC))


def make_slot(
    pair, by, *, starts_on, ends_on=None, kind="drop_in", start_time=dt.time(10, 0), override=""
):
    return scheduling.slot_create(
        relationship=pair,
        by=by,
        kind=kind,
        weekday=WEDNESDAY,
        start_time=start_time,
        starts_on=starts_on,
        ends_on=ends_on,
        room="Room 12",
        period="Period 3",
        override_reason=override,
    )


@pytest.fixture
def drop_in(pairing, bob) -> SessionOccurrence:
    """bob's one drop-in on alice: Wednesday 7 October 2026, 10:00 BST."""
    slot = make_slot(pairing, bob, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 10, 9))
    return slot.sessions.get()


def parse(body: bytes | str) -> Calendar:
    return Calendar.from_ical(body)


def feed_of(user) -> Calendar:
    return parse(build_calendar(user))


def events_by_uid(cal: Calendar) -> dict[str, Event]:
    return {str(event["UID"]): event for event in cal.events}


def the_event(user, session: SessionOccurrence) -> Event:
    return events_by_uid(feed_of(user))[f"{session.uid}@coachroom"]


def unfolded(body: bytes) -> str:
    """The feed's text with long lines joined back up, so a search can't miss split words."""
    return body.replace(b"\r\n ", b"").decode("utf-8")


# The feed over HTTP -------------------------------------------------------------------------


def test_feed_address_serves_a_calendar_without_signing_in(client, alice, drop_in):
    feed = CalendarFeed.objects.create(user=alice)
    response = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    cal = parse(response.content)
    assert str(cal["VERSION"]) == "2.0"
    assert "Coachroom" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "Coachroom – Alice Example"
    [event] = cal.events
    assert str(event["UID"]) == f"{drop_in.uid}@coachroom"
    assert str(event["SUMMARY"]) == "Drop-in with Bob Example"
    assert str(event["LOCATION"]) == "Room 12, Period 3"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0


def test_unknown_feed_address_is_404(client, db):
    response = client.get(reverse("scheduling:calendar-feed", args=["not-a-real-token"]))
    assert response.status_code == 404


def test_feed_of_a_deactivated_account_is_404(client, alice, drop_in):
    feed = CalendarFeed.objects.create(user=alice)
    alice.is_active = False
    alice.save()
    response = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
    assert response.status_code == 404


def test_coach_sees_the_coachee_and_the_teacher_sees_the_coach(alice, bob, drop_in):
    assert str(the_event(bob, drop_in)["SUMMARY"]) == "Drop-in: Alice Example"
    assert str(the_event(alice, drop_in)["SUMMARY"]) == "Drop-in with Bob Example"


def test_meetings_are_named_as_feedback_meetings(alice, bob, pairing):
    slot = make_slot(
        pairing, bob, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 10, 9), kind="meeting"
    )
    meeting = slot.sessions.get()
    assert str(the_event(bob, meeting)["SUMMARY"]) == "Feedback meeting: Alice Example"
    assert str(the_event(alice, meeting)["SUMMARY"]) == "Feedback meeting with Bob Example"


def test_people_outside_the_pair_see_none_of_its_sessions(
    alice, bob, carol, lead, head, admin, outsider, drop_in
):
    for person in (carol, lead, head, admin, outsider):
        assert feed_of(person).events == [], person


def test_a_person_who_has_left_the_school_no_longer_sees_its_sessions(alice, oak, drop_in):
    Membership.objects.filter(user=alice, school=oak).update(is_active=False)
    assert feed_of(alice).events == []


# Time zones ----------------------------------------------------------------------------------


def test_times_are_in_london_time_in_summer_time_and_in_winter(alice, bob, pairing):
    make_slot(pairing, bob, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 10, 9))
    make_slot(
        pairing, bob, starts_on=dt.date(2026, 11, 23), ends_on=dt.date(2026, 11, 27), kind="meeting"
    )
    body = build_calendar(alice)
    cal = parse(body)
    october, november = sorted(cal.events, key=lambda e: e["DTSTART"].dt)
    for event in (october, november):
        assert event["DTSTART"].params["TZID"] == LONDON
        assert event["DTEND"].params["TZID"] == LONDON
        assert str(event["DTSTART"].dt.tzinfo) == LONDON
    # 10:00 on Wednesday 7 October is BST (UTC+1), 10:00 on 25 November is GMT (UTC+0).
    assert october["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(2026, 10, 7, 10, 0)
    assert october["DTSTART"].dt.utcoffset() == dt.timedelta(hours=1)
    assert october["DTSTART"].dt == dt.datetime(2026, 10, 7, 9, 0, tzinfo=dt.UTC)
    assert october["DTEND"].dt - october["DTSTART"].dt == dt.timedelta(minutes=15)
    assert november["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(2026, 11, 25, 10, 0)
    assert november["DTSTART"].dt.utcoffset() == dt.timedelta(0)
    assert november["DTEND"].dt - november["DTSTART"].dt == dt.timedelta(minutes=30)
    assert b"DTSTART;TZID=Europe/London:20261007T100000" in body
    assert b"DTSTART;TZID=Europe/London:20261125T100000" in body
    [zone] = cal.timezones
    assert str(zone["TZID"]) == LONDON
    offsets = {str(sub.name): sub["TZOFFSETTO"].td for sub in zone.subcomponents}
    assert offsets == {"DAYLIGHT": dt.timedelta(hours=1), "STANDARD": dt.timedelta(0)}


# Changes: stable UIDs and rising SEQUENCE ---------------------------------------------------


def test_uid_stays_the_same_across_builds_and_new_addresses(client, alice, bob, pairing):
    make_slot(pairing, bob, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 10, 23))
    feed = CalendarFeed.objects.create(user=alice)
    first = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
    feed.regenerate()
    second = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
    uids = set(events_by_uid(parse(first.content)))
    assert len(uids) == 3
    assert uids == set(events_by_uid(parse(second.content)))
    assert uids == set(events_by_uid(feed_of(bob)))


def test_rescheduling_bumps_sequence_and_cancels_the_old_time(alice, bob, drop_in):
    new = scheduling.session_reschedule(
        session=drop_in,
        by=bob,
        starts_at=dt.datetime(2026, 10, 8, 11, 0, tzinfo=timezone.get_current_timezone()),
    )
    events = events_by_uid(feed_of(alice))
    old_event = events[f"{drop_in.uid}@coachroom"]
    assert old_event["SEQUENCE"] == 1
    assert str(old_event["STATUS"]) == "CANCELLED"
    assert str(old_event["SUMMARY"]) == "Drop-in with Bob Example (moved)"
    new_event = events[f"{new.uid}@coachroom"]
    assert str(new_event["STATUS"]) == "CONFIRMED"
    assert new_event["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(2026, 10, 8, 11, 0)


def test_cover_bumps_sequence_and_moves_the_session_to_the_cover_coach(
    alice, bob, carol, lead, drop_in
):
    scheduling.session_assign_cover(session=drop_in, by=lead, coach=carol)
    event = the_event(carol, drop_in)
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == "Cover – Drop-in: Alice Example"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(the_event(alice, drop_in)["SUMMARY"]) == "Drop-in with Carol Example"
    assert f"{drop_in.uid}@coachroom" not in events_by_uid(feed_of(bob))


def test_moving_a_series_bumps_sequence_and_keeps_uids(alice, bob, pairing):
    slot = make_slot(pairing, bob, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 10, 9))
    session = slot.sessions.get()
    assert the_event(alice, session)["SEQUENCE"] == 0
    scheduling.slot_move_series(
        slot=slot,
        by=bob,
        weekday=3,
        start_time=dt.time(13, 30),
        from_date=dt.date(2026, 10, 5),
        room="Library",
        period="Period 5",
        minutes=20,
    )
    event = the_event(alice, session)
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(2026, 10, 8, 13, 30)
    assert event["DTEND"].dt - event["DTSTART"].dt == dt.timedelta(minutes=20)
    assert str(event["LOCATION"]) == "Library, Period 5"


@pytest.mark.parametrize(
    ("change", "label"),
    [
        (lambda s, by: scheduling.session_cancel(session=s, by=by, reason="closure"), "cancelled"),
        (
            lambda s, by: scheduling.session_mark_missed(session=s, by=by, reason="trip"),
            "did not take place",
        ),
    ],
)
def test_cancelled_and_missed_sessions_are_cancelled_in_calendars(
    alice, bob, drop_in, change, label
):
    change(drop_in, bob)
    event = the_event(alice, drop_in)
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == f"Drop-in with Bob Example ({label})"


def test_held_sessions_stay_confirmed(alice, bob, drop_in):
    scheduling.session_mark_held(session=drop_in, by=bob)
    assert str(the_event(alice, drop_in)["STATUS"]) == "CONFIRMED"


# Nothing private ----------------------------------------------------------------------------


def test_no_notes_reasons_or_steps_reach_the_feed(alice, bob, pairing, drop_in):
    observation = Observation.objects.create(
        school=pairing.school,
        relationship=pairing,
        teacher=alice,
        observer=bob,
        status=Observation.Status.SUBMITTED,
        went_well="Zanzibar-went-well",
        notes="Quetzal-private-note about the back row",
        suggested_focus="Xylophone-focus",
    )
    drop_in.observation = observation
    drop_in.save()
    make_step(pairing, title="Marzipan-step-title")
    later = make_slot(
        pairing, bob, starts_on=dt.date(2026, 11, 23), ends_on=dt.date(2026, 11, 27), kind="meeting"
    ).sessions.get()
    scheduling.session_mark_missed(
        session=later, by=bob, reason="other", note="Kumquat-reason-note: personal matter"
    )
    for person in (alice, bob):
        text = unfolded(build_calendar(person))
        assert len(parse(text).events) == 2
        for secret in ("Zanzibar", "Quetzal", "Xylophone", "Marzipan", "Kumquat", "personal"):
            assert secret not in text
        assert "Other" not in text  # not even the reason's label


# The window ---------------------------------------------------------------------------------


def test_sessions_from_four_weeks_ago_onwards_are_included(time_machine, alice, bob, pairing):
    make_slot(pairing, bob, starts_on=dt.date(2026, 9, 14))  # every Wednesday from 16 September
    time_machine.move_to(dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC))  # a Thursday
    starts = sorted(e["DTSTART"].dt.date() for e in feed_of(alice).events)
    # Four weeks back is Thursday 15 October; half-term (26–30 October) has no session.
    assert starts[:3] == [dt.date(2026, 10, 21), dt.date(2026, 11, 4), dt.date(2026, 11, 11)]


# The calendar page and getting a new address ------------------------------------------------


def test_calendar_page_shows_the_address_and_makes_it_once(client, alice):
    client.force_login(alice)
    first = client.get(reverse("scheduling:calendar"))
    second = client.get(reverse("scheduling:calendar"))
    feed = CalendarFeed.objects.get(user=alice)
    url = f"http://testserver/programme/calendar/{feed.token}.ics"
    assert first.status_code == second.status_code == 200
    assert f'value="{url}"'.encode() in first.content
    assert f"webcal://testserver/programme/calendar/{feed.token}.ics".encode() in first.content
    assert b"never contains coaching notes" in first.content
    assert first.content.count(b"<h1") == 1
    assert CalendarFeed.objects.filter(user=alice).count() == 1


def test_calendar_page_asks_before_getting_a_new_address(client, alice):
    """The button on the page opens the confirmation; only the confirmation changes anything."""
    client.force_login(alice)
    page = client.get(reverse("scheduling:calendar")).content.decode()
    confirm = reverse("scheduling:calendar-regenerate")
    assert f'href="{confirm}"' in page
    assert f'action="{confirm}"' not in page  # no one-tap form that replaces the address


def test_calendar_page_offers_a_copy_button_and_a_qr_code(client, alice):
    client.force_login(alice)
    page = client.get(reverse("scheduling:calendar")).content.decode()
    feed = CalendarFeed.objects.get(user=alice)
    url = f"http://testserver/programme/calendar/{feed.token}.ics"
    # the copy button waits for the script; without it the address is still there to select
    assert '<button type="button" class="button--secondary" data-copy="feed-url" hidden>' in page
    assert 'role="status"' in page
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert 'role="img" aria-label="QR code of your calendar address"' in svg
    assert "<title>QR code of your calendar address</title>" in svg
    assert f'<span class="qr__address">{url}</span>' in page
    expected = segno.make(url, error="m").svg_inline(
        scale=4, svgclass="qr-code", lineclass=None, title="QR code of your calendar address"
    )
    assert svg.endswith(expected[expected.index(">") + 1 :])  # the code encodes this address


def test_asking_for_a_new_address_changes_nothing_until_confirmed(client, alice):
    feed = CalendarFeed.objects.create(user=alice)
    client.force_login(alice)
    response = client.get(reverse("scheduling:calendar-regenerate"))
    assert response.status_code == 200
    assert b"stops working" in response.content
    feed.refresh_from_db()
    assert CalendarFeed.objects.get(user=alice).token == feed.token


def test_a_new_address_revokes_the_old_one(client, alice, drop_in):
    old = CalendarFeed.objects.create(user=alice).token
    client.force_login(alice)
    response = client.post(reverse("scheduling:calendar-regenerate"), follow=True)
    assert response.redirect_chain == [(reverse("scheduling:calendar"), 302)]
    assert b"old one has stopped working" in response.content
    new = CalendarFeed.objects.get(user=alice).token
    assert new != old
    client.logout()
    assert client.get(reverse("scheduling:calendar-feed", args=[old])).status_code == 404
    fresh = client.get(reverse("scheduling:calendar-feed", args=[new]))
    assert fresh.status_code == 200
    assert len(parse(fresh.content).events) == 1
    event = AuditEvent.objects.get(action="programme.calendar.regenerated")
    assert event.actor == alice
    assert old not in str(event.data) and new not in str(event.data)


def test_a_new_address_can_be_had_before_the_first_visit(client, alice):
    client.force_login(alice)
    response = client.post(reverse("scheduling:calendar-regenerate"))
    assert response.status_code == 302
    assert CalendarFeed.objects.filter(user=alice).count() == 1


def test_people_without_a_school_get_an_empty_calendar(client, db):
    trust_admin = UserFactory(first_name="Trusty")
    client.force_login(trust_admin)
    assert client.get(reverse("scheduling:calendar")).status_code == 200
    feed = CalendarFeed.objects.get(user=trust_admin)
    response = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
    assert parse(response.content).events == []


# The command line ---------------------------------------------------------------------------


def test_cli_prints_the_persons_calendar(capsys, alice, bob, drop_in):
    assert main(["calendar", "Bob@Oak.example"]) == 0
    out = capsys.readouterr().out
    cal = parse(out)
    assert str(cal["X-WR-CALNAME"]) == "Coachroom – Bob Example"
    [event] = cal.events
    assert str(event["UID"]) == f"{drop_in.uid}@coachroom"
    assert str(event["SUMMARY"]) == "Drop-in: Alice Example"
    assert event["DTSTART"].params["TZID"] == LONDON


@pytest.mark.parametrize("email", ["nobody@oak.example", "alice@oak.example"])
def test_cli_refuses_unknown_and_inactive_accounts(capsys, alice, email):
    alice.is_active = False  # alice has left; nobody never had an account
    alice.save()
    assert main(["calendar", email]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("coachroom: no active Coachroom account has the email")


# Query budget -------------------------------------------------------------------------------


@pytest.mark.parametrize("coachees", [1, 4])
def test_feed_queries_do_not_grow(
    client, oak, oak_year, bob, coachees, django_assert_max_num_queries
):
    for n in range(coachees):
        coachee = UserFactory()
        MembershipFactory(user=coachee, school=oak)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=coachee)
        make_slot(pair, bob, starts_on=dt.date(2026, 9, 7), start_time=dt.time(9 + n, 0))
    feed = CalendarFeed.objects.create(user=bob)
    # the feed joined to its person (1); the feed's count and newest change for its ETag (1);
    # sessions joined to coach and coachee (1)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
    assert len(parse(response.content).events) >= 30 * coachees


def test_a_poll_with_the_feeds_etag_gets_304_without_the_feed(
    client, pairing, bob, drop_in, django_assert_max_num_queries
):
    feed = CalendarFeed.objects.create(user=bob)
    url = reverse("scheduling:calendar-feed", args=[feed.token])
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Last-Modified"]
    # the feed and its person (1); the feed's count and newest change (1); nothing else
    with django_assert_max_num_queries(2):
        again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_change_to_a_session_in_the_feed_changes_its_etag(client, bob, alice, drop_in):
    feed = CalendarFeed.objects.create(user=bob)
    url = reverse("scheduling:calendar-feed", args=[feed.token])
    etag = client.get(url)["ETag"]
    scheduling.session_assign_cover(session=drop_in, by=bob, coach=bob)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert str(drop_in.uid) in changed.content.decode()


def test_the_etag_changes_with_the_day_as_the_window_moves(client, bob, drop_in, time_machine):
    feed = CalendarFeed.objects.create(user=bob)
    url = reverse("scheduling:calendar-feed", args=[feed.token])
    etag = client.get(url)["ETag"]
    time_machine.shift(dt.timedelta(days=1))
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


# The time zone, read back by two parsers ----------------------------------------------------


def _vtimezone_text(body: bytes) -> str:
    text = unfolded(body)
    return text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE") + len("END:VTIMEZONE")]


# Summer time begins at 01:00 UTC on the last Sunday in March and ends at 01:00 UTC on the last
# Sunday in October: (a moment in UTC, London's clock then).
CLOCK_CHANGES = [
    (dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC), dt.datetime(2027, 3, 28, 0, 59)),
    (dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC), dt.datetime(2027, 3, 28, 2, 0)),
    (dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC), dt.datetime(2027, 3, 28, 2, 30)),
    (dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 1, 30)),
    (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 1, 30)),
    (dt.datetime(2027, 7, 1, 12, 0, tzinfo=dt.UTC), dt.datetime(2027, 7, 1, 13, 0)),
]


@pytest.fixture
def year_feed(alice, bob, pairing) -> bytes:
    """A year of weekly drop-ins, across both clock changes."""
    make_slot(pairing, bob, starts_on=dt.date(2026, 9, 7), ends_on=dt.date(2027, 7, 16))
    return build_calendar(alice)


def test_summer_time_starts_at_one_in_the_morning_london_time(year_feed):
    text = _vtimezone_text(year_feed)
    assert "DTSTART:20260329T010000" in text  # 01:00 GMT, the local time before the change
    assert "RDATE:20270328T010000" in text
    assert "DTSTART:20261025T020000" in text  # 02:00 BST, the local time before the change
    assert "RDATE:20271031T020000" in text
    assert "T020000\r\nTZNAME:BST" not in text


def test_icalendar_reads_the_time_zone_as_london(year_feed):
    [zone] = parse(year_feed).timezones
    london = zone.to_tz(lookup_tzid=False)  # from the VTIMEZONE itself, not the zone database
    for moment, clock in CLOCK_CHANGES:
        assert moment.astimezone(london).replace(tzinfo=None) == clock, moment


def test_dateutil_reads_the_time_zone_as_london(year_feed):
    london = tz.tzical(io.StringIO(_vtimezone_text(year_feed))).get(LONDON)
    for moment, clock in CLOCK_CHANGES:
        assert moment.astimezone(london).replace(tzinfo=None) == clock, moment


def test_sessions_at_the_same_minute_are_in_time_order_then_a_stable_order(alice, bob, pairing):
    """A 30-minute meeting and a 15-minute drop-in both at 10:00: the one that ends first comes
    first, whichever was timetabled first, and every build gives the same order."""
    week = {"starts_on": dt.date(2026, 10, 5), "ends_on": dt.date(2026, 10, 9)}
    make_slot(pairing, bob, kind="meeting", **week)
    make_slot(pairing, bob, override="The meeting straight after the drop-in", **week)
    kinds = [str(event["SUMMARY"]).split()[0] for event in feed_of(bob).events]
    assert kinds == ["Drop-in:", "Feedback"]
    assert build_calendar(bob) == build_calendar(bob)


# The hand-written feed against icalendar's own writer ---------------------------------------


def icalendar_feed(user) -> bytes:
    """The feed as icalendar's object model writes it: how the feed was built before it was
    written by hand, kept as the reference for escaping, folding and the times."""
    zone = ZoneInfo(settings.TIME_ZONE)
    name = f"Coachroom – {user.full_name}"
    hour = dt.timedelta(hours=1)
    cal = Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", ical.PRODID)
    cal.add("DESCRIPTION", ical.DESCRIPTION)
    # icalendar writes these three unescaped, unless told they are TEXT, which they are
    cal.add("X-WR-CALDESC", vText(ical.DESCRIPTION))
    cal.add("NAME", vText(name))
    cal.add("X-WR-CALNAME", vText(name))
    cal.add("REFRESH-INTERVAL", vDuration(hour), parameters={"VALUE": "DURATION"})
    cal.add("UID", f"calendar-{user.pk}@coachroom")
    cal.add("X-PUBLISHED-TTL", vDuration(hour))
    cal.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    events = []
    for session in ical.feed_sessions(user):
        cancelled = session.status in ical.CANCELLED
        coachee = session.relationship.coachee.full_name
        if session.coach_id == user.pk:
            summary = f"{session.get_kind_display()}: {coachee}"
            if session.coach_id != session.relationship.coach_id:
                summary = f"Cover – {summary}"
        else:
            summary = f"{session.get_kind_display()} with {session.coach.full_name}"
        if cancelled:
            summary = f"{summary} ({ical.CANCELLED[session.status]})"
        events.append(
            Event.new(
                uid=f"{session.uid}@coachroom",
                sequence=session.sequence,
                stamp=session.updated_at,
                last_modified=session.updated_at,
                start=timezone.localtime(session.starts_at, zone),
                end=timezone.localtime(session.ends_at, zone),
                summary=summary,
                location=", ".join(p for p in (session.room, session.period) if p) or None,
                status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
                transparency=TRANSP.TRANSPARENT if cancelled else TRANSP.OPAQUE,
            )
        )
    for event in events:
        cal.add_component(event)
    if events and settings.TIME_ZONE in cal.get_missing_tzids():
        first, last = min(e.start for e in events), max(e.end for e in events)
        cal.subcomponents.insert(
            0, ical.vtimezone(zone, dt.date(first.year, 1, 1), dt.date(last.year + 1, 1, 1))
        )
    return cal.to_ical()


# Names and rooms that need escaping or folding: commas, semicolons, backslashes, line breaks,
# two-, three- and four-byte characters, and long runs that put each of them across a fold.
AWKWARD_NAMES = [
    ("Smith, Jr.", "O'Neil; Head of Year"),
    ("Back\\slash", "Ends with a backslash\\"),
    ("Two\nLines", "Carriage\r\nReturn\rAlone"),
    ("Zoë", "Ó Súilleabháin-Åström"),
    ("Łukasz", "Grzegorz Brzęczyszczykiewicz-Chrząszczyrzewoszycka"),
    ("名前", "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂"),
    *[("x" * n, "é" * 30 + ",;\\,;" + "€" * 10) for n in range(6)],
    *[("y" * n, "a" * 40 + "\\" * 9 + ",") for n in range(4)],
]
AWKWARD_ROOMS = ["Hall, upstairs; left", "Lab\\3", "Room\n12", "Salle 5 – ÉPS " + "ü" * 40]


@pytest.fixture
def awkward_feed(oak, oak_year, bob, carol, lead):
    """bob (renamed awkwardly) coaches a teacher of each awkward name, one session each, some
    of them moved, cancelled, missed or covered by carol."""
    bob.first_name, bob.last_name = "Bob; the, \\coach", "Ñandú " + "ß" * 40
    bob.save()
    sessions = []
    for n, (first, last) in enumerate(AWKWARD_NAMES):
        teacher = UserFactory(first_name=first, last_name=last)
        MembershipFactory(user=teacher, school=oak)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=teacher)
        slot = make_slot(
            pair,
            bob,
            starts_on=dt.date(2026, 10, 5),
            ends_on=dt.date(2026, 10, 9),
            start_time=dt.time(8 + n // 3, 20 * (n % 3)),
        )
        session = slot.sessions.get()
        SessionOccurrence.objects.filter(pk=session.pk).update(
            room=AWKWARD_ROOMS[n % len(AWKWARD_ROOMS)][:60], period=["", "P1, P2"][n % 2]
        )
        sessions.append(session)
    scheduling.session_cancel(session=sessions[0], by=bob, reason="closure")
    scheduling.session_mark_missed(session=sessions[1], by=bob, reason="trip")
    scheduling.session_assign_cover(session=sessions[2], by=lead, coach=carol)
    scheduling.session_reschedule(
        session=sessions[3],
        by=bob,
        starts_at=dt.datetime(2027, 5, 5, 11, 0, tzinfo=timezone.get_current_timezone()),
    )
    return sessions


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    assert not any(b"\r" in line or b"\n" in line for line in lines)  # only CRLF line ends
    return lines


@pytest.mark.parametrize("zone", ["Europe/London", "UTC", "America/New_York"])
def test_the_feed_is_byte_for_byte_what_icalendar_writes(settings, awkward_feed, bob, zone):
    settings.TIME_ZONE = zone
    teachers = [session.relationship.coachee for session in awkward_feed]
    for person in (bob, *teachers[:6]):
        assert build_calendar(person) == icalendar_feed(person), person


def test_awkward_names_and_rooms_read_back_as_written(awkward_feed, bob):
    body = build_calendar(bob)
    for line in physical_lines(body):
        assert len(line) <= 75  # RFC 5545 §3.1, the continuation's space included
        line.decode("utf-8")  # a fold never splits a character's bytes
    events = {str(event["UID"]): event for event in parse(body).events}
    # the moved session and its new time; not the one carol covers
    assert len(events) == len(AWKWARD_NAMES) - 1 + 1
    for session in awkward_feed:
        session.refresh_from_db()
        if session.coach != bob:
            continue
        event = events[f"{session.uid}@coachroom"]
        name = session.relationship.coachee.full_name
        # icalendar reads a line break back as "\n", as RFC 5545 has it
        summary = str(event["SUMMARY"])
        assert name.replace("\r\n", "\n").replace("\r", "\n") in summary
        location = ", ".join(p for p in (session.room, session.period) if p)
        assert str(event["LOCATION"]) == location.replace("\r\n", "\n").replace("\r", "\n")
    # icalendar reads the calendar's name without unescaping it: here is what was written
    name = "Coachroom – Bob\\; the\\, \\\\coach Ñandú " + "ß" * 40
    assert f"\r\nNAME:{name}\r\nX-WR-CALNAME:{name}\r\n" in unfolded(body)


def test_summaries_say_what_happened_to_the_session(awkward_feed, bob, carol):
    cancelled, missed, covered, moved = awkward_feed[:4]
    events = events_by_uid(feed_of(bob))
    assert str(events[f"{cancelled.uid}@coachroom"]["SUMMARY"]).endswith("(cancelled)")
    assert str(events[f"{missed.uid}@coachroom"]["SUMMARY"]).endswith("(did not take place)")
    assert f"{covered.uid}@coachroom" not in events
    assert str(events[f"{moved.uid}@coachroom"]["SUMMARY"]).endswith("(moved)")
    assert str(events[f"{moved.uid}@coachroom"]["STATUS"]) == "CANCELLED"
    assert str(events[f"{moved.uid}@coachroom"]["TRANSP"]) == "TRANSPARENT"
    cover = the_event(carol, covered)
    assert str(cover["SUMMARY"]) == "Cover – Drop-in: Two\nLines Carriage\nReturn\nAlone"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a,b;c\\d", "a\\,b\\;c\\\\d"),
        ("one\ntwo\r\nthree\rfour", "one\\ntwo\\nthree\\nfour"),
        ("\\N stays a backslash and an N", "\\\\N stays a backslash and an N"),
        ("Zoë – 🙂", "Zoë – 🙂"),
    ],
)
def test_text_values_are_escaped_as_rfc_5545_says(text, escaped):
    assert ical.escape_text(text) == escaped


def test_long_lines_fold_before_75_octets_and_never_inside_a_character_or_an_escape():
    line = ical.text_line("SUMMARY", "€" * 30 + "a\\b" * 20)
    physical = line.encode().split(b"\r\n")[:-1]
    assert len(physical) > 2
    assert all(len(part) <= 75 for part in physical)
    assert all(part.startswith(b" ") for part in physical[1:])
    assert not any(part.endswith(b"\\") for part in physical)
    assert b"".join(part.removeprefix(b" ") for part in physical).decode() == (
        "SUMMARY:" + "€" * 30 + "a\\\\b" * 20
    )
    assert ical.fold("SHORT:" + "x" * 68) == "SHORT:" + "x" * 68  # 74 octets: one line


def test_a_plain_get_and_a_poll_agree_on_the_etag(client, bob, drop_in):
    """The plain GET works its ETag out from the rows it writes, a poll from one aggregate."""
    feed = CalendarFeed.objects.create(user=bob)
    url = reverse("scheduling:calendar-feed", args=[feed.token])
    built = ical.render_feed(bob)
    assert (built.etag, built.last_modified) == ical.feed_version(bob)
    first = client.get(url)
    assert first["ETag"] == f'"{built.etag}"'
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    stale = client.get(url, headers={"if-none-match": '"an-older-version"'})
    assert stale.status_code == 200
    assert stale["ETag"] == first["ETag"]
    assert stale.content == first.content


def test_an_empty_feed_has_no_time_zone_and_the_etag_of_an_empty_feed(bob):
    built = ical.render_feed(bob)
    assert b"BEGIN:VEVENT" not in built.body
    assert b"VTIMEZONE" not in built.body
    assert built.body == icalendar_feed(bob)
    assert (built.etag, built.last_modified) == ical.feed_version(bob)
