"""Access-matrix rows for whole-school priorities and goals (merged into
tests/test_access_matrix.py), and the two helpers the goal tests share.

Priorities belong to Oak: every member reads them (outsider reads Elm's), coaching leads and
school admins manage them, and leaders (lead, head, admin) see the report. Goals are coaching
records: alice's goal is hers and bob's (her coach); Oak leaves `lead_note_access` at "review",
so the lead, like everyone else, gets 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from coachroom.accounts.models import AcademicYear, CoachingRelationship, School
from coachroom.coaching.goals.models import Goal
from coachroom.library.models import Priority, Problem
from tests.access import Row


def make_priority(
    school: School, year: AcademicYear, *, title: str = "Pupils give up on tricky tasks", **fields
) -> Priority:
    strands = fields.pop("strands", ())
    steps = fields.pop("library_steps", ())
    priority = Priority.objects.create(
        school=school,
        academic_year=year,
        title=title,
        symptoms=fields.pop("symptoms", "Pupils stop after the first hard question"),
        problem=fields.pop("problem", None) or Problem.objects.get(slug="participation"),
        **fields,
    )
    priority.strands.set(strands)
    priority.library_steps.set(steps)
    return priority


def make_goal(pair: CoachingRelationship, *, measured: bool = True, **fields) -> Goal:
    steps = fields.pop("steps", ())
    if measured:
        fields = {
            "measure": "Share of pupils answering the hinge question correctly",
            "unit": Goal.Unit.PERCENT,
            "baseline": Decimal(40),
            "target": Decimal(80),
            **fields,
        }
    goal = Goal.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        statement=fields.pop("statement", "Most of the class answer the hinge question"),
        created_by=pair.coach,
        **fields,
    )
    goal.steps.set(steps)
    return goal


def priority(o: dict[str, Any], *, archived: bool = False) -> int:
    return make_priority(o["pair"].school, o["year"], is_archived=archived).pk


def goal(o: dict[str, Any]) -> int:
    return make_goal(o["pair"]).pk


PARTIES = {"alice": 200, "bob": 200}
NOBODY_ELSE = 404
MEMBERS = {
    name: 200
    for name in ("alice", "bob", "carol", "lead", "head", "admin", "dpo", "tess", "outsider")
}
MANAGERS = {"lead": 200, "admin": 200, "outsider": 200}
MANAGER_OBJECT = {"lead": 200, "admin": 200, "outsider": 404}
LEADERS = {"lead": 200, "head": 200, "admin": 200, "outsider": 200}

GOAL_ROWS: dict[str, Row] = {
    "coaching:priority-list": Row(MEMBERS),
    "coaching:priority-new": Row(MANAGERS),
    "coaching:priority-edit": Row(MANAGER_OBJECT, args=lambda o: [priority(o)]),
    "coaching:priority-archive": Row(MANAGER_OBJECT, args=lambda o: [priority(o)]),
    "coaching:priority-restore": Row(
        {"lead": 302, "admin": 302, "outsider": 404},
        method="post",
        args=lambda o: [priority(o, archived=True)],
    ),
    "coaching:priority-report": Row(LEADERS),
    "coaching:goal-list": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [o["alice"].pk]),
    "coaching:goal-new": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [o["pair"].pk]),
    "coaching:goal-detail": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [goal(o)]),
    "coaching:goal-edit": Row(PARTIES, default=NOBODY_ELSE, args=lambda o: [goal(o)]),
    # an empty POST re-renders the goal with the reading form's errors
    "coaching:goal-reading-add": Row(
        PARTIES, default=NOBODY_ELSE, method="post", args=lambda o: [goal(o)]
    ),
}
