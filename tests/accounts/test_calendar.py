"""One school calendar: `School.add_school_days`, `AcademicYear.is_school_day`, the timetable's
`SchoolDays` and the next-drop-in days all follow `SchoolCalendar`, and agree after the last
term of the year (they used to disagree: counting ran on through the summer holiday)."""

from __future__ import annotations

import datetime as dt

from coachroom.accounts.calendar import SchoolCalendar
from coachroom.accounts.models import Term
from coachroom.accounts.services import academic_year_create
from coachroom.scheduling.next_drop_in import next_school_days
from coachroom.scheduling.timetable import SchoolDays

LAST_DAY_OF_YEAR = dt.date(2027, 7, 16)  # Friday: the end of Summer 2 in the default 2026–27
MONDAY_AFTER = dt.date(2027, 7, 19)
FIRST_DAY_NEXT_YEAR = dt.date(2027, 9, 8)  # Monday 6 and Tuesday 7 September are INSET days


def test_counting_past_the_last_term_skips_the_summer_holiday(oak, oak_year):
    assert max(t.ends_on for t in oak_year.terms.all()) == LAST_DAY_OF_YEAR
    assert not oak_year.is_school_day(MONDAY_AFTER)
    assert MONDAY_AFTER not in SchoolDays(oak_year)
    # Before, this gave Monday 19 July, a day the year itself says is not a school day.
    assert oak.add_school_days(LAST_DAY_OF_YEAR, 1) == FIRST_DAY_NEXT_YEAR
    assert next_school_days(oak, after=LAST_DAY_OF_YEAR, count=2) == [
        FIRST_DAY_NEXT_YEAR,
        dt.date(2027, 9, 9),
    ]


def test_every_counted_day_is_a_school_day_of_the_year(oak, oak_year):
    start = dt.date(2026, 10, 23)  # the Friday before October half-term
    days = [oak.add_school_days(start, n) for n in range(1, 40)]
    assert days[0] == dt.date(2026, 11, 2)  # after half-term
    assert all(oak_year.is_school_day(day) for day in days)
    assert len(set(days)) == len(days)


def test_a_next_year_the_school_has_set_up_is_used_rather_than_the_defaults(oak, oak_year):
    next_year = academic_year_create(school=oak, by=None, start_year=2027)
    next_year.closures.all().delete()
    Term.objects.filter(academic_year=next_year, name="Autumn 1").update(
        starts_on=dt.date(2027, 9, 2)
    )
    assert oak.add_school_days(LAST_DAY_OF_YEAR, 1) == dt.date(2027, 9, 2)
    assert next_year.is_school_day(dt.date(2027, 9, 2))


def test_with_no_terms_at_all_the_default_english_year_stands_in():
    calendar = SchoolCalendar([], [])
    assert calendar.add_school_days(dt.date(2026, 12, 18), 1) == dt.date(2027, 1, 4)
    assert calendar.school_days_between(dt.date(2026, 12, 18), dt.date(2027, 1, 8)) == 5
    assert not calendar.is_school_day(dt.date(2026, 12, 25))
