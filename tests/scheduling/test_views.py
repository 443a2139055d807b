from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from tests.factories import RelationshipFactory

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=LONDON)
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _slot(pairing, bob, **fields):
    return scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind=fields.pop("kind", "drop_in"),
        weekday=fields.pop("weekday", 2),
        start_time=fields.pop("start_time", dt.time(10, 0)),
        starts_on=dt.date(2026, 9, 7),
        **fields,
    )


def _next(slot):
    return SessionOccurrence.objects.filter(slot=slot, starts_at__gte=NOW).first()


def test_lead_sets_up_slots_for_the_team(client, lead, pairing, oak, oak_year, carol):
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    client.force_login(lead)
    response = client.post(
        reverse("scheduling:team-schedule"),
        {
            "pairs": [pairing.pk, other.pk],
            "kind": "drop_in",
            "weekday": "1",
            "start_time": "10:40",
            "period": "Period 3",
            "starts_on": "2026-11-23",
        },
        follow=True,
    )
    assert b"2 slots set up" in response.content
    assert ScheduledSlot.objects.filter(period="Period 3").count() == 2
    assert b"Period 3" in response.content


def test_team_set_up_needs_pairs_and_a_time(client, lead, pairing):
    client.force_login(lead)
    response = client.post(reverse("scheduling:team-schedule"), {"kind": "drop_in"})
    assert b"Choose at least one coaching pair." in response.content
    assert not ScheduledSlot.objects.exists()


def test_coach_adds_a_meeting_slot_for_their_pair(client, bob, pairing):
    client.force_login(bob)
    response = client.post(
        reverse("scheduling:pair-slots", args=[pairing.pk]),
        {"kind": "meeting", "weekday": "3", "start_time": "15:30", "starts_on": "2026-11-23"},
    )
    assert response.status_code == 302
    slot = ScheduledSlot.objects.get(kind="meeting")
    assert slot.minutes == 30 and slot.cadence == pairing.cadence


def test_a_second_slot_of_the_same_kind_is_refused_with_a_message(client, bob, pairing):
    _slot(pairing, bob)
    client.force_login(bob)
    response = client.post(
        reverse("scheduling:pair-slots", args=[pairing.pk]),
        {"kind": "drop_in", "weekday": "1", "start_time": "09:00", "starts_on": "2026-11-23"},
    )
    assert b"already has a drop-in slot" in response.content


def test_moving_a_series_from_the_form(client, lead, bob, pairing):
    slot = _slot(pairing, bob)
    client.force_login(lead)
    response = client.post(
        reverse("scheduling:slot-move", args=[slot.pk]),
        {
            "weekday": "4",
            "start_time": "11:00",
            "minutes": "15",
            "from_date": "2026-11-23",
            "room": "Library",
        },
        follow=True,
    )
    assert b"planned sessions moved" in response.content
    assert _next(slot).starts_at.astimezone(LONDON).weekday() == 4


def test_removing_a_slot_needs_confirmation(client, bob, pairing):
    slot = _slot(pairing, bob)
    client.force_login(bob)
    assert (
        b"Remove this drop-in slot?"
        in client.get(reverse("scheduling:slot-end", args=[slot.pk])).content
    )
    client.post(reverse("scheduling:slot-end", args=[slot.pk]))
    slot.refresh_from_db()
    assert not slot.is_active


def test_week_shows_sessions_and_what_is_overdue(client, bob, pairing):
    slot = _slot(pairing, bob)
    client.force_login(bob)
    response = client.get(reverse("scheduling:week"))
    days = response.context["days"]
    assert next(d for d, _ in days) == dt.date(2026, 11, 23)
    assert len(days[2][1]) == 1  # Wednesday's drop-in
    assert (
        len(response.context["overdue"])
        == SessionOccurrence.objects.filter(slot=slot, starts_at__lt=NOW).count()
    )
    previous = client.get(reverse("scheduling:week"), {"week": "2026-11-16"})
    assert previous.context["monday"] == dt.date(2026, 11, 16)
    bad = client.get(reverse("scheduling:week"), {"week": "not-a-date"})
    assert bad.context["monday"] == dt.date(2026, 11, 23)


