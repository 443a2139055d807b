"""Planning academic years and terms from academicSessions.csv."""

from __future__ import annotations

from collections import defaultdict

from coachroom.accounts.calendar import year_name
from coachroom.accounts.models import AcademicYear, School, Term
from coachroom.imports.common import Change, Problems
from coachroom.imports.models import SourceRecord
from coachroom.imports.oneroster.plan_types import Plan, TermPlan, YearPlan, diff, fields_text
from coachroom.imports.oneroster.roster import Roster, Session
from coachroom.imports.oneroster.spec import TERM_TYPES_FINEST_FIRST


def _term_sessions(roster: Roster) -> dict[int, tuple[Session | None, list[Session]]]:
    """Per school year: its schoolYear session and the finest level of terms below it."""
    years: dict[int, tuple[Session | None, list[Session]]] = {}
    parents = {s.parent for s in roster.sessions.values() if s.parent}
    groups: dict[int, list[Session]] = defaultdict(list)
    heads: dict[int, Session] = {}
    for s in roster.sessions.values():
        if s.school_year is None or s.start is None or s.end is None:
            continue
        if s.type == "schoolYear":
            heads[s.school_year] = s
        elif s.type in TERM_TYPES_FINEST_FIRST and s.sid not in parents:
            groups[s.school_year].append(s)
    for year in sorted(set(heads) | set(groups)):
        leaves = groups.get(year, [])
        for kind in TERM_TYPES_FINEST_FIRST:
            finest = [s for s in leaves if s.type == kind]
            if finest:
                leaves = finest
                break
        years[year] = (heads.get(year), sorted(leaves, key=lambda s: (s.start, s.title)))
    return years


def plan_years(roster: Roster, plan: Plan, problems: Problems) -> None:
    years = _term_sessions(roster)
    for school_sid, sp in plan.schools.items():
        school_label = sp.school.name if sp.school else sp.org.name
        for school_year, (head, leaves) in years.items():
            dates = [(s.start, s.end) for s in ([head] if head else leaves) if s]
            start = min(d[0] for d in dates if d[0])
            end = max(d[1] for d in dates if d[1])
            if end <= start:
                continue  # reported when read (a one-day year)
            name = year_name(school_year - 1)
            key = head.sid if head else f"schoolYear:{school_year}"
            year = _find_year(sp.school, key, name)
            wanted = {"name": name, "starts_on": start, "ends_on": end}
            terms, remove = _plan_terms(sp.school, year, leaves)
            if year is None:
                plan.years.append(YearPlan(school_sid, key, None, wanted, terms, []))
                plan.changes.append(
                    Change("create", "year", f"{name} at {school_label}", _terms_text(terms))
                )
                continue
            fields = diff(year, wanted)
            if (
                fields.get("name")
                and AcademicYear.objects.filter(school=sp.school, name=name)
                .exclude(pk=year.pk)
                .exists()
            ):
                problems.add(
                    "academicSessions.csv",
                    head.line if head else leaves[0].line,
                    "schoolYear",
                    f"{school_label} already has a year called {name}.",
                )
                continue
            plan.years.append(YearPlan(school_sid, key, year, fields, terms, remove))
            changed = [t for t in terms if t.term is None or t.fields]
            if fields or changed or remove:
                detail = []
                if fields:
                    detail.append(fields_text(fields))
                if changed or remove:
                    detail.append(
                        f"terms: {sum(1 for t in terms if t.term is None)} added, "
                        f"{sum(1 for t in terms if t.term and t.fields)} changed, "
                        f"{len(remove)} removed"
                    )
                plan.changes.append(
                    Change("update", "year", f"{name} at {school_label}", "; ".join(detail))
                )


def _terms_text(terms: list[TermPlan]) -> str:
    if not terms:
        return "no terms in the file"
    return f"{len(terms)} terms: " + ", ".join(t.session.title for t in terms)


def _find_year(school: School | None, key: str, name: str) -> AcademicYear | None:
    if school is None:
        return None
    record = SourceRecord.objects.filter(
        school=school, kind=SourceRecord.Kind.ACADEMIC_YEAR, sourced_id=key
    ).first()
    if record is not None:
        year = AcademicYear.objects.filter(school=school, pk=record.object_id).first()
        if year is not None:
            return year
    return AcademicYear.objects.filter(school=school, name=name).first()


def _plan_terms(
    school: School | None, year: AcademicYear | None, leaves: list[Session]
) -> tuple[list[TermPlan], list[Term]]:
    existing = list(year.terms.all()) if year is not None else []
    by_pk = {t.pk: t for t in existing}
    records: dict[str, int] = {}
    if school is not None and leaves:
        records = dict(
            SourceRecord.objects.filter(
                school=school,
                kind=SourceRecord.Kind.TERM,
                sourced_id__in=[s.sid for s in leaves],
            ).values_list("sourced_id", "object_id")
        )
    used: set[int] = set()
    plans: list[TermPlan] = []
    for session in leaves:
        name = session.title[:40]
        wanted = {"name": name, "starts_on": session.start, "ends_on": session.end}
        term = by_pk.get(records.get(session.sid, 0))
        if term is None:
            term = next(
                (t for t in existing if t.pk not in used and t.name.lower() == name.lower()),
                None,
            )
        if term is None:
            plans.append(TermPlan(session, None, wanted))
        else:
            used.add(term.pk)
            plans.append(TermPlan(session, term, diff(term, wanted)))
    remove = [t for t in existing if t.pk not in used] if leaves else []
    return plans, remove
