"""The reporting endpoints' rows, from the functions the pages use: completion
(`reporting.completion`, read for every school at once by `reporting.completion_many`), steps by
strand and priority (`coaching.goals.queries.priority_reports`) and the stick rate
(`reporting.dashboard.summarise`). Counts only: no note is read here.

Every function runs a fixed number of queries, however many schools, weeks, pairs or steps;
completion by coachee adds two a school (its pairs and their counts), as the page does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from coachroom.accounts.models import AcademicYear, School
from coachroom.coaching.goals.queries import CountRow, PriorityReport, priority_reports
from coachroom.coaching.models import REPORTED_STATES
from coachroom.integrations.reporting_api.access import COACHEES, COMPLETION, STEPS, Access, Reach
from coachroom.reporting import completion_many
from coachroom.reporting.completion import CompletionQuery, Filters, Tally
from coachroom.reporting.dashboard import summarise


def school_fields(school: School) -> dict[str, Any]:
    return {"school_urn": school.urn, "school_name": school.name}


def tally_fields(tally: Tally) -> dict[str, Any]:
    return {
        "planned": tally.planned,
        "held": tally.held,
        "completion_percent": tally.percent,
        "drop_ins_planned": tally.drop_ins_planned,
        "drop_ins_held": tally.drop_ins_held,
        "meetings_planned": tally.meetings_planned,
        "meetings_held": tally.meetings_held,
        "missed": tally.missed,
        "cancelled": tally.cancelled,
        "unrecorded": tally.unrecorded,
    }


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From 1 September of the school year under way to today: the same for every school, so
    that a trust's figures line up."""
    today = today or timezone.localdate()
    return dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1), today


# Completion ---------------------------------------------------------------------------------


def _queries(
    access: Access, scopes: list[tuple[School, Reach]], filters: Filters
) -> list[CompletionQuery]:
    """One completion query a school, as its page would make it for this token; read at once."""
    queries = [
        CompletionQuery(
            school=school,
            viewer_coach=access.person if reach == Reach.OWN_PAIRS else None,
            filters=filters,
        )
        for school, reach in scopes
    ]
    completion_many.preload(queries)
    return queries


def completion_weeks(access: Access, *, urn: str | None, filters: Filters) -> list[dict[str, Any]]:
    scopes = access.schools_for(COMPLETION, urn)
    rows = []
    for (school, reach), query in zip(scopes, _queries(access, scopes, filters), strict=True):
        for week in query.by_week():
            rows.append(
                {
                    **school_fields(school),
                    "figures": reach.value,
                    "week_starting": week.starts_on,
                    "week_ending": week.ends_on,
                    **tally_fields(week.tally),
                }
            )
    return rows


def completion_reasons(
    access: Access, *, urn: str | None, filters: Filters
) -> list[dict[str, Any]]:
    scopes = access.schools_for(COMPLETION, urn)
    rows = []
    for (school, reach), query in zip(scopes, _queries(access, scopes, filters), strict=True):
        for reason in query.reasons():
            rows.append(
                {
                    **school_fields(school),
                    "figures": reach.value,
                    "reason": reason.label,
                    "missed": reason.missed,
                    "rebooked": reason.rebooked,
                    "cancelled": reason.cancelled,
                }
            )
    return rows


def completion_coachees(
    access: Access, *, urn: str | None, filters: Filters
) -> tuple[list[dict[str, Any]], list[School]]:
    """Rows by coachee, and the schools they came from (each read is audited)."""
    scopes = access.schools_for(COACHEES, urn)
    rows = []
    for (school, reach), query in zip(scopes, _queries(access, scopes, filters), strict=True):
        for row in query.by_coachee():
            rows.append(
                {
                    **school_fields(school),
                    "figures": reach.value,
                    "coachee": row.coachee,
                    "coach": row.coach,
                    "current": row.is_current,
                    "last_seen": row.last_seen,
                    "unseen_weeks": row.unseen_weeks,
                    **tally_fields(row.tally),
                }
            )
    return rows, [school for school, _reach in scopes]


# Steps --------------------------------------------------------------------------------------


def current_years(
    schools: Iterable[School], today: dt.date | None = None
) -> dict[int, AcademicYear]:
    """Each school's academic year as `School.current_year` picks it (the latest to have
    started, else the earliest set up), for many schools in one query."""
    today = today or timezone.localdate()
    years: dict[int, list[AcademicYear]] = {}
    for year in AcademicYear.objects.filter(school__in=[s.pk for s in schools]).order_by(
        "starts_on", "pk"
    ):
        years.setdefault(year.school_id, []).append(year)
    chosen: dict[int, AcademicYear] = {}
    for school_id, held in years.items():
        started = [year for year in held if year.starts_on <= today]
        chosen[school_id] = started[-1] if started else held[0]
    return chosen


def _reports(access: Access, urn: str | None) -> list[tuple[School, PriorityReport]]:
    schools = [school for school, _reach in access.schools_for(STEPS, urn)]
    years = current_years(schools)
    reports = priority_reports({s: years[s.pk] for s in schools if s.pk in years})
    return [(s, reports.get(s.pk) or PriorityReport(year=None)) for s in schools]


def _counts(report: PriorityReport, row: CountRow) -> dict[str, Any]:
    return {
        "academic_year": report.year.name if report.year else None,
        "current_steps": row.current,
        "secured_steps": row.secured,
        "total_steps": row.total,
    }


def steps_by_strand(access: Access, *, urn: str | None) -> list[dict[str, Any]]:
    return [
        {**school_fields(school), "strand": row.label, **_counts(report, row)}
        for school, report in _reports(access, urn)
        for row in report.strands
    ]


def steps_by_priority(access: Access, *, urn: str | None) -> list[dict[str, Any]]:
    return [
        {
            **school_fields(school),
            "priority": row.label,
            "outside_the_priorities": row.is_outside,
            **_counts(report, row),
        }
        for school, report in _reports(access, urn)
        for row in report.priority_rows
    ]


def stick_rates(access: Access, *, urn: str | None) -> list[dict[str, Any]]:
    schools = [school for school, _reach in access.schools_for(STEPS, urn)]
    return [
        {
            **school_fields(summary.school),
            **{f"steps_{state.value}": summary.steps[state] for state in REPORTED_STATES},
            "secured_this_half_term": summary.secured_this_term,
            "stuck": summary.stuck,
            "slipped": summary.slipped,
            "stick_rate_percent": summary.stick_rate,
        }
        for summary in summarise(schools)
    ]
