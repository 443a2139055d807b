"""The completion dashboard: planned against held, by week, half-term, coach and coachee.

Every test runs on Monday 23 November 2026 (Autumn 2), so "due so far" is fixed. bob's weekly
Wednesday drop-in with alice began on 9 September: seven Wednesdays in Autumn 1 and three in
Autumn 2 (4, 11 and 18 November) are due.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import Observation
from coachroom.core.charts import percent
from coachroom.core.spreadsheets import safe_cell
from coachroom.reporting import completion_views
from coachroom.reporting.completion import CompletionQuery, Filters, Tally
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import (
    AcademicYearFactory,
    MembershipFactory,
    RelationshipFactory,
    UserFactory,
)
from tests.html import visible_text

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
YEAR = Filters(start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 23))
URL = reverse("reporting:completion")
CSV_URL = reverse("reporting:completion-csv")


@pytest.fixture(autouse=True)
def monday_23_november():
    with time_machine.travel(NOW, tick=False):
        yield


def _slot(pair, by, kind="drop_in", weekday=2, start_time=dt.time(10, 0)):
    return scheduling.slot_create(
        relationship=pair,
        by=by,
        kind=kind,
        weekday=weekday,
        start_time=start_time,
        starts_on=dt.date(2026, 9, 7),
    )


def _on(slot, day: dt.date) -> SessionOccurrence:
    return SessionOccurrence.objects.get(slot=slot, starts_at__date=day)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@pytest.fixture
def history(pairing, bob):
    """bob's drop-ins with alice, up to 23 November.

    9, 16, 23 Sep held; 30 Sep missed (cover); 7 Oct moved to Thu 8 Oct and held there;
    14 Oct missed (teacher absent) and rebooked for 15 Oct, never recorded; 21 Oct, 4, 11 and
    18 Nov never recorded. So 10 planned, 4 held, 1 missed, 5 not recorded.
    """
    slot = _slot(pairing, bob)
    for day in (9, 16, 23):
        scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, day)), by=bob)
    scheduling.session_mark_missed(session=_on(slot, dt.date(2026, 9, 30)), by=bob, reason="cover")
    moved = scheduling.session_reschedule(
        session=_on(slot, dt.date(2026, 10, 7)), by=bob, starts_at=_at(dt.date(2026, 10, 8))
    )
    scheduling.session_mark_held(session=moved, by=bob)
    scheduling.session_mark_missed(
        session=_on(slot, dt.date(2026, 10, 14)),
        by=bob,
        reason="teacher_absent",
        reschedule_to=_at(dt.date(2026, 10, 15)),
    )
    return slot


def _report(school, filters=YEAR, viewer=None):
    return CompletionQuery(school=school, viewer_coach=viewer, filters=filters).report()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# Figures ------------------------------------------------------------------------------------


def test_percent_rounds_half_up_and_is_none_when_nothing_planned():
    assert percent(1, 8) == 13
    assert percent(2, 3) == 67
    assert percent(0, 0) is None


def test_figures_on_a_hand_made_term(oak, history):
    totals = _report(oak).totals
    assert totals == Tally(drop_ins_planned=10, drop_ins_held=4, missed=1, unrecorded=5)
    assert (totals.planned, totals.held, totals.percent) == (10, 4, 40)
    assert totals.meetings_percent is None


def test_moved_and_rebooked_sessions_count_once(oak, history):
    weeks = {row.starts_on: row.tally for row in _report(oak).weeks}
    assert weeks[dt.date(2026, 10, 5)] == Tally(drop_ins_planned=1, drop_ins_held=1)
    assert weeks[dt.date(2026, 10, 12)] == Tally(drop_ins_planned=1, unrecorded=1)
    assert sum(t.planned for t in weeks.values()) == 10


def test_weeks_start_on_monday_in_london_time(oak, pairing, bob):
    slot = _slot(pairing, bob, weekday=0)  # Mondays at 10:00; the first is 14 Sep (INSET 7-8)
    scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 14)), by=bob)
    late = SessionOccurrence.objects.get(slot=slot, starts_at__date=dt.date(2026, 9, 21))
    late.starts_at = _at(dt.date(2026, 9, 21), hour=0) + dt.timedelta(minutes=30)  # 23:30 UTC Sun
    late.save()
    weeks = [row.starts_on for row in _report(oak).weeks]
    assert weeks[:2] == [dt.date(2026, 9, 14), dt.date(2026, 9, 21)]
    assert all(day.weekday() == 0 for day in weeks)


def test_only_sessions_due_so_far_are_planned(oak, pairing, bob):
    slot = _slot(pairing, bob, weekday=0)  # Monday 23 Nov at 10:00 is today: not yet due
    totals = _report(oak).totals
    assert (
        totals.planned
        == SessionOccurrence.objects.filter(
            slot=slot, starts_at__lt=_at(dt.date(2026, 11, 23), hour=0)
        ).count()
    )
    scheduling.session_mark_held(session=_on(slot, dt.date(2026, 11, 23)), by=bob)
    assert _report(oak).totals.held == 1


def test_half_terms_follow_the_school_calendar(oak, history):
    terms = {row.label: row.tally for row in _report(oak).half_terms}
    assert list(terms) == ["Autumn 1", "Autumn 2"]
    assert (terms["Autumn 1"].planned, terms["Autumn 1"].held) == (7, 4)
    assert (terms["Autumn 2"].planned, terms["Autumn 2"].held) == (3, 0)


def test_meetings_are_counted_apart_from_drop_ins(oak, pairing, bob, history):
    meetings = _slot(pairing, bob, kind="meeting", weekday=3, start_time=dt.time(15, 30))
    scheduling.session_mark_held(session=_on(meetings, dt.date(2026, 9, 10)), by=bob)
    totals = _report(oak).totals
    assert (totals.meetings_planned, totals.meetings_held) == (10, 1)
    assert totals.drop_ins_percent == 40
    only = _report(oak, Filters(start=YEAR.start, end=YEAR.end, kind="meeting")).totals
    assert (only.drop_ins_planned, only.meetings_planned) == (0, 10)


def test_missed_reasons_count_every_miss(oak, history):
    reasons = {row.label: (row.missed, row.rebooked) for row in _report(oak).reasons}
    assert reasons == {"Teacher absent": (1, 1), "Cover duty": (1, 0)}


def test_date_range_narrows_the_figures(oak, history):
    october = Filters(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    assert _report(oak, october).totals.planned == 3  # 8 Oct held, 15 and 21 Oct unrecorded


def test_coachee_not_seen_for_weeks_is_flagged(oak, history):
    (row,) = _report(oak).coachees
    assert row.last_seen == dt.date(2026, 10, 8)
    assert row.unseen_weeks == 6
    assert row.flag == "Not seen for 6 weeks"


def test_a_recent_drop_in_clears_the_flag(oak, pairing, bob, history):
    scheduling.session_mark_held(session=_on(history, dt.date(2026, 11, 18)), by=bob)
    (row,) = _report(oak).coachees
    assert row.flag == ""
    assert row.unseen_weeks is None


def test_pair_without_any_drop_in_is_flagged_from_its_start(oak, oak_year, carol):
    RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    (row,) = _report(oak).coachees
    assert row.last_seen is None
    assert row.flag == "Not seen for 11 weeks: no drop-in since the pairing began"


def test_last_years_unfinished_pair_is_not_listed(oak, carol, history):
    last_year = AcademicYearFactory(
        school=oak, starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2026, 7, 22)
    )
    RelationshipFactory(
        school=oak, academic_year=last_year, coach=carol, started_on=dt.date(2025, 9, 1)
    )
    assert [row.coachee for row in _report(oak).coachees] == ["Alice Example"]


def test_coach_sees_only_their_own_pairs(oak, oak_year, carol, bob, history):
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    _slot(other, carol)
    carols = _report(oak, viewer=carol)
    assert [row.coach for row in carols.coachees] == ["Carol Example"]
    assert carols.totals.planned == 10 and carols.totals.held == 0
    assert carols.coaches == []
    bobs = _report(oak, viewer=bob)
    assert [row.coachee for row in bobs.coachees] == ["Alice Example"]
    everyone = _report(oak)
    assert everyone.totals.planned == 20
    assert [row.label for row in everyone.coaches] == ["Bob Example", "Carol Example"]


def test_coaches_are_listed_by_name_not_by_completion(oak, oak_year, history):
    for first, last in (("Ann", "Aardvark"), ("Zoe", "Zebra")):
        coach = UserFactory(first_name=first, last_name=last)
        MembershipFactory(user=coach, school=oak, is_coach=True)
        slot = _slot(RelationshipFactory(school=oak, academic_year=oak_year, coach=coach), coach)
        for session in SessionOccurrence.objects.filter(slot=slot, starts_at__lt=NOW):
            scheduling.session_mark_held(session=session, by=coach)
    rows = _report(oak).coaches
    assert [row.label for row in rows] == ["Ann Aardvark", "Bob Example", "Zoe Zebra"]
    assert [row.tally.percent for row in rows] == [100, 40, 100]


def test_other_schools_sessions_never_count(oak, elm, outsider, history):
    assert _report(elm).totals.planned == 0
    assert _report(oak).totals.planned == 10


# The page -----------------------------------------------------------------------------------


def test_lead_sees_every_section(client, lead, history):
    client.force_login(lead)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for heading in ("Summary", "By week", "By half-term", "By coach", "By coachee"):
        assert f">{heading}</h2>" in html
    assert "Not seen for 6 weeks" in html
    assert html.count('role="img"') == 4
    assert html.count("Download CSV") == 6
    words = visible_text(html).lower()
    for word in ("top ", "bottom", "rank", "best", "worst", "leaderboard"):
        assert word not in words


def test_coach_page_has_no_coach_table(client, bob, history):
    client.force_login(bob)
    response = client.get(URL)
    assert ">By coach</h2>" not in response.content.decode()
    assert response.context["report"].totals.held == 4


def test_default_range_is_the_academic_year_to_today(client, lead, history):
    client.force_login(lead)
    filters = client.get(URL).context["filters"]
    assert (filters.start, filters.end) == (dt.date(2026, 9, 7), dt.date(2026, 11, 23))


def test_filters_narrow_the_page(client, lead, oak_year, carol, history):
    other = RelationshipFactory(school=oak_year.school, academic_year=oak_year, coach=carol)
    _slot(other, carol)
    client.force_login(lead)
    response = client.get(
        URL, {"from_date": "2026-10-01", "to_date": "2026-10-31", "coach": carol.pk}
    )
    report = response.context["report"]
    assert report.totals.planned == 3
    assert [row.coach for row in report.coachees] == ["Carol Example"]


def test_dates_the_wrong_way_round_are_an_error(client, lead, history):
    client.force_login(lead)
    response = client.get(URL, {"from_date": "2026-11-01", "to_date": "2026-10-01"})
    assert b"The end date must be on or after the start date." in response.content
    assert response.context["filters"].start == dt.date(2026, 9, 7)


def test_coach_cannot_filter_by_another_coach(client, bob, carol, history):
    client.force_login(bob)
    response = client.get(URL, {"coach": carol.pk})
    assert "coach" not in response.context["form"].fields
    assert response.context["report"].totals.planned == 10


def test_empty_state_before_any_slot(client, lead, pairing):
    client.force_login(lead)
    response = client.get(URL)
    assert b"No coaching sessions are planned yet: set up slots in the timetable." in (
        response.content
    )


@pytest.mark.parametrize("who", ["head", "admin"])
def test_senior_leaders_and_admins_see_totals_not_people(client, request, history, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert ">By half-term</h2>" in html
    assert ">By coach</h2>" not in html and ">By coachee</h2>" not in html
    assert "Alice Example" not in html and "Bob Example" not in html
    assert "coach" not in response.context["form"].fields  # no filtering by one coach
    assert "1 coachee not seen for more than 2 weeks" in visible_text(html)  # a count is fine
    for table in ("coach", "coachee"):
        assert client.get(CSV_URL, {"table": table}).status_code == 404
    assert client.get(CSV_URL, {"table": "week"}).status_code == 200


def test_teacher_gets_403(client, alice, history):
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL, {"table": "week"}).status_code == 403


def test_no_note_text_reaches_the_page(client, lead, head, pairing, history):
    Observation.objects.create(
        school=pairing.school,
        relationship=pairing,
        teacher=pairing.coachee,
        observer=pairing.coach,
        status=Observation.Status.SUBMITTED,
        observed_at=_at(dt.date(2026, 11, 18)),
        submitted_at=_at(dt.date(2026, 11, 18)),
        notes="Marmalade-otter diagnostic phrase",
    )
    for viewer in (lead, head):
        client.force_login(viewer)
        response = client.get(URL)
        assert b"Marmalade-otter" not in response.content
        assert response.context["report"].coachees[0].flag == ""  # the drop-in still counts
        for table in ("summary", "week", "halfterm", "coach", "coachee", "reasons"):
            assert b"Marmalade-otter" not in client.get(CSV_URL, {"table": table}).content


def test_chart_labels_are_escaped_on_the_page(client, lead, oak, oak_year, history):
    oak_year.terms.filter(name="Autumn 1").update(name="<b>Autumn & one</b>")
    client.force_login(lead)
    html = client.get(URL).content.decode()
    assert "<b>Autumn" not in html
    assert "&lt;b&gt;Autumn &amp; one&lt;/b&gt;" in html


@pytest.mark.parametrize("pairs", [2, 12])
def test_page_queries_do_not_grow(
    client, lead, oak, oak_year, pairs, django_assert_max_num_queries
):
    for _ in range(pairs):
        coach = UserFactory()
        MembershipFactory(user=coach, school=oak, is_coach=True)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach)
        slot = _slot(pair, coach)
        scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 9)), by=coach)
        scheduling.session_mark_missed(
            session=_on(slot, dt.date(2026, 9, 16)), by=coach, reason="trip"
        )
    client.force_login(lead)
    # session, user, memberships; current year; the school's day counters (weeks, half-terms,
    # reasons); today's recorded sessions; terms; the pairs' counters; the pairs' coaches;
    # pairs with their last drop-in; coach choices; session save with its savepoints (3)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert len(response.context["report"].coachees) == pairs


def test_the_coachee_table_is_paged_and_the_figures_count_everyone(
    client, lead, oak, oak_year, monkeypatch
):
    monkeypatch.setattr(completion_views, "COACHEES_PER_PAGE", 2)
    names = ["Adams", "Baker", "Clark", "Davis", "Evans"]
    for name in names:
        coach = UserFactory()
        MembershipFactory(user=coach, school=oak, is_coach=True)
        coachee = UserFactory(last_name=name)
        MembershipFactory(user=coachee, school=oak)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach, coachee=coachee)
        _slot(pair, coach)  # sessions due, none held
    client.force_login(lead)
    first = client.get(URL)
    shown = [row.coachee for row in first.context["coachee_page"]]
    assert [n.split()[-1] for n in shown] == ["Adams", "Baker"]
    # every pair has gone unseen since it started: all five count, not only the page's two
    assert first.context["report"].unseen_count == 5
    html = first.content.decode()
    assert "Coachees 1–2 of 5." in html
    assert 'rel="next"' in html and "page=2" in html
    assert "from_date=" in html.split('rel="next"')[0].rsplit("<a ", 1)[-1]  # filters kept
    last = client.get(URL, {"from_date": "2026-09-01", "page": "3"})
    assert [row.coachee.split()[-1] for row in last.context["coachee_page"]] == ["Evans"]
    assert 'rel="prev"' in last.content.decode()
    # a page past the end shows the last page rather than an error
    beyond = client.get(URL, {"page": "99"})
    assert beyond.context["coachee_page"].number == 3


# CSV ----------------------------------------------------------------------------------------


def test_csv_by_week_has_a_header_and_every_week(client, lead, history):
    client.force_login(lead)
    response = client.get(CSV_URL, {"table": "week"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:4] == ["Week beginning", "Planned", "Held", "Completion %"]
    assert rows[1][:4] == ["2026-09-07", "1", "1", "100"]
    assert len(rows) == 1 + 10
    assert AuditEvent.objects.filter(action="programme.completion.exported").exists()


def test_csv_follows_the_filters(client, lead, history):
    client.force_login(lead)
    rows = _csv(
        client.get(CSV_URL, {"table": "halfterm", "from_date": "2026-11-01", "kind": "drop_in"})
    )
    assert [row[0] for row in rows[1:]] == ["Autumn 2"]
    assert rows[1][3:5] == ["3", "0"]


@pytest.mark.parametrize("table", ["summary", "halfterm", "coach", "coachee", "reasons"])
def test_every_csv_table_downloads(client, lead, history, table):
    client.force_login(lead)
    rows = _csv(client.get(CSV_URL, {"table": table}))
    assert len(rows) > 1


def test_csv_reasons(client, lead, history):
    client.force_login(lead)
    rows = _csv(client.get(CSV_URL, {"table": "reasons"}))
    assert rows == [
        ["Reason", "Missed", "Missed and rebooked", "Cancelled"],
        ["Teacher absent", "1", "1", "0"],
        ["Cover duty", "1", "0", "0"],
    ]


def test_csv_guards_against_formulas(client, lead, alice, history):
    alice.first_name, alice.last_name = "=HYPERLINK(1)", "@Evil"
    alice.save()
    client.force_login(lead)
    rows = _csv(client.get(CSV_URL, {"table": "coachee"}))
    assert rows[1][0] == "'=HYPERLINK(1) @Evil"
    assert rows[1][-1] == "Not seen for 6 weeks"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"])
def test_safe_cell_prefixes_formula_starts(value):
    assert safe_cell(value) == "'" + value


def test_safe_cell_leaves_numbers_and_plain_text(value=7):
    assert safe_cell(value) == 7
    assert safe_cell("Cover duty") == "Cover duty"


def test_unknown_csv_table_is_404(client, lead, history):
    client.force_login(lead)
    assert client.get(CSV_URL, {"table": "notes"}).status_code == 404


def test_csv_without_a_table_is_the_summary(client, lead, history):
    client.force_login(lead)
    rows = _csv(client.get(CSV_URL))
    assert rows[0] == ["Measure", "Value"]
    assert ["Completion %", "40"] in rows


def test_coach_cannot_download_the_coach_table(client, bob, history):
    client.force_login(bob)
    assert client.get(CSV_URL, {"table": "coach"}).status_code == 404
    assert client.get(CSV_URL, {"table": "coachee"}).status_code == 200


def test_bad_csv_filters_are_400(client, lead, history):
    client.force_login(lead)
    response = client.get(CSV_URL, {"table": "week", "from_date": "not a date"})
    assert response.status_code == 400
