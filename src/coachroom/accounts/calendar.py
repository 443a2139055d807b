"""The school calendar: default English term dates and counting school days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class TermDates:
    name: str
    starts_on: dt.date
    ends_on: dt.date


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the anonymous algorithm); Easter fixes the spring holiday."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


MON, FRI = 0, 4


def uk_default_terms(start_year: int) -> list[TermDates]:
    """Typical English half-terms for the year starting in September `start_year`.

    Schools' dates vary by local authority and trust, so these are a starting point to edit.
    """
    y, n = start_year, start_year + 1
    autumn_start = _weekday_on_or_after(dt.date(y, 9, 1), MON)
    oct_half_term = _weekday_on_or_before(dt.date(y, 10, 31), MON)
    christmas_end = _weekday_on_or_before(dt.date(y, 12, 20), FRI)
    spring_start = _weekday_on_or_after(dt.date(n, 1, 2), MON)
    feb_half_term = _weekday_on_or_after(dt.date(n, 2, 12), MON)
    holy_week = easter_sunday(n) - dt.timedelta(days=6)
    may_half_term = _weekday_on_or_before(dt.date(n, 5, 31), MON)
    summer_end = _weekday_on_or_before(dt.date(n, 7, 22), FRI)
    return [
        TermDates("Autumn 1", autumn_start, oct_half_term - dt.timedelta(days=3)),
        TermDates("Autumn 2", oct_half_term + dt.timedelta(days=7), christmas_end),
        TermDates("Spring 1", spring_start, feb_half_term - dt.timedelta(days=3)),
        TermDates(
            "Spring 2", feb_half_term + dt.timedelta(days=7), holy_week - dt.timedelta(days=3)
        ),
        TermDates(
            "Summer 1", holy_week + dt.timedelta(days=14), may_half_term - dt.timedelta(days=3)
        ),
        TermDates("Summer 2", may_half_term + dt.timedelta(days=7), summer_end),
    ]


def uk_default_closures(start_year: int) -> list[tuple[dt.date, str]]:
    """Two INSET days at the start of the year and the early-May bank holiday."""
    autumn_start = _weekday_on_or_after(dt.date(start_year, 9, 1), MON)
    may_day = _weekday_on_or_after(dt.date(start_year + 1, 5, 1), MON)
    return [
        (autumn_start, "INSET day"),
        (autumn_start + ONE_DAY, "INSET day"),
        (may_day, "Early May bank holiday"),
    ]


def year_name(start_year: int) -> str:
    return f"{start_year}–{(start_year + 1) % 100:02d}"


def academic_start_year(today: dt.date) -> int:
    return today.year if today.month >= 8 else today.year - 1


class SchoolCalendar:
    """The one answer to "is this a school day?" and "which day is n school days on?".

    A school day is a weekday in one of the school's terms that is not a closure. In an
    academic year the school has not set up (the years after its last one, which are not known
    yet, and the years before its first, which induction dates can reach back into), the
    default English terms and closures (`uk_default_terms`) stand in, so counting school days
    never lands in a summer holiday and always ends."""

    def __init__(self, terms: Iterable[tuple[dt.date, dt.date]], closures: Iterable[dt.date]):
        self.terms = sorted(terms)
        self.closures = set(closures)
        self.known_years = frozenset(academic_start_year(start) for start, _end in self.terms)

    def is_school_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return False
        if academic_start_year(day) not in self.known_years:
            return _default_school_day(day)
        return day not in self.closures and any(s <= day <= e for s, e in self.terms)

    __contains__ = is_school_day

    def add_school_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` school days after `start`."""
        day, left = start, days
        while left > 0:
            day += ONE_DAY
            if self.is_school_day(day):
                left -= 1
        return day

    def school_days_between(self, start: dt.date, end: dt.date) -> int:
        """School days after `start` up to and including `end`."""
        count, day = 0, start + ONE_DAY
        while day <= end:
            count += self.is_school_day(day)
            day += ONE_DAY
        return count


@cache
def _default_year(start_year: int) -> tuple[list[TermDates], frozenset[dt.date]]:
    closures = frozenset(day for day, _why in uk_default_closures(start_year))
    return uk_default_terms(start_year), closures


def _default_school_day(day: dt.date) -> bool:
    terms, closures = _default_year(academic_start_year(day))
    return day not in closures and any(t.starts_on <= day <= t.ends_on for t in terms)
