"""Exports (records/exports.py and its views): leaders' activity figures as CSV and XLSX, a
teacher's own record as a PDF, and the data protection lead's whole-school export
(records/school_data.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from coachroom.audit.models import AuditEvent
from coachroom.core.spreadsheets import safe_cell
from coachroom.records import exports, record_pdf
from tests.factories import RelationshipFactory, UserFactory
from tests.records.history import LONDON, NOTES, PRAISE, REFLECTION, STEP_TITLE, make_history

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
ACTIVITY = reverse("records:activity-export")
PDF = reverse("records:my-record-pdf")
SCHOOL_EXPORT = reverse("records:school-export")
RANGE = {"from_date": "2026-09-01", "to_date": "2026-11-23"}


@pytest.fixture(autouse=True)
def monday_23_november():
    with time_machine.travel(NOW, tick=False):
        yield


# Activity --------------------------------------------------------------------------------------


@pytest.fixture
def sneaky_coach(oak, oak_year, alice):
    """A coach whose name a spreadsheet would run as a formula."""
    coach = UserFactory(first_name='=HYPERLINK("http://evil.example")', last_name="@SUM(1)")
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach, coachee=alice)
    make_history(pair)
    return coach


@pytest.mark.parametrize("who", ["lead", "head", "admin"])
def test_leaders_download_a_workbook_of_counts(client, request, history, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(ACTIVITY, {**RANGE, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    named = {"Completion by coach", "Completion by coachee"}
    expected = [t[:31] for t in exports.TABLE_TITLES.values() if who == "lead" or t not in named]
    assert book.sheetnames == expected  # senior leaders and admins: the school's counts only
    activity = [row for row in book["Coaching recorded each week"].iter_rows(values_only=True)]
    assert activity[0][:3] == ("Week beginning", "Drop-ins recorded", "Feedback meetings")
    assert activity[1][1:4] == (1, 1, 1)  # one drop-in, one meeting, one rehearsal round
    assert isinstance(activity[1][0], dt.datetime)  # a real date, not text
    text = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    for narrative in (NOTES, PRAISE, REFLECTION):
        assert narrative not in text


@pytest.mark.parametrize("who", ["head", "admin"])
def test_senior_leaders_and_admins_get_no_table_by_person(client, request, history, who):
    client.force_login(request.getfixturevalue(who))
    for table in ("coach", "coachee"):
        response = client.get(ACTIVITY, {**RANGE, "format": "csv", "table": table})
        assert response.status_code == 200
        assert "attachment" not in response.get("Content-Disposition", "")
        assert "Select a valid choice" in response.content.decode()
    page = client.get(ACTIVITY).content.decode()
    assert "Completion by coachee" not in page
    assert "Completion by half-term" in page


def test_a_csv_holds_one_table(client, lead, history):
    client.force_login(lead)
    response = client.get(ACTIVITY, {**RANGE, "format": "csv", "table": "coachee"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Coachee", "Coach", "Current pair"]
    assert rows[1][:2] == ["Alice Example", "Bob Example"]
    assert NOTES not in response.content.decode()
    event = AuditEvent.objects.get(action="records.activity.exported")
    assert event.data == {
        "format": "csv",
        "table": "coachee",
        "from": "2026-09-01",
        "to": "2026-11-23",
    }


def test_csv_cells_that_look_like_formulas_are_made_plain(client, lead, sneaky_coach):
    client.force_login(lead)
    response = client.get(ACTIVITY, {**RANGE, "format": "csv", "table": "coach"})
    names = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))][1:]
    assert names == ['\'=HYPERLINK("http://evil.example") @SUM(1)']


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_guards_every_formula_start(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Alice") == "Alice"
    assert safe_cell(5) == 5


def test_xlsx_stores_formula_like_names_as_text(client, lead, sneaky_coach):
    client.force_login(lead)
    response = client.get(ACTIVITY, {**RANGE, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content))["Completion by coach"]
    cell = sheet["A2"]
    assert cell.value == '=HYPERLINK("http://evil.example") @SUM(1)'
    assert cell.data_type == "s"  # text, never a formula


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_teachers_and_coaches_cannot_export_school_figures(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ACTIVITY, {"format": "xlsx"}).status_code == 403


def test_outsider_exports_only_their_own_school(client, outsider, history):
    client.force_login(outsider)
    response = client.get(ACTIVITY, {**RANGE, "format": "csv", "table": "coachee"})
    assert response.status_code == 200
    assert "Alice" not in response.content.decode()


def test_the_page_without_a_format_offers_the_downloads(client, lead):
    client.force_login(lead)
    response = client.get(ACTIVITY)
    assert response.status_code == 200
    assert b'name="format" value="xlsx"' in response.content


def test_bad_dates_show_the_form_again(client, lead):
    client.force_login(lead)
    response = client.get(
        ACTIVITY, {"from_date": "2026-11-23", "to_date": "2026-09-01", "format": "csv"}
    )
    assert response.status_code == 200
    assert b"The end date must be on or after the start date." in response.content
    assert not AuditEvent.objects.filter(action="records.activity.exported").exists()


@pytest.mark.parametrize("pairs", [1, 4])
def test_activity_export_queries_do_not_grow(
    client, lead, oak, oak_year, pairs, django_assert_max_num_queries
):
    for _ in range(pairs):
        make_history(RelationshipFactory(school=oak, academic_year=oak_year))
    client.force_login(lead)
    # session, user, membership (3); the completion report: year, weeks, half-terms (2),
    # coaches, coachees (2), reasons (8); six weekly activity counts and step states (7); the
    # audit row (1); the session saved (3). The same for one pair or four.
    with django_assert_max_num_queries(22):
        response = client.get(ACTIVITY, {**RANGE, "format": "xlsx"})
    assert response.status_code == 200


# The teacher's own PDF ---------------------------------------------------------------------------


def test_teacher_downloads_their_record_as_a_pdf(client, alice, history):
    client.force_login(alice)
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    assert STEP_TITLE.encode() in response.content  # in the bookmarks
    event = AuditEvent.objects.get(action="records.pdf.exported")
    assert event.actor == alice
    assert event.subject == alice
    assert event.data == {"steps": 1, "drop_ins": 1, "meetings": 1}


@pytest.mark.parametrize("who", ["bob", "lead", "head", "admin", "outsider"])
def test_nobody_else_gets_the_teachers_pdf(client, request, history, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PDF).status_code == 404
    assert client.get(PDF, {"teacher": history.step.teacher_id}).status_code == 404


def test_a_coach_who_is_coached_gets_only_their_own_record(
    client, oak, oak_year, bob, carol, history
):
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=bob)
    make_history(pair)
    client.force_login(bob)
    response = client.get(PDF)
    assert response.status_code == 200
    record = exports.coaching_record(bob)
    assert [o.teacher_id for o in record.drop_ins] == [bob.pk]
    assert all(m.teacher_id == bob.pk for m in record.meetings)
    assert all(s.teacher_id == bob.pk for s in record.steps)


def test_the_record_holds_history_evidence_and_every_note(alice, history):
    record = exports.coaching_record(alice)
    (step,) = record.steps
    assert [t.event for t in step.history] == ["proposed", "agreed", "tried", "observed", "paused"]
    (drop_in,) = record.drop_ins
    assert drop_in.notes == NOTES
    assert [e.get_rating_display() for e in drop_in.evidence_list] == ["Partly"]
    (meeting,) = record.meetings
    assert (meeting.praise, meeting.reflection) == (PRAISE, REFLECTION)
    assert len(meeting.round_list) == 1


def test_unpublished_drafts_stay_out_of_the_pdf(alice, bob, pairing):
    from coachroom.coaching import services

    draft = services.observation_start(relationship=pairing, by=bob)
    services.observation_autosave(observation=draft, by=bob, notes="Half-written thoughts")
    assert exports.coaching_record(alice).drop_ins == []


def test_markup_and_unusual_characters_do_not_break_the_pdf(alice, bob, pairing):
    from coachroom.coaching import meetings

    history = make_history(pairing)
    meetings.meeting_reflect(
        meeting=history.meeting,
        by=alice,
        reflection="<b>Bold</b> & <script>x</script>\nŁukasz said “thanks” → 10/10 ✓",
    )
    pdf = record_pdf.coaching_record_pdf(exports.coaching_record(alice))
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("cycles", [1, 3])
def test_pdf_queries_do_not_grow(client, alice, pairing, cycles, django_assert_max_num_queries):
    from coachroom.coaching import services

    for day in (5, 12, 19)[:cycles]:
        history = make_history(pairing, on=dt.date(2026, 10, day))
        services.step_withdraw(step=history.step, by=alice, reason="Wrong step")
    client.force_login(alice)
    # session + user (2), has a record (1), steps + histories, drop-ins + evidence, meetings
    # + rounds (6), the audit row inside its savepoint (3), the session saved (3)
    with django_assert_max_num_queries(15):
        response = client.get(PDF)
    assert response.status_code == 200


# The school's whole data set ---------------------------------------------------------------------


def test_the_data_protection_lead_exports_everything_the_school_holds(client, dpo, history, oak):
    client.force_login(dpo)
    page = client.get(SCHOOL_EXPORT)
    assert page.status_code == 200
    assert b"Drop-ins" in page.content
    response = client.post(SCHOOL_EXPORT, {"reason": "moving", "confirm": "on"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["school"]["urn"] == oak.urn
    files = {f["file"]: f["rows"] for f in manifest["files"]}
    assert files["coaching.observation.json"] == 1
    assert files["accounts.membership.json"] >= 2
    observations = json.loads(archive.read("coaching.observation.json"))
    assert observations[0]["fields"]["notes"] == NOTES
    staff = json.loads(archive.read("accounts.user.json"))
    assert staff
    assert all("password" not in row["fields"] for row in staff)
    school_event = AuditEvent.objects.get(action="records.school.exported", subject=None)
    assert school_event.data["reason"] == "moving"
    teacher_event = AuditEvent.objects.get(
        action="records.school.exported", subject=history.step.teacher
    )
    assert teacher_event.actor == dpo


def test_the_school_export_leaves_out_other_schools(client, outsider, history):
    client.force_login(outsider)
    response = client.post(SCHOOL_EXPORT, {"reason": "dpo", "confirm": "on"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("coaching.observation.json")) == []
    assert b"Alice" not in archive.read("accounts.user.json")


def test_the_school_export_needs_a_reason_and_confirmation(client, dpo, history):
    client.force_login(dpo)
    response = client.post(SCHOOL_EXPORT, {"reason": "moving"})
    assert response.status_code == 200
    assert b"Confirm that you understand what the file holds." in response.content
    assert not AuditEvent.objects.filter(action="records.school.exported").exists()


@pytest.mark.parametrize("who", ["alice", "bob", "lead", "head", "admin"])
def test_only_the_data_protection_lead_exports_the_school(client, request, who):
    """School admins no longer get every note: the export is the data protection lead's."""
    client.force_login(request.getfixturevalue(who))
    assert client.post(SCHOOL_EXPORT, {"reason": "moving", "confirm": "on"}).status_code == 403
