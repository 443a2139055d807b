"""Time and entitlement, as counts: mentor meetings held against planned from the mentoring
pair's timetable, and hours off timetable recorded against those due (10% of the timetable in
year 1, 5% in year 2). The clock is pinned to Wednesday 4 November 2026."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.calendar import SchoolCalendar
from coachroom.induction import setup
from coachroom.induction.dates import plan_for
from coachroom.induction.entitlement import entitlements
from coachroom.induction.periods import plan_induction, time_off_due
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.html import visible_text

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(visible_text(response.content.decode()))


def test_time_off_due_is_ten_percent_in_year_one_and_five_in_year_two():
    calendar = SchoolCalendar([], [])
    plan = plan_induction(
        starts_on=dt.date(2026, 9, 7), fte=Fraction(1), absences=[], calendar=calendar
    )

    def due(until: dt.date) -> Fraction:
        return time_off_due(plan, weekly_hours=Decimal("20"), calendar=calendar, until=until)

    # 7 and 8 September are INSET days: three school days in the first week
    assert due(dt.date(2026, 9, 11)) == Fraction(6, 5)
    assert due(dt.date(2026, 9, 18)) - due(dt.date(2026, 9, 11)) == 2  # 10% of a 20-hour week
    later = dt.date(2027, 9, 13)  # a full school week in year 2
    assert due(later + dt.timedelta(days=4)) - due(later - dt.timedelta(days=1)) == 1


def test_mentor_meetings_held_against_planned(oak, induction, alice, bob):
    pair = alice.coached_by.get(kind="ecf")
    slot = scheduling.slot_create(
        relationship=pair,
        by=bob,
        kind="meeting",
        weekday=3,
        start_time=dt.time(15, 30),
        starts_on=dt.date(2026, 10, 1),
    )
    past = list(
        SessionOccurrence.objects.filter(slot=slot, starts_at__lt=timezone.now()).order_by(
            "starts_at"
        )
    )
    assert len(past) >= 3
    for session in past[:-1]:
        scheduling.session_mark_held(session=session, by=bob)
    counts = entitlements([induction], {induction.pk: plan_for(induction)}, oak)[induction.pk]
    assert (counts.meetings_held, counts.meetings_planned) == (len(past) - 1, len(past))


def test_recording_time_off_twice_for_a_week_keeps_one_figure(client, induction, tess):
    client.force_login(tess)
    url = reverse("induction:time-off-add", args=[induction.pk])
    client.post(url, {"week_of": "2026-10-07", "hours": "2"})  # a Wednesday: its week
    client.post(url, {"week_of": "2026-10-05", "hours": "2.5"})
    (record,) = induction.time_off.all()
    assert (record.week_of, record.hours) == (dt.date(2026, 10, 5), Decimal("2.5"))
    bad = client.post(url, {"week_of": "2026-10-05", "hours": "-1"})
    assert "greater than or equal to 0" in text_of(bad)
    page = text_of(client.get(induction.get_absolute_url()))
    assert "2.5 hours recorded of" in page and "due so far" in page


def test_the_cohort_and_its_csv_show_the_counts(client, induction, tess):
    setup.time_off_record(
        induction=induction, week_of=dt.date(2026, 9, 14), hours=Decimal("2"), by=tess
    )
    client.force_login(tess)
    page = text_of(client.get(reverse("induction:cohort")))
    assert "Mentor meetings" in page and "2 h of" in page and "The school" in page
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("induction:cohort-csv")).text)))
    assert Decimal(rows[0]["time_off_hours"]) == 2
    assert Decimal(rows[0]["time_off_hours_due"]) > 0
