"""The clock: every test starts on one school day, and the key paths work all year round.

tests/conftest.py pins every test to `TEST_NOW`, a Wednesday in the autumn term of the cast's
2026–27 year, so the suite gives the same answers whatever the machine's date. The class below
travels further: it runs the key paths of a coaching year on four days of that year (the first
teaching day, the Christmas holiday, the last week of the summer term, and August after the year
has ended) against figures counted by hand from Oak's calendar:

- Autumn 1: 7 Sep–23 Oct 2026 (INSET 7 and 8 Sep); Autumn 2: 2 Nov–18 Dec;
- Spring 1: 4 Jan–12 Feb 2027; Spring 2: 22 Feb–19 Mar; Summer 1: 5 Apr–28 May (bank holiday
  3 May); Summer 2: 7 Jun–16 Jul 2027, the year's last day.

bob's weekly drop-in with alice is on Wednesdays at 10:00 from the start of the year: 7 + 7 in
the autumn, 6 + 4 in the spring, 8 + 6 in the summer, 38 in all.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from coachroom.accounts.services import academic_year_create
from coachroom.coaching import meetings, services
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Observation, StepState
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import CalendarFeed, SessionOccurrence
from tests.cast import LONDON, TEST_NOW
from tests.factories import make_step

NOTES = "Pupils settled within a minute of the bell."  # a drop-in needs words or step evidence


def _today_in_another_thread() -> dt.date:
    seen: list[dt.date] = []
    thread = threading.Thread(target=lambda: seen.append(timezone.localdate()))
    thread.start()
    thread.join()
    return seen[0]


def test_every_test_starts_on_the_pinned_school_day():
    assert timezone.localdate() == dt.date(2026, 11, 4)
    assert timezone.now() - TEST_NOW < dt.timedelta(minutes=5)  # the clock ticks on from there


def test_the_pinned_clock_reaches_other_threads_such_as_the_live_server():
    assert _today_in_another_thread() == dt.date(2026, 11, 4)


def test_a_test_can_travel_elsewhere_and_come_back():
    with time_machine.travel(dt.datetime(2027, 8, 1, 9, tzinfo=LONDON), tick=False):
        assert timezone.localdate() == dt.date(2027, 8, 1)
    assert timezone.localdate() == dt.date(2026, 11, 4)


@pytest.mark.time_machine(dt.datetime(2027, 3, 1, 9, tzinfo=LONDON), tick=False)
def test_a_test_marked_with_its_own_time_keeps_it():
    assert timezone.localdate() == dt.date(2027, 3, 1)


@dataclass(frozen=True)
class Day:
    at: dt.datetime
    school_day: bool
    stick_check_due: dt.date  # six school weeks (30 school days) after today
    drop_ins_due: int  # Wednesday drop-ins before today
    in_feed: int  # sessions in the calendar feed: from four weeks ago onwards

    @property
    def date(self) -> dt.date:
        return self.at.date()


DAYS = {
    # The first teaching day; six school weeks on is before the October half-term.
    "first-teaching-day": Day(
        dt.datetime(2026, 9, 9, 12, tzinfo=LONDON), True, dt.date(2026, 10, 21), 0, 38
    ),
    # The Christmas holiday: the count starts with the spring term, not on 22 December (plain
    # weekdays would give Monday 1 February).
    "christmas-holiday": Day(
        dt.datetime(2026, 12, 21, 12, tzinfo=LONDON), False, dt.date(2027, 2, 12), 14, 28
    ),
    # Two school days left, then, past the year's last term, the default English 2027–28
    # terms stand in: the count skips the summer holiday and goes on from September.
    "last-week-of-summer-term": Day(
        dt.datetime(2027, 7, 14, 12, tzinfo=LONDON), True, dt.date(2027, 10, 15), 37, 4
    ),
    # After the year's last day, with no 2027–28 year set up yet: the default terms again.
    "august-after-the-year": Day(
        dt.datetime(2027, 8, 2, 12, tzinfo=LONDON), False, dt.date(2027, 10, 19), 38, 2
    ),
}


@pytest.fixture
def weekly_drop_ins(pairing, bob):
    return scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 9, 7),
    )


def _meeting_form(**overrides: str) -> dict[str, str]:
    return {
        "praise": "Everyone started the recap within a minute of the bell.",
        "decision": "new",
        "new_title": "Stop, scan, say",
        "new_criteria": "Stops mid-sentence\nSweeps the room",
        "round_1_attempt": "Introduced the key point with a pause",
        "round_1_feedback": "Hold the pause a second longer",
        "next_drop_in": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        **overrides,
    }


class TestKeyPathsThroughTheYear:
    @pytest.fixture(autouse=True, params=list(DAYS.values()), ids=list(DAYS))
    def day(self, request):
        """Travels before the cast is made, so the cast is made on this day too."""
        with time_machine.travel(request.param.at, tick=True):
            yield request.param

    def test_the_cast_belongs_to_the_year_that_has_begun(self, day, oak, oak_year, pairing):
        assert timezone.localdate() == day.date
        assert _today_in_another_thread() == day.date
        assert oak.current_year() == oak_year
        assert oak_year.name == "2026–27"
        assert pairing.is_current
        assert oak_year.is_school_day(day.date) is day.school_day

    def test_coach_home(self, client, bob, pairing, weekly_drop_ins):
        client.force_login(bob)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert b"Your coachees" in response.content
        assert b"Alice Example" in response.content

    def test_a_drop_in_secures_the_step_then_a_meeting_sets_the_next(
        self, client, day, bob, alice, pairing
    ):
        step = make_step(pairing, state=StepState.PRACTISING, streak=1)  # Oak secures at 2
        client.force_login(bob)
        started = client.post(reverse("coaching:drop-in-start", args=[pairing.pk]))
        assert started.status_code == 302
        observation = Observation.objects.get(relationship=pairing)
        submitted = client.post(
            started["Location"],
            {
                "observed_at": f"{day.date.isoformat()}T11:00",
                "went_well": "Calm, quick start",
                f"step_{step.pk}": "seen",
            },
        )
        assert submitted.status_code == 302
        step.refresh_from_db()
        assert step.state == StepState.SECURED
        assert timezone.localdate(step.secured_at) == day.date
        assert step.stick_check_due == day.stick_check_due

        held = client.post(
            reverse("coaching:meeting-new", args=[pairing.pk]),
            _meeting_form(observations=str(observation.pk)),
        )
        assert held.status_code == 302
        meeting = FeedbackMeeting.objects.get(relationship=pairing)
        assert timezone.localdate(meeting.held_at) == day.date
        assert meeting.step.title == "Stop, scan, say"
        assert ActionStep.objects.get(pk=step.pk).state == StepState.SECURED

    def test_timeline_shows_todays_drop_in_and_meeting(self, client, bob, alice, pairing):
        observation = services.observation_start(relationship=pairing, by=bob)
        services.observation_submit(observation=observation, by=bob, ratings={}, notes=NOTES)
        meetings.meeting_record(
            relationship=pairing,
            by=bob,
            praise="Clear instructions",
            decision=FeedbackMeeting.Decision.NEW,
            rounds=[("Tried the pause", "Longer")],
            observations=[observation],
            new_step=services.StepDraft(title="Stop, scan, say", criteria="Stops\nScans"),
        )
        client.force_login(alice)
        response = client.get(reverse("coaching:timeline", args=[alice.pk]))
        assert response.status_code == 200
        assert response.context["year"].name == "2026–27"
        kinds = {item.kind for item in response.context["items"]}
        assert kinds == {"drop-in", "meeting", "step"}
        assert b"Stop, scan, say" in response.content

    def test_completion_counts_the_drop_ins_due_so_far(self, client, day, lead, weekly_drop_ins):
        client.force_login(lead)
        response = client.get(reverse("reporting:completion"))
        assert response.status_code == 200
        filters = response.context["filters"]
        assert (filters.start, filters.end) == (dt.date(2026, 9, 7), day.date)
        totals = response.context["report"].totals
        assert totals.drop_ins_planned == day.drop_ins_due
        assert totals.held == 0

    def test_calendar_feed_holds_the_school_days_from_four_weeks_ago(
        self, client, day, alice, oak_year, weekly_drop_ins
    ):
        assert SessionOccurrence.objects.filter(slot=weekly_drop_ins).count() == 38
        feed = CalendarFeed.objects.create(user=alice)
        response = client.get(reverse("scheduling:calendar-feed", args=[feed.token]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        starts = [event.decoded("DTSTART") for event in Calendar.from_ical(response.content).events]
        assert len(starts) == day.in_feed
        assert all(oak_year.is_school_day(timezone.localdate(start)) for start in starts)
        assert all(start >= day.at - dt.timedelta(weeks=4) for start in starts)


def test_a_drop_in_in_the_summer_holiday_shows_in_the_year_just_ended(
    client, oak, oak_year, bob, alice, pairing
):
    """Each year's timeline runs until the next year starts, so nothing falls between them."""
    next_year = academic_year_create(school=oak, by=None, start_year=2027)
    holiday = services.observation_start(relationship=pairing, by=bob)
    services.observation_submit(observation=holiday, by=bob, ratings={}, notes=NOTES)
    Observation.objects.filter(pk=holiday.pk).update(
        observed_at=dt.datetime(2027, 7, 20, 11, tzinfo=LONDON)  # after the year's 16 July
    )
    with time_machine.travel(dt.datetime(2027, 9, 10, 9, tzinfo=LONDON), tick=False):
        client.force_login(alice)
        ended = client.get(reverse("coaching:timeline", args=[alice.pk]), {"year": oak_year.pk})
        current = client.get(reverse("coaching:timeline", args=[alice.pk]))
    assert current.context["year"] == next_year
    assert [item.pk for item in ended.context["items"] if item.kind == "drop-in"] == [holiday.pk]
    assert not [item for item in current.context["items"] if item.kind == "drop-in"]
