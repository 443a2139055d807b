"""Planning trusts and schools: match each school in the export to Coachroom's."""

from __future__ import annotations

from coachroom.accounts.models import School, Trust
from coachroom.imports.common import Change, Problems
from coachroom.imports.oneroster.plan_types import Plan, SchoolPlan, TrustPlan, diff, fields_text
from coachroom.imports.oneroster.roster import Roster, trust_org


def plan_schools(roster: Roster, plan: Plan, problems: Problems, pinned: School | None) -> None:
    """Match each school in scope to Coachroom's (or plan it), and its trust.

    `pinned` (the web upload) must be the one school and leaves trusts alone. A trust in the
    file is one trust in Coachroom: its schools may not sit in two, so that an import for one
    trust never reaches another trust's schools or people.
    """
    found: dict[str, School | None] = {}
    for sid in roster.scope:
        matched, school = _match_school(roster, sid, problems, pinned)
        if matched:
            found[sid] = school
    trusts: dict[str, TrustPlan] = {}
    if pinned is None:
        _existing_trusts(roster, found, trusts, problems)
    for sid, school in found.items():
        org = roster.orgs[sid]
        if school is not None:
            wanted = {"name": org.name[:200], "urn": org.urn, "source_id": sid}
            plan.schools[sid] = SchoolPlan(org, school, None, diff(school, wanted))
            continue
        parent = trust_org(roster, sid)
        if parent is None:
            trust_plan = TrustPlan(None, None, org.name)
            plan.trusts.append(trust_plan)
        elif parent.sid in trusts:
            trust_plan = trusts[parent.sid]
        else:
            existing = Trust.objects.filter(source_id=parent.sid).first()
            wanted = {"name": parent.name[:200], "source_id": parent.sid}
            fields = diff(existing, wanted) if existing else wanted
            trust_plan = trusts[parent.sid] = TrustPlan(parent, existing, parent.name, fields)
        plan.schools[sid] = SchoolPlan(org, None, trust_plan)
    plan.trusts.extend(trusts.values())
    _describe(plan)


def _match_school(
    roster: Roster, sid: str, problems: Problems, pinned: School | None
) -> tuple[bool, School | None]:
    """(False, None) with a problem; else (True, the school, or None for a new one)."""
    org = roster.orgs[sid]
    parent = trust_org(roster, sid)
    # The sourcedId matches only with the URN or the trust too: another trust's MIS may
    # use the same id. (A school's URN changes when it becomes an academy.)
    by_sid = [
        s
        for s in School.objects.filter(source_id=sid).select_related("trust")
        if s.urn == org.urn or (parent is not None and s.trust.source_id == parent.sid)
    ]
    by_urn = School.objects.filter(urn=org.urn).select_related("trust").first()
    school = by_sid[0] if len(by_sid) == 1 else None
    if school and by_urn and school.pk != by_urn.pk:
        problems.add(
            "orgs.csv",
            org.line,
            "identifier",
            f"In Coachroom the URN {org.urn} belongs to {by_urn.name}, but this sourcedId "
            f"is {school.name}. Correct the URN in one place or the other.",
        )
        return False, None
    school = school or by_urn
    if pinned is not None and (school is None or school.pk != pinned.pk):
        problems.add(
            "orgs.csv", org.line, "identifier", f"This school is not {pinned.name} in Coachroom."
        )
        return False, None
    return True, school


def _existing_trusts(
    roster: Roster,
    found: dict[str, School | None],
    trusts: dict[str, TrustPlan],
    problems: Problems,
) -> None:
    """The trusts of the schools already in Coachroom, by the file's trust sourcedId."""
    first: dict[str, School] = {}
    for sid, school in found.items():
        parent = trust_org(roster, sid)
        if school is None or parent is None:
            continue
        org, trust = roster.orgs[sid], school.trust
        if trust.source_id and trust.source_id != parent.sid:
            problems.add(
                "orgs.csv",
                org.line,
                "parentSourcedId",
                f"In Coachroom {school.name} belongs to {trust.name}, not to "
                f"“{parent.name}”. If it has changed trust, move it by hand first.",
            )
        elif parent.sid in first and first[parent.sid].trust_id != trust.pk:
            other = first[parent.sid]
            problems.add(
                "orgs.csv",
                org.line,
                "parentSourcedId",
                f"In Coachroom {school.name} belongs to {trust.name}, but {other.name}, in the "
                f"same trust in this file, belongs to {other.trust.name}. Move one of them by "
                "hand first: an import never spans two trusts.",
            )
        elif parent.sid not in trusts:
            first[parent.sid] = school
            wanted = {"name": parent.name[:200], "source_id": parent.sid}
            trusts[parent.sid] = TrustPlan(parent, trust, parent.name, diff(trust, wanted))


def _describe(plan: Plan) -> None:
    for tp in plan.trusts:
        if tp.trust is None:
            plan.changes.append(Change("create", "trust", tp.name))
        elif tp.fields:
            plan.changes.append(Change("update", "trust", tp.trust.name, fields_text(tp.fields)))
    for sp in plan.schools.values():
        if sp.school is None:
            plan.changes.append(Change("create", "school", f"{sp.org.name} (URN {sp.org.urn})", ""))
        elif sp.fields:
            plan.changes.append(Change("update", "school", sp.school.name, fields_text(sp.fields)))
