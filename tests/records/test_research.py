"""The research export: no name, email or text gets out; exports cannot be joined; k holds."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections import defaultdict

import pytest
from django.db import models
from django.urls import reverse

from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    School,
    Term,
    Trust,
    User,
)
from coachroom.audit.models import AuditEvent
from coachroom.coaching.goals.models import Goal
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepEvidence,
    StepTransition,
)
from coachroom.library.models import LibraryStep, Priority
from coachroom.records.research import QUASI_IDENTIFIERS, k_anonymise, research_export
from tests.records.history import make_history
from tests.reporting.insights.history import make_year_of_coaching

TEXT_FIELDS = (models.CharField, models.TextField)  # EmailField and URLField are CharFields
MODELS = (
    Trust,
    School,
    AcademicYear,
    Term,
    User,
    Membership,
    CoachingRelationship,
    ActionStep,
    StepTransition,
    Observation,
    StepEvidence,
    FeedbackMeeting,
    RehearsalRound,
    Goal,
    Priority,
    LibraryStep,
)


def _files(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def _steps(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_files(content)["steps.csv"])))


def _seed_markers(school: School) -> list[str]:
    """A unique marker in every free-text field of every row the export could read: names,
    emails, notes, titles, reasons, subjects. Fixed choices (states, kinds) are not text."""
    counter = itertools.count(1)
    markers = []
    for model in MODELS:
        fields = [
            f
            for f in model._meta.get_fields()
            if isinstance(f, TEXT_FIELDS)
            and not f.choices
            and not f.primary_key
            and f.name not in ("password", "event", "from_state", "to_state", "paused_from")
        ]
        for pk in model._default_manager.values_list("pk", flat=True):
            values = {}
            for f in fields:
                marker = f"Zq{next(counter):04d}"  # six characters: fits even a URN
                values[f.name] = marker
                markers.append(marker)
            if values:
                model._default_manager.filter(pk=pk).update(**values)
    return markers


@pytest.fixture
def history(oak):
    make_year_of_coaching(oak, teachers=12)
    return oak


def test_no_name_email_or_free_text_reaches_the_export(history, pairing):
    make_history(pairing)  # notes, praise, reflection, rounds and a pause reason, this year
    markers = _seed_markers(history)
    assert len(markers) > 1000
    export = research_export(schools=[history], by=None)
    text = "\n".join(_files(export.content).values())
    assert export.rows > 20
    leaked = [m for m in markers if m in text]
    assert leaked == []


def test_two_exports_cannot_be_joined_on_ids(history):
    first = _steps(research_export(schools=[history], by=None).content)
    second = _steps(research_export(schools=[history], by=None).content)
    assert len(first) == len(second)
    for column in ("step", "pair", "teacher", "coach", "school"):
        assert not {r[column] for r in first} & {r[column] for r in second}, column
    # within one export the ids are consistent: each step's pair always has one teacher
    teachers_of_pair = defaultdict(set)
    for row in first:
        teachers_of_pair[row["pair"]].add(row["teacher"])
    assert all(len(t) == 1 for t in teachers_of_pair.values())


def test_every_quasi_identifier_combination_covers_k_teachers(history):
    rows = _steps(research_export(schools=[history], by=None, k=5).content)
    groups = defaultdict(set)
    for row in rows:
        groups[tuple(row[c] for c in QUASI_IDENTIFIERS)].add(row["teacher"])
    assert all(len(teachers) >= 5 for teachers in groups.values())


def test_k_anonymity_suppresses_then_drops_and_reports_it():
    def row(teacher: str, line_manager: str, kind: str = "instructional") -> dict[str, str]:
        return {
            "teacher": teacher,
            "school": "s",
            "year": "1",
            "pair_kind": kind,
            "same_subject": "no",
            "same_phase": "yes",
            "line_manager": line_manager,
        }

    rows = [row(f"t{i}", "no") for i in range(6)]  # six teachers: safe as they are
    rows += [row(f"t{i}", "yes") for i in (6, 7, 8)]  # three with their line manager
    rows += [row(f"t{i}", "no", kind="peer") for i in (9, 10)]  # two in peer pairs
    kept, suppressed, dropped, blanked = k_anonymise(rows, k=5)
    # the five rare rows lose a value at a time until, kind of pair gone, five teachers share one
    assert (len(kept), suppressed, dropped) == (11, 5, 0)
    assert [blanked[c] for c in QUASI_IDENTIFIERS] == [5, 5, 5, 5, 0, 0]
    assert rows[:6] == [row(f"t{i}", "no") for i in range(6)]  # the common rows untouched
    # four teachers in all: no suppression makes anyone safe, so nothing is kept
    kept, suppressed, dropped, _ = k_anonymise([row(f"t{i}", "no") for i in range(4)], k=5)
    assert (kept, suppressed, dropped) == ([], 0, 4)


def test_the_zip_has_a_data_dictionary_and_a_readme_with_the_suppression(history):
    export = research_export(schools=[history], by=None)
    files = _files(export.content)
    assert set(files) == {"steps.csv", "data-dictionary.csv", "README.txt"}
    dictionary = list(csv.DictReader(io.StringIO(files["data-dictionary.csv"])))
    header = files["steps.csv"].splitlines()[0].split(",")
    assert [d["column"] for d in dictionary] == header
    assert (
        f"Rows left out because no suppression made them common enough: {export.dropped_rows}"
        in files["README.txt"]
    )
    assert (
        f"Rows with a quasi-identifier suppressed (shown as *): {export.suppressed_rows}"
        in files["README.txt"]
    )


def test_dates_are_coarsened_to_school_weeks(history):
    rows = _steps(research_export(schools=[history], by=None).content)
    assert {r["year"] for r in rows} <= {"1", "2", "*"}
    assert all(1 <= int(r["agreed_week"]) <= 45 for r in rows)
    assert not any("2025" in value or "2026" in value for r in rows for value in r.values())


def test_the_data_protection_lead_downloads_it_and_it_is_audited(client, dpo, history):
    client.force_login(dpo)
    url = reverse("records:research-export")
    assert b"Research export for" in client.get(url).content
    response = client.post(url, {"k": "5"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert _steps(response.content)
    event = AuditEvent.objects.get(action="records.research.exported")
    assert event.actor == dpo and event.school == history and event.data["k"] == 5


def test_a_k_below_five_is_refused_on_the_page(client, dpo, history):
    client.force_login(dpo)
    response = client.post(reverse("records:research-export"), {"k": "2"})
    assert response.status_code == 200
    assert b"greater than or equal to 5" in response.content
    assert not AuditEvent.objects.filter(action="records.research.exported").exists()


def test_a_coaching_lead_may_not_make_it(client, lead):
    client.force_login(lead)
    assert client.post(reverse("records:research-export"), {"k": "5"}).status_code == 403
