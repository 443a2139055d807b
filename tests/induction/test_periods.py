"""Induction dates on a school calendar: plain functions, no database, no clock.

Every expected date is checked by hand against the default English calendar for 2026–27
(`uk_default_terms(2026)`, INSET on Mon 7 and Tue 8 Sep 2026), with default years after it:

    Autumn 2026  7 Sep – 18 Dec 2026        Autumn 2027  6 Sep – 17 Dec 2027 (INSET 6, 7 Sep)
    Spring 2027  4 Jan – 19 Mar 2027 (50)   Spring 2028  3 Jan –  7 Apr 2028 (65)
    Summer 2027  5 Apr – 16 Jul 2027        Summer 2028 24 Apr – 21 Jul 2028
    Autumn 2028  4 Sep – 15 Dec 2028 (INSET 4, 5 Sep)
    Spring 2029  8 Jan – 23 Mar 2029 (50: Spring 1 is 8 Jan – 9 Feb, 25 days)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from coachroom.accounts.calendar import SchoolCalendar, uk_default_closures, uk_default_terms
from coachroom.induction.periods import (
    InductionPlan,
    PointKind,
    ReviewPoint,
    induction_term,
    leaving,
    plan_induction,
)

DEFAULT = SchoolCalendar(
    [(term.starts_on, term.ends_on) for term in uk_default_terms(2026)],
    [day for day, _why in uk_default_closures(2026)],
)
SEPTEMBER = date(2026, 9, 7)


def plan(
    starts_on: date = SEPTEMBER,
    fte: Fraction | Decimal | int = 1,
    absences: list[tuple[date, date]] | None = None,
    calendar: SchoolCalendar = DEFAULT,
) -> InductionPlan:
    return plan_induction(starts_on=starts_on, fte=fte, absences=absences or [], calendar=calendar)


def reviews(p: InductionPlan) -> list[tuple[str, date]]:
    return [(pt.term, pt.due_on) for pt in p.points if pt.kind == PointKind.PROGRESS_REVIEW]


def assessments(p: InductionPlan) -> list[tuple[str, date]]:
    return [(pt.term, pt.due_on) for pt in p.points if pt.kind == PointKind.FORMAL_ASSESSMENT]


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 8, 1), "Autumn 2026"),
        (date(2026, 12, 31), "Autumn 2026"),
        (date(2027, 1, 1), "Spring 2027"),
        (date(2027, 3, 28), "Spring 2027"),  # Easter Sunday 2027
        (date(2027, 3, 29), "Summer 2027"),  # Easter Monday
        (date(2027, 7, 31), "Summer 2027"),
    ],
)
def test_induction_terms_split_at_august_new_year_and_easter(day, name):
    assert induction_term(day).name == name


def test_full_time_september_start_lasts_two_school_years():
    p = plan()
    assert p.year_one_ends_on == date(2027, 7, 16)  # last school day of Summer 2027
    assert p.unextended_end == p.ends_on == date(2028, 7, 21)  # … of Summer 2028
    assert (p.absence_days, p.extension_days) == (0, 0)
    assert reviews(p) == [
        ("Autumn 2026", date(2026, 12, 18)),
        ("Spring 2027", date(2027, 3, 19)),
        ("Autumn 2027", date(2027, 12, 17)),
        ("Spring 2028", date(2028, 4, 7)),
    ]
    assert assessments(p) == [
        ("Summer 2027", date(2027, 7, 16)),
        ("Summer 2028", date(2028, 7, 21)),
    ]


def test_points_are_labelled_and_in_date_order():
    points = plan().points
    assert [pt.due_on for pt in points] == sorted(pt.due_on for pt in points)
    assert points[0] == ReviewPoint(
        PointKind.PROGRESS_REVIEW, date(2026, 12, 18), "Autumn 2026", "Progress review, Autumn 2026"
    )
    assert points[2].label == "Formal assessment, end of year 1"
    assert points[-1].label == "Formal assessment, end of induction"


def test_january_start_ends_in_the_third_school_year():
    p = plan(starts_on=date(2027, 1, 4))
    assert p.year_one_ends_on == date(2027, 12, 17)  # end of Autumn 2027
    assert p.ends_on == date(2028, 12, 15)  # end of Autumn 2028, in the 2028–29 school year
    assert [term for term, _ in reviews(p)] == [
        "Spring 2027",
        "Summer 2027",
        "Spring 2028",
        "Summer 2028",
    ]


def test_mid_january_start_runs_into_a_third_calendar_year():
    # 11 Jan 2027 misses 5 of Spring 2027's 50 days: 0.9 of a term. Year 1 needs 0.1 of
    # Spring 2028 (65 days → 6.5, so the 7th: Tue 11 Jan); the end 0.1 of Spring 2029
    # (50 days → the 5th: Fri 12 Jan 2029).
    p = plan(starts_on=date(2027, 1, 11))
    assert p.year_one_ends_on == date(2028, 1, 11)
    assert p.ends_on == date(2029, 1, 12)
    assert assessments(p) == [
        ("Spring 2028", date(2028, 1, 11)),
        ("Spring 2029", date(2029, 1, 12)),
    ]
    assert [term for term, _ in reviews(p)] == [
        "Spring 2027",
        "Summer 2027",
        "Autumn 2027",
        "Summer 2028",
        "Autumn 2028",
    ]


def test_half_time_takes_twelve_terms():
    p = plan(fte=Fraction(1, 2))
    assert p.year_one_ends_on == date(2028, 7, 21)  # end of Summer 2028
    assert p.ends_on == date(2030, 7, 19)  # end of Summer 2030
    assert len(reviews(p)) == 10
    assert reviews(p)[-1] == ("Spring 2030", date(2030, 4, 12))


def test_four_fifths_ends_part_way_through_a_term():
    # 7.5 terms. Year 1: 2.4 after three terms, then 0.6 / 0.8 of Autumn 2027's 68 days = the
    # 51st (33 in Autumn 1, then 18 from Mon 1 Nov) = Wed 24 Nov 2027. The end: 5.6 after
    # seven terms, then 0.4 / 0.8 of Spring 2029's 50 days = the 25th = Fri 9 Feb 2029.
    p = plan(fte=Fraction(4, 5))
    assert p.year_one_ends_on == date(2027, 11, 24)
    assert p.ends_on == date(2029, 2, 9)
    assert assessments(p) == [
        ("Autumn 2027", date(2027, 11, 24)),
        ("Spring 2029", date(2029, 2, 9)),
    ]
    terms = [term for term, _ in reviews(p)]
    assert "Autumn 2027" not in terms
    assert "Spring 2029" not in terms
    assert terms[-1] == "Autumn 2028"


def test_fte_as_a_decimal_is_exact():
    assert plan(fte=Decimal("0.8")) == plan(fte=Fraction(4, 5))


def test_29_school_days_absent_do_not_extend_induction():
    p = plan(absences=[(date(2027, 1, 4), date(2027, 2, 11))])  # Spring 1 but its last day
    assert (p.absence_days, p.extension_days) == (29, 0)
    assert p.ends_on == date(2028, 7, 21)


def test_30_school_days_absent_extend_induction_by_30_into_the_next_term():
    p = plan(absences=[(date(2027, 1, 4), date(2027, 2, 12))])  # all of Spring 1
    assert (p.absence_days, p.extension_days) == (30, 30)
    assert p.unextended_end == date(2028, 7, 21)
    # 30 school days on: Autumn 2028 starts with INSET on 4 and 5 Sep, so Wed 6 Sep is the 1st.
    assert p.ends_on == date(2028, 10, 17)
    assert p.year_one_ends_on == date(2027, 7, 16)  # absence never moves year 1
    assert assessments(p)[-1] == ("Autumn 2028", date(2028, 10, 17))
    assert reviews(p)[-1] == ("Summer 2028", date(2028, 7, 21))  # no longer assessed


def test_overlapping_absences_count_each_school_day_once():
    p = plan(
        absences=[(date(2027, 1, 4), date(2027, 1, 29)), (date(2027, 1, 25), date(2027, 2, 12))]
    )
    assert p.absence_days == 30  # 20 + 15 with the week of 25 Jan counted once
    assert p.extension_days == 30


def test_absence_before_the_start_does_not_count():
    p = plan(
        absences=[
            (date(2026, 3, 2), date(2026, 5, 29)),  # wholly before
            (date(2026, 6, 1), date(2026, 9, 15)),  # from 7 Sep: INSET 7, 8; then 9–15 Sep
        ]
    )
    assert p.absence_days == 5


def test_absence_after_induction_would_have_ended_does_not_count():
    p = plan(absences=[(date(2028, 7, 20), date(2028, 10, 31))])
    assert p.absence_days == 2  # Thu 20 and Fri 21 Jul 2028
    assert p.ends_on == date(2028, 7, 21)


def test_year_on_changes_after_the_year_one_point_and_stops_after_the_end():
    p = plan()
    assert p.year_on(date(2026, 9, 6)) is None
    assert p.year_on(SEPTEMBER) == 1
    assert p.year_on(date(2027, 7, 16)) == 1
    assert p.year_on(date(2027, 7, 17)) == 2
    assert p.year_on(date(2028, 7, 21)) == 2
    assert p.year_on(date(2028, 7, 22)) is None


def test_a_start_in_the_christmas_holiday_has_no_autumn_review():
    p = plan(starts_on=date(2026, 12, 21))
    assert p.year_one_ends_on == date(2027, 12, 17)
    assert reviews(p)[0] == ("Spring 2027", date(2027, 3, 19))


def test_the_schools_own_calendar_sets_the_dates():
    # Oak starts on Tue 1 Sep, closes on 16 Dec for training and breaks up late in July.
    oak = SchoolCalendar(
        [
            (date(2026, 9, 1), date(2026, 12, 16)),
            (date(2027, 1, 5), date(2027, 3, 24)),
            (date(2027, 4, 6), date(2027, 7, 21)),
        ],
        [date(2026, 12, 16)],
    )
    p = plan(starts_on=date(2026, 9, 1), calendar=oak)
    assert reviews(p)[:2] == [
        ("Autumn 2026", date(2026, 12, 15)),
        ("Spring 2027", date(2027, 3, 24)),
    ]
    assert p.year_one_ends_on == date(2027, 7, 21)
    assert p.ends_on == date(2028, 7, 21)  # 2027–28 is not set up yet: default terms


@pytest.mark.parametrize("fte", [Fraction(0), Decimal("1.5"), Fraction(-1, 2)])
def test_fte_must_be_more_than_0_and_at_most_1(fte):
    with pytest.raises(ValueError, match="FTE must be more than 0 and at most 1"):
        plan(fte=fte)


def test_an_absence_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end"):
        plan(absences=[(date(2027, 2, 12), date(2027, 1, 4))])


def test_an_ect_who_leaves_part_way_has_an_interim_assessment_on_their_last_day():
    plan = plan_induction(
        starts_on=date(2026, 9, 7), fte=Fraction(1), absences=[], calendar=DEFAULT
    )
    left = leaving(plan, date(2027, 2, 12))
    assert [(p.label, p.due_on) for p in left.points] == [
        ("Progress review, Autumn 2026", date(2026, 12, 18)),
        ("Interim assessment, on leaving", date(2027, 2, 12)),
    ]
    assert left.points[-1].kind == PointKind.INTERIM_ASSESSMENT
    assert leaving(plan, date(2028, 7, 21)) == plan  # leaving as induction ends: no interim
