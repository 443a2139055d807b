from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from coachroom.library.models import LibraryStep, Problem, Strand, SubStrand
from coachroom.library.services import library_step_copy
from coachroom.library.starter import (
    STARTER_FILE,
    STARTER_SOURCE,
    load_starter_library,
    read_starter_file,
)
from tests.factories import TrustFactory
from tests.library.factories import LibraryStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped() -> dict[str, Any]:
    return read_starter_file()


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "starter_steps.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def next_version(data: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["version"] = data["version"] + 1
    return changed


def test_every_migrated_database_has_the_starter_library_across_all_six_strands(shipped):
    starter = LibraryStep.objects.starter()
    assert starter.count() == len(shipped["steps"]) >= 60
    assert Strand.objects.count() == 6
    assert all(strand.steps.exists() for strand in Strand.objects.all())
    assert Problem.objects.count() == len(shipped["problems"])
    assert SubStrand.objects.filter(strand__slug="feedback-assessment").count() == 4


def test_starter_steps_are_stored_in_the_library_shape(shipped):
    step = LibraryStep.objects.get(key="explain-enquiry-question")
    assert step.school is None and step.trust is None
    assert len(step.criteria) == 3 and step.looks_like.count("\n") == 2
    assert step.subjects == "History, Geography, RE"
    assert step.subject_list == ["History", "Geography", "RE"]
    assert step.source == STARTER_SOURCE
    assert step.licence == shipped["licence"]
    assert step.version == shipped["version"]
    assert step.substrand is not None and step.substrand.slug == "sequence"
    assert step.ittecf_sections == "3, 4"
    assert [p.slug for p in step.problems.all()]
    assert Strand.objects.get(slug="culture-routines").ittecf_sections == "1, 7"


def test_problems_keep_both_labellings():
    problem = Problem.objects.get(slug="thinking")
    assert problem.kennedy_label == "Exposing student thinking"
    assert problem.steplab_label == "Cognition"


def test_a_second_run_is_a_cheap_no_op(django_assert_max_num_queries):
    before = dict(LibraryStep.objects.starter().values_list("key", "updated_at"))
    # One aggregate over the live starter steps shows the file's version is already loaded.
    with django_assert_max_num_queries(2):
        report = load_starter_library()
    assert report.up_to_date
    assert (report.created, report.updated, report.archived) == (0, 0, 0)
    assert dict(LibraryStep.objects.starter().values_list("key", "updated_at")) == before


def test_forcing_a_reload_of_the_same_file_changes_nothing():
    before = dict(LibraryStep.objects.starter().values_list("key", "updated_at"))
    report = load_starter_library(force=True)
    assert not report.up_to_date
    assert (report.created, report.updated, report.archived) == (0, 0, 0)
    assert dict(LibraryStep.objects.starter().values_list("key", "updated_at")) == before


def test_a_new_version_updates_starter_wording_but_not_a_school_copy(tmp_path, shipped, oak, lead):
    original = LibraryStep.objects.get(key="entry-ready-to-learn")
    school_copy = library_step_copy(step=original, school=oak, by=lead)
    changed = next_version(shipped)
    row = next(s for s in changed["steps"] if s["key"] == "entry-ready-to-learn")
    row["title"] = "Ready-to-learn entry, recap on the board"
    row["looks_like"][0] = "The teacher greets pupils at the door and points to the recap."

    report = load_starter_library(path=write(tmp_path, changed))

    assert (report.created, report.updated, report.archived) == (0, 1, 0)
    original.refresh_from_db()
    assert original.title == "Ready-to-learn entry, recap on the board"
    assert original.criteria[0].startswith("The teacher greets pupils at the door")
    assert set(LibraryStep.objects.starter().values_list("version", flat=True)) == {2}
    school_copy.refresh_from_db()
    assert school_copy.title == "Ready-to-learn entry"
    assert "stands at the door" in school_copy.looks_like
    assert school_copy.version == 1
    assert school_copy.copied_from == original


def test_school_and_trust_steps_are_never_touched(tmp_path, shipped, oak):
    school_step = LibraryStepFactory(school=oak, key="entry-ready-to-learn", title="Ours")
    trust_step = LibraryStepFactory(school=None, trust=TrustFactory(), title="Trust's")
    load_starter_library(path=write(tmp_path, next_version(shipped)), force=True)
    school_step.refresh_from_db()
    trust_step.refresh_from_db()
    assert (school_step.title, school_step.version, school_step.is_archived) == ("Ours", 1, False)
    assert (trust_step.title, trust_step.version, trust_step.is_archived) == ("Trust's", 1, False)


def test_keys_gone_from_the_file_are_archived_not_deleted(tmp_path, shipped, oak):
    smaller = next_version(shipped)
    smaller["steps"] = [s for s in smaller["steps"] if s["key"] != "pace-no-echoing"]

    report = load_starter_library(path=write(tmp_path, smaller))

    assert report.archived == 1
    gone = LibraryStep.objects.get(key="pace-no-echoing")
    assert gone.is_archived
    assert not LibraryStep.objects.available_to(oak).filter(pk=gone.pk).exists()

    report = load_starter_library(path=STARTER_FILE, force=True)
    gone.refresh_from_db()
    assert not gone.is_archived
    assert report.updated == 1


def test_new_rows_and_changed_tags_follow_the_file(tmp_path, shipped):
    changed = next_version(shipped)
    changed["problems"].append({"slug": "time", "kennedy": "Time", "steplab": "Time"})
    changed["strands"][0]["substrands"].append({"slug": "exit", "name": "Exit"})
    row = next(s for s in changed["steps"] if s["key"] == "entry-ready-to-learn")
    row["problems"] = ["time", "participation"]
    new = {**row, "key": "exit-calm-dismissal", "substrand": "exit", "title": "Calm dismissal"}
    changed["steps"].append(new)

    report = load_starter_library(path=write(tmp_path, changed))

    assert report.created == 1
    step = LibraryStep.objects.get(key="entry-ready-to-learn")
    assert sorted(p.slug for p in step.problems.all()) == ["participation", "time"]
    added = LibraryStep.objects.get(key="exit-calm-dismissal")
    assert added.substrand is not None and added.substrand.name == "Exit"
    assert added.substrand.order == 5


def test_the_command_prints_its_counts():
    out = io.StringIO()
    call_command("load_starter_library", stdout=out)
    assert "0 created, 0 updated, 0 archived" in out.getvalue()
    out = io.StringIO()
    call_command("load_starter_library", "--force", stdout=out)
    assert "(already loaded)" not in out.getvalue()
    assert "0 created" in out.getvalue()


def test_migrating_again_keeps_the_library_as_it_is():
    before = LibraryStep.objects.count()
    call_command("migrate", verbosity=0)
    assert LibraryStep.objects.count() == before


def test_the_migrate_hook_skips_unapplying_migrations(monkeypatch):
    from django.apps import apps

    from coachroom.library import apps as library_apps

    calls: list[str] = []
    monkeypatch.setattr(
        "coachroom.library.starter.load_starter_library", lambda **kw: calls.append("load")
    )
    config = apps.get_app_config("library")
    library_apps.load_starter_after_migrate(config, using="default", plan=[(object(), True)])
    assert calls == []
