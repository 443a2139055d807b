"""Clashes: nobody is double-booked, in either role, unless someone says why."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.core.errors import ClashError
from coachroom.scheduling import services as scheduling
from coachroom.scheduling import timetable
from coachroom.scheduling.clashes import overlaps, times_near
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from tests.factories import RelationshipFactory

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=LONDON)  # a Monday in term
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def _slot(pair, by, *, start=dt.time(10, 0), weekday=2, kind="drop_in", **more):
    return scheduling.slot_create(
        relationship=pair,
        by=by,
        kind=kind,
        weekday=weekday,
        start_time=start,
        starts_on=dt.date(2026, 11, 23),
        **more,
    )


@pytest.fixture
def second_pair(oak, oak_year, bob, carol):
    """bob also coaches carol."""
    return RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=carol)


@pytest.fixture
def bob_coached(oak, oak_year, bob, lead):
    """bob is coached by the lead: a coach is often coached too."""
    return RelationshipFactory(school=oak, academic_year=oak_year, coach=lead, coachee=bob)


def test_overlap_is_half_open():
    nine, ten, eleven = (_at(dt.date(2026, 12, 2), h) for h in (9, 10, 11))
    assert overlaps((nine, ten), (_at(dt.date(2026, 12, 2), 9, 45), eleven))
    assert not overlaps((nine, ten), (ten, eleven))


def test_free_times_are_tried_nearest_first():
    near = times_near(dt.time(10, 0), 15)
    assert near[:3] == [dt.time(10, 0), dt.time(10, 5), dt.time(9, 55)]
    assert max(near) == dt.time(17, 15)  # a 15-minute session still ends by 17:30


def test_a_slot_clashing_with_the_coachs_other_pair_plans_nothing(pairing, second_pair, bob):
    _slot(pairing, bob)
    with pytest.raises(ClashError) as caught:
        _slot(second_pair, bob, start=dt.time(10, 10))
    assert not ScheduledSlot.objects.filter(relationship=second_pair).exists()
    first = caught.value.clashes[0]
    assert first.person == bob and first.role == "coach"
    assert (
        "Bob Example is already leading a drop-in with Alice Example on Wednesday 25 November"
        in str(first)
    )
    assert (
        len(caught.value.clashes)
        == SessionOccurrence.objects.filter(slot__relationship=pairing).count()
    )


def test_a_slot_clashing_with_the_coach_being_coached_is_caught(pairing, bob_coached, bob, lead):
    _slot(bob_coached, lead, start=dt.time(9, 50))
    with pytest.raises(ClashError) as caught:
        _slot(pairing, bob)
    assert {(c.person, c.role) for c in caught.value.clashes} == {(bob, "coachee")}
    assert "being coached (drop-in with Lead Example)" in str(caught.value.clashes[0])


def test_back_to_back_sessions_do_not_clash(pairing, second_pair, bob):
    _slot(pairing, bob)
    _slot(second_pair, bob, start=dt.time(10, 15))
    assert ScheduledSlot.objects.filter(relationship=second_pair).exists()


def test_override_needs_a_reason_and_is_kept_and_audited(pairing, second_pair, bob):
    _slot(pairing, bob)
    with pytest.raises(ClashError):
        _slot(second_pair, bob, override_reason="   ")
    slot = _slot(second_pair, bob, override_reason="Joint drop-in: both teach the same class")
    assert slot.clash_override_reason == "Joint drop-in: both teach the same class"
    assert slot.sessions.count() > 0
    event = AuditEvent.objects.filter(action="programme.slot.created").latest("pk")
    assert event.data["override_reason"] == "Joint drop-in: both teach the same class"
    assert event.data["clashes"] == slot.sessions.count()


def test_a_team_with_clashes_plans_none_and_names_each_pair(pairing, second_pair, bob, lead):
    fields = {"kind": "drop_in", "weekday": 1, "start_time": dt.time(11, 0)}
    with pytest.raises(ClashError) as caught:
        scheduling.slots_create_for_team(
            relationships=[pairing, second_pair], by=lead, starts_on=dt.date(2026, 11, 23), **fields
        )
    assert not ScheduledSlot.objects.exists()
    assert {c.pair_label for c in caught.value.clashes} == {"Bob Example → Carol Example"}
    created, skipped = scheduling.slots_create_for_team(
        relationships=[pairing, second_pair],
        by=lead,
        starts_on=dt.date(2026, 11, 23),
        override_reason="Team teaching: one visit sees both",
        **fields,
    )
    assert len(created) == 2 and skipped == []
    reasons = {s.relationship_id: s.clash_override_reason for s in created}
    assert reasons == {pairing.pk: "", second_pair.pk: "Team teaching: one visit sees both"}


def test_moving_a_series_onto_another_slot_is_refused(pairing, second_pair, bob):
    _slot(pairing, bob)
    other = _slot(second_pair, bob, start=dt.time(14, 0))
    with pytest.raises(ClashError):
        scheduling.slot_move_series(
            slot=other,
            by=bob,
            weekday=2,
            start_time=dt.time(10, 5),
            from_date=dt.date(2026, 11, 23),
            room="",
            period="",
            minutes=15,
        )
    other.refresh_from_db()
    assert other.start_time == dt.time(14, 0)
    # moving a slot onto its own old time is no clash with itself
    moved = scheduling.slot_move_series(
        slot=other,
        by=bob,
        weekday=2,
        start_time=dt.time(14, 5),
        from_date=dt.date(2026, 11, 23),
        room="",
        period="",
        minutes=15,
    )
    assert moved > 0


def test_one_session_moved_or_covered_into_a_clash_is_refused(pairing, second_pair, bob, lead):
    _slot(pairing, bob)
    other = _slot(second_pair, bob, start=dt.time(14, 0))
    session = other.sessions.order_by("starts_at").first()
    with pytest.raises(ClashError):
        scheduling.session_reschedule(
            session=session, by=bob, starts_at=_at(dt.date(2026, 11, 25), 10, 10)
        )
    assert SessionOccurrence.objects.get(pk=session.pk).status == "planned"
    lead_pair = RelationshipFactory(
        school=pairing.school, academic_year=pairing.academic_year, coach=lead
    )
    _slot(lead_pair, lead, start=dt.time(14, 0))
    with pytest.raises(ClashError):
        scheduling.session_assign_cover(session=session, by=lead, coach=lead)
    covered = scheduling.session_assign_cover(
        session=session, by=lead, coach=lead, override_reason="Filming both back to back"
    )
    assert covered.coach == lead and covered.clash_override_reason == "Filming both back to back"


def test_free_slot_times_keep_the_day_and_take_the_nearest_time(pairing, second_pair, bob):
    _slot(pairing, bob)
    proposed = timetable.unsaved_slot(
        second_pair,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 5),
        starts_on=dt.date(2026, 11, 23),
    )
    options = timetable.free_slot_times(proposed, from_date=dt.date(2026, 11, 23))
    assert options[0] == (2, dt.time(10, 15))
    assert [day for day, _ in options] == [2, 1, 3]


# The pages -------------------------------------------------------------------------------------


def test_the_slot_form_shows_clashes_and_offers_free_times(client, pairing, second_pair, bob):
    _slot(pairing, bob)
    client.force_login(bob)
    url = reverse("scheduling:pair-slots", args=[second_pair.pk])
    form = {"kind": "drop_in", "weekday": "2", "start_time": "10:00", "starts_on": "2026-11-23"}
    page = client.post(url, form)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clashes: nothing is booked yet" in html
    assert "Bob Example is already leading a drop-in with Alice Example" in html
    assert 'value="2|10:15"' in html  # find a free time
    assert not ScheduledSlot.objects.filter(relationship=second_pair).exists()
    response = client.post(url, {**form, "use_option": "2|10:15"})
    assert response.status_code == 302
    slot = ScheduledSlot.objects.get(relationship=second_pair)
    assert (slot.weekday, slot.start_time, slot.clash_override_reason) == (2, dt.time(10, 15), "")


def test_the_slot_form_override_needs_a_reason(client, pairing, second_pair, bob):
    _slot(pairing, bob)
    client.force_login(bob)
    url = reverse("scheduling:pair-slots", args=[second_pair.pk])
    form = {"kind": "drop_in", "weekday": "2", "start_time": "10:00", "starts_on": "2026-11-23"}
    page = client.post(url, {**form, "clash_override": "on"})
    assert "Say why it must be this time." in page.content.decode()
    assert not ScheduledSlot.objects.filter(relationship=second_pair).exists()
    client.post(url, {**form, "clash_override": "on", "clash_override_reason": "Shared class"})
    assert (
        ScheduledSlot.objects.get(relationship=second_pair).clash_override_reason == "Shared class"
    )


def test_the_team_form_reports_clashes_per_pair(client, pairing, second_pair, lead):
    client.force_login(lead)
    page = client.post(
        reverse("scheduling:team-schedule"),
        {
            "pairs": [pairing.pk, second_pair.pk],
            "kind": "drop_in",
            "weekday": "1",
            "start_time": "11:00",
            "starts_on": "2026-11-23",
        },
    )
    html = page.content.decode()
    assert "Bob Example → Carol Example</strong>: Bob Example is already in this set-up" in html
    assert not ScheduledSlot.objects.exists()


def test_moving_one_session_shows_clashes_and_free_times(client, pairing, second_pair, bob):
    _slot(pairing, bob)
    session = _slot(second_pair, bob, start=dt.time(14, 0)).sessions.order_by("starts_at").first()
    client.force_login(bob)
    url = reverse("scheduling:session-reschedule", args=[session.pk])
    page = client.post(url, {"on": "2026-11-25", "at": "10:00", "room": ""})
    html = page.content.decode()
    assert "Clashes: nothing is booked yet" in html and 'value="2026-11-25T10:15"' in html
    response = client.post(
        url, {"on": "2026-11-25", "at": "10:00", "use_option": "2026-11-25T10:15"}
    )
    session.refresh_from_db()
    assert response.status_code == 302
    assert session.rescheduled_to.starts_at == _at(dt.date(2026, 11, 25), 10, 15)


def test_the_one_tap_move_skips_a_day_that_would_clash(client, pairing, bob):
    slot = _slot(pairing, bob)
    session = slot.sessions.order_by("starts_at").first()  # Wednesday 25 November
    client.force_login(bob)
    page = client.get(session.get_absolute_url())
    # a week on is the slot's own next session: the suggestion is the day after
    assert page.context["suggested"] == _at(dt.date(2026, 12, 3), 10, 0)
