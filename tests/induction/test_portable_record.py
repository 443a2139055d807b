"""The portable record: a zip of a PDF, JSON and README with alice's induction as she reads it,
never a note, and the same bytes for the same data. The clock is pinned to 4 November 2026."""

from __future__ import annotations

import io
import zipfile

import pytest

from coachroom.induction.portable.archive import read_archive
from coachroom.induction.portable.record import FORMAT, VERSION
from tests.induction.portable_data import (
    EVIDENCE,
    MARKER,
    export_of,
    make_history,
    members,
    pdf_text,
    record_json,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(induction, alice, bob, tess, head, carol):
    make_history(induction, alice=alice, bob=bob, tess=tess, head=head, carol=carol)
    return induction


def test_the_zip_holds_a_pdf_the_same_record_as_json_and_a_readme(history):
    files = members(export_of(history))
    assert sorted(files) == ["README.txt", "induction.json", "induction.pdf"]
    assert files["induction.pdf"].startswith(b"%PDF-")
    readme = files["README.txt"].decode()
    assert "Alice Example" in readme and "Oak School" in readme and "version 1" in readme


def test_the_json_carries_the_induction_with_iso_dates(history):
    data = record_json(export_of(history))
    assert (data["format"], data["version"], data["as_of"]) == (FORMAT, VERSION, "2026-11-04")
    assert data["ect"] == {"name": "Alice Example", "email": "alice@oak.example"}
    assert data["school"] == {"name": "Oak School", "urn": "111111"}
    assert data["appropriate_body"] == {"name": "Oakshire TSH", "contact": ""}
    assert (data["starts_on"], data["fte"], data["left_on"]) == ("2026-09-07", "1.00", None)
    assert (data["mentor"], data["induction_tutor"]) == ("Bob Example", "Tess Example")
    assert data["dates"]["points"][0] == {
        "what": "Progress review, Autumn 2026",
        "due_on": "2026-12-18",
    }
    assert data["absences"] == [{"first_day": "2026-10-05", "last_day": "2026-10-09"}]
    assert data["mentor_meetings"] == {"held": 0, "planned": 0}
    assert data["time_off"]["hours_recorded"] == "2.0"


def test_only_signed_reviews_travel_with_who_signed_and_when(history):
    [review] = record_json(export_of(history))["reviews"]
    assert review["title"] == "Progress review, Autumn 2026"
    assert (review["outcome"], review["evidence"]) == ("not on track", EVIDENCE)
    assert review["standards_of_concern"] == [{"number": 7, "title": "Managing behaviour"}]
    assert review["targets"] == "Plan hinge questions."
    assert review["ect_comments"] == "I agree with the targets."
    assert review["signed"] == {
        "induction_tutor": {"name": "Tess Example", "on": "2026-11-04"},
        "headteacher": {"name": "Head Example", "on": "2026-11-04"},
        "ect": {"name": "Alice Example", "on": "2026-11-04"},
    }


def test_steps_travel_as_titles_states_dates_and_framework_tags(history):
    [step] = record_json(export_of(history))["steps"]
    assert step == {
        "title": "Stop, scan, say",
        "state": "secured",
        "proposed_on": "2026-11-04",
        "agreed_on": "2026-09-21",
        "secured_on": "2026-10-14",
        "stuck_on": None,
        "framework": [{"section": 2, "section_title": "How pupils learn", "statement": "2.3"}],
    }


def test_no_note_plan_reason_or_support_plan_is_in_the_zip_or_the_pdf(history):
    content = export_of(history)
    files = members(content)
    text = pdf_text(files["induction.pdf"])
    assert EVIDENCE in text and "Stop, scan, say" in text  # the reader sees the PDF's words
    assert MARKER.encode() not in content
    for name, data in files.items():
        assert MARKER.encode() not in data, name
    assert MARKER not in text
    assert "Not a mentoring step" not in files["induction.json"].decode()


def test_the_same_record_makes_the_same_bytes(history):
    first, second = export_of(history), export_of(history)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_what_is_exported_reads_back_unchanged(history):
    content = export_of(history)
    reading = read_archive(content)
    assert reading.ok, reading.problems
    assert reading.data == record_json(content)
    assert reading.pdf == members(content)["induction.pdf"]


def test_a_newly_set_up_induction_exports_with_nothing_signed_yet(induction):
    data = record_json(export_of(induction))
    assert (data["reviews"], data["steps"], data["absences"]) == ([], [], [])
    assert "None signed yet." in pdf_text(members(export_of(induction))["induction.pdf"])
