"""Plain-English labels and kinds for audit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coachroom.audit.labels import (
    KINDS,
    LABELS,
    kind_of,
    kind_q,
    label_for,
    safe_details,
    target_label,
)
from coachroom.audit.models import AuditEvent

SRC = Path(__file__).resolve().parents[2] / "src" / "coachroom"


def test_named_codes_read_as_sentences():
    assert label_for("coaching.observation.viewed") == "Viewed a drop-in"
    assert label_for("audit.log.exported") == "Downloaded the audit log"


def test_unknown_codes_still_read_sensibly():
    assert label_for("imports.roster.applied") == "Roster: applied"
    assert label_for("oddity") == "Oddity"
    assert target_label("coaching.observation") == "Drop-in"
    assert target_label("imports.rosterfile") == "Rosterfile"
    assert target_label("") == ""


CODE = re.compile(
    r'"((?:accounts|coaching|library|programme|imports|records|audit)\.[a-z_]+\.[a-z_]+)"'
)


def test_every_literal_code_in_the_source_has_a_label():
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            codes |= set(CODE.findall(path.read_text()))
    assert codes, "expected some audit codes in the source"
    missing = sorted(codes - set(LABELS))
    assert not missing, f"add a plain-English label to coachroom/audit/labels.py for {missing}"


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("coaching.observation.viewed", "views"),
        ("coaching.timeline.viewed", "views"),
        ("audit.bulk_access", "views"),
        ("programme.completion.exported", "exports"),
        ("audit.log.exported", "exports"),
        ("accounts.pair.history_shared", "exports"),
        ("records.subject_access.exported", "exports"),
        ("coaching.meeting.submitted_for_review", "exports"),
        ("records.retention.applied", "staff"),
        ("imports.roster.applied", "imports"),
        ("coaching.step.confirmed", "coaching"),
        ("programme.session.missed", "coaching"),
        ("accounts.staff.invited", "staff"),
        ("library.step.updated", "staff"),
        ("programme.calendar.regenerated", "staff"),
    ],
)
def test_kinds(action, kind):
    found = kind_of(action)
    assert found is not None
    assert found.key == kind


def test_unknown_prefixes_have_no_kind():
    assert kind_of("somewhere.else.done") is None


@pytest.mark.django_db
def test_the_database_filter_agrees_with_kind_of():
    codes = [*LABELS, "records.x.exported", "imports.y.z", "somewhere.else.done"]
    for code in codes:
        AuditEvent.objects.create(action=code)
    for kind in KINDS:
        in_db = set(AuditEvent.objects.filter(kind_q(kind.key)).values_list("action", flat=True))
        assert in_db == {c for c in codes if kind_of(c) is kind}, kind.key
    both = set(
        AuditEvent.objects.filter(kind_q("views", "exports")).values_list("action", flat=True)
    )
    assert both == {c for c in codes if kind_of(c) in (KINDS[0], KINDS[1])}


def test_details_show_ids_counts_and_codes_never_prose():
    data = {
        "steps_rated": 2,
        "filmed": False,
        "reason": "cover",
        "from": "2026-10-05",
        "roles": ["teacher", "coaching_lead"],
        "fields": ["title", "criteria", "drill", "pitfalls", "model", "source", "licence"],
        "notes": "***",
        "comment": "Pupil at the back table was upset",
        "Bad Key": 1,
        "nested": {"a": 1},
    }
    assert safe_details(data) == [
        ("Fields", "7 items"),
        ("Filmed", "no"),
        ("From", "2026-10-05"),
        ("Reason", "cover"),
        ("Roles", "teacher, coaching lead"),
        ("Steps rated", "2"),
    ]
    assert safe_details(["not", "a", "dict"]) == []


def test_timestamps_read_in_the_schools_time_zone():
    details = safe_details({"from": "2026-07-01T09:05:00+00:00", "odd": "2026T"})
    assert details == [("From", "1 Jul 2026, 10:05"), ("Odd", "2026T")]
