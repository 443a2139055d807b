"""Planning trusts and schools: match each school in the export to Coachroom's."""

from __future__ import annotations

from coachroom.accounts.models import School, Trust
from coachroom.imports.common import Change, Problems
from coachroom.imports.oneroster.plan_types import (
    Plan,
    SchoolPlan,
    TrustPlan,
    diff,
    fields_text,
)
from coachroom.imports.oneroster.roster import Roster, trust_org


def plan_schools(roster: Roster, plan: Plan, problems: Problems, pinned: School | None) -> None:
    trusts: dict[str, TrustPlan] = {}
    for sid in roster.scope:
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
            continue
        school = school or by_urn
        if pinned is not None and (school is None or school.pk != pinned.pk):
            problems.add(
                "orgs.csv",
                org.line,
                "identifier",
                f"This school is not {pinned.name} in Coachroom.",
            )
            continue
        if school is not None:
            wanted = {"name": org.name[:200], "urn": org.urn, "source_id": sid}
            plan.schools[sid] = SchoolPlan(org, school, None, diff(school, wanted))
            if pinned is None and parent is not None:
                trust = school.trust
                if trust.source_id and trust.source_id != parent.sid:
                    problems.add(
                        "orgs.csv",
                        org.line,
                        "parentSourcedId",
                        f"In Coachroom {school.name} belongs to {trust.name}, not to "
                        f"“{parent.name}”. If it has changed trust, move it by hand first.",
                    )
                    continue
                if parent.sid not in trusts:
                    wanted = {"name": parent.name[:200], "source_id": parent.sid}
                    trusts[parent.sid] = TrustPlan(parent, trust, parent.name, diff(trust, wanted))
            continue
        if parent is None:
            trust_plan = TrustPlan(None, None, org.name)
        elif parent.sid in trusts:
            trust_plan = trusts[parent.sid]
        else:
            existing = Trust.objects.filter(source_id=parent.sid).first()
            wanted = {"name": parent.name[:200], "source_id": parent.sid}
            fields = diff(existing, wanted) if existing else wanted
            trust_plan = TrustPlan(parent, existing, parent.name, fields)
            trusts[parent.sid] = trust_plan
        if trust_plan.org is None:
            plan.trusts.append(trust_plan)
        plan.schools[sid] = SchoolPlan(org, None, trust_plan)
    plan.trusts.extend(trusts.values())
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
