"""Step 2: compare the roster with the database and work out the changes (a dry run stops here).

It may add problems of its own (a URN that belongs to another school, an email outside the
school). The caller wraps this and `apply_plan` in one transaction.
"""

from __future__ import annotations

from coachroom.accounts.models import School, User
from coachroom.imports.common import Problems
from coachroom.imports.oneroster.plan_schools import plan_schools
from coachroom.imports.oneroster.plan_staff import plan_staff
from coachroom.imports.oneroster.plan_types import Plan
from coachroom.imports.oneroster.plan_years import plan_years
from coachroom.imports.oneroster.roster import Roster


def plan_changes(
    roster: Roster,
    problems: Problems,
    *,
    pinned: School | None = None,
    actor: User | None = None,
) -> Plan:
    """What would change; `pinned` (the web upload) keeps to one existing school and its trust."""
    plan = Plan()
    plan_schools(roster, plan, problems, pinned)
    if problems:
        return plan
    plan_years(roster, plan, problems)
    plan_staff(roster, plan, problems, actor)
    return plan
