"""The privacy gate: reads of records that hold narrative go through `objects.visible_to(...)`
(coaching/policy.py), not through hand-written filters.

Outside the allow-list below (the policy itself, the models' own managers, services that write,
demo loaders, and the data-protection lead's exports, subject access and erasure), a module may
not query a narrative model's `.objects` except through `visible_to`. The modules in
`NOT_YET_THROUGH_THE_GATE` are the reads that predate the gate (mostly counts for leaders and
lookups of rows already reached through a visible record): the number may only go down.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "coachroom"

NARRATIVE = frozenset(
    {
        "Observation",
        "FeedbackMeeting",
        "ActionStep",
        "StepTransition",
        "WalkVisit",
        "CoachingReview",
        "Thanks",
        "Goal",
        "GoalReading",
        "InductionReview",
        "SupportPlan",
        "EarlierInductionRecord",
        "SelfReview",
        "SelfReviewPoint",
    }
)
THROUGH_THE_GATE = frozenset({"visible_to", "activity_in", "none", "create"})

ALLOWED = (
    "coaching/policy.py",
    "coaching/models.py",
    "coaching/goals/models.py",
    "leading/models.py",
    "coaching/services.py",
    "coaching/goals/services.py",
    "coaching/selfreview/services.py",  # the self-reviews' services
    "leading/walks.py",  # the walks, reviews and thanks services
    "leading/findings.py",  # what walks found: counts and patterns, split out of walks.py
    "induction/models.py",
    "induction/reviews.py",  # the induction reviews' services
    "induction/support.py",  # the support plans' services
    "records/",  # the data-protection lead's exports, subject access, erasure, retention
    "migrations/",
    "demo.py",
)

NOT_YET_THROUGH_THE_GATE: dict[str, int] = {}  # every older direct read is gone


def _direct_reads(path: Path) -> int:
    """`Narrative.objects.<method>` calls other than through the gate."""
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr not in THROUGH_THE_GATE
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "objects"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in NARRATIVE
        ):
            count += 1
    return count


def _reads_outside_the_allow_list() -> Counter[str]:
    found: Counter[str] = Counter()
    for path in SRC.rglob("*.py"):
        name = path.relative_to(SRC).as_posix()
        if any(name.startswith(a) or name.endswith(a) or f"/{a}" in name for a in ALLOWED):
            continue
        if reads := _direct_reads(path):
            found[name] = reads
    return found


def test_no_new_direct_reads_of_narrative_models():
    found = _reads_outside_the_allow_list()
    grown = {
        name: reads
        for name, reads in found.items()
        if reads > NOT_YET_THROUGH_THE_GATE.get(name, 0)
    }
    assert not grown, (
        "Read narrative records through Model.objects.visible_to(viewer) (coaching/policy.py), "
        f"not by hand: {grown}"
    )


def test_the_baseline_only_goes_down():
    """When a module moves behind the gate, lower its number here so it cannot creep back."""
    found = _reads_outside_the_allow_list()
    stale = {
        name: (allowed, found.get(name, 0))
        for name, allowed in NOT_YET_THROUGH_THE_GATE.items()
        if found.get(name, 0) < allowed
    }
    assert not stale


def test_the_guard_sees_a_direct_read(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("rows = FeedbackMeeting.objects.filter(coach=user)\n", encoding="utf-8")
    assert _direct_reads(module) == 1
    module.write_text("rows = FeedbackMeeting.objects.visible_to(viewer)\n", encoding="utf-8")
    assert _direct_reads(module) == 0