def test_week_says_which_sessions_you_lead_and_which_you_are_coached_in(
    client, bob, carol, lead, pairing, oak, oak_year
):
    coached = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=bob)
    _slot(pairing, lead)  # bob coaches alice on Wednesday at 10:00
    _slot(coached, lead, kind="meeting", start_time=dt.time(15, 30))  # carol coaches bob
    client.force_login(bob)
    page = client.get(reverse("scheduling:week")).content.decode()
    assert "The sessions you lead as a coach, covering included." not in page
    assert "the sessions you lead as a coach (covering included) and those in which you" in page
    wednesday = page[page.index("Wednesday 25 November") :]
    lead_row = wednesday[wednesday.index("10:00 Drop-in with Alice") :]
    assert "You lead this" in lead_row[: lead_row.index("</li>")]
    coached_row = wednesday[wednesday.index("15:30 Feedback meeting with your coach") :]
    assert "You are coached" in coached_row[: coached_row.index("</li>")]


@pytest.mark.parametrize("pairs", [1, 10])
def test_week_queries_do_not_grow(client, bob, oak, oak_year, pairs, django_assert_max_num_queries):
    for n in range(pairs):
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
        _slot(pair, bob, start_time=dt.time(8 + n, 0))
    client.force_login(bob)
    # session, user, memberships, the week's sessions, overdue sessions, and the session
    # save (an UPDATE inside a savepoint pair)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("scheduling:week"))
    assert sum(len(s) for _, s in response.context["days"]) == pairs


def test_one_tap_moves_a_session_to_the_same_time_next_week(client, bob, pairing):
    session = _next(_slot(pairing, bob))
    client.force_login(bob)
    page = client.get(session.get_absolute_url())
    suggested = page.context["suggested"]
    assert suggested.astimezone(LONDON).time() == dt.time(10, 0)
    response = client.post(
        reverse("scheduling:session-reschedule", args=[session.pk]),
        {"on": suggested.date().isoformat(), "at": "10:00", "room": ""},
    )
    session.refresh_from_db()
    assert session.status == "rescheduled"
    assert response["Location"] == session.rescheduled_to.get_absolute_url()


def test_missed_needs_a_note_for_other_and_can_rebook(client, bob, pairing):
    session = _next(_slot(pairing, bob))
    client.force_login(bob)
    url = reverse("scheduling:session-missed", args=[session.pk])
    response = client.post(url, {"reason": "other"})
    assert b"Add a short note" in response.content
    response = client.post(
        url, {"reason": "trip", "reschedule_on": "2026-12-01", "reschedule_at": "09:15"}
    )
    session.refresh_from_db()
    assert session.status == "missed" and session.reason == "trip"
    assert session.rescheduled_to.starts_at.astimezone(LONDON) == dt.datetime(
        2026, 12, 1, 9, 15, tzinfo=LONDON
    )


def test_cover_and_filmed(client, lead, bob, carol, pairing):
    session = _next(_slot(pairing, bob))
    client.force_login(lead)
    client.post(reverse("scheduling:session-cover", args=[session.pk]), {"coach": carol.pk})
    session.refresh_from_db()
    assert session.coach == carol
    client.force_login(carol)
    assert client.get(reverse("scheduling:week"), {"week": "2026-11-23"}).status_code == 200
    client.post(reverse("scheduling:session-held", args=[session.pk]), {"filmed": "on"})
    session.refresh_from_db()
    assert session.status == "done" and session.filmed


def test_teacher_sees_upcoming_sessions_but_cannot_change_them(client, alice, bob, pairing):
    session = _next(_slot(pairing, bob))
    client.force_login(alice)
    response = client.get(reverse("scheduling:upcoming"))
    assert session in response.context["sessions"]
    detail = client.get(session.get_absolute_url())
    assert detail.status_code == 200 and not detail.context["can_manage"]
    home = client.get(reverse("home"))
    assert session in home.context["my_sessions"]


def test_week_lists_the_first_twenty_overdue_sessions_in_time_order(
    client, bob, pairing, oak, oak_year
):
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
    _slot(pairing, bob)  # Wednesdays at 10:00
    _slot(other, bob, kind="meeting", start_time=dt.time(15, 30))
    _slot(other, bob, weekday=1, start_time=dt.time(11, 0))  # and Tuesdays
    past = SessionOccurrence.objects.filter(coach=bob, status="planned", starts_at__lt=NOW)
    assert past.count() > 20
    client.force_login(bob)
    overdue = client.get(reverse("scheduling:week")).context["overdue"]
    expected = list(past.order_by("starts_at", "minutes", "pk").values_list("pk", flat=True)[:20])
    assert [row.pk for row in overdue] == expected
    assert overdue[0].title.startswith("Drop-in with ")
    assert overdue[0].url == reverse("scheduling:session-detail", args=[expected[0]])
