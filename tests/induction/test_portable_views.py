"""The portable record on the web: the ECT's download; the upload at the new school, checked,
previewed and attached once; the earlier record read-only, with its PDF, for the ECT, induction
tutors and senior leaders. Elm is alice's new school, where `outsider` is the induction tutor."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.induction.models import EarlierInductionRecord, Induction
from coachroom.induction.portable.archive import read_archive
from coachroom.induction.portable.services import earlier_record_attach
from coachroom.records.subject_access import subject_access_data
from tests.factories import UserFactory
from tests.html import visible_text
from tests.induction.portable_data import (
    EVIDENCE,
    MARKER,
    export_of,
    induction_at,
    make_history,
    make_zip,
    members,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(visible_text(response.content.decode()))


@pytest.fixture
def record_zip(induction, alice, bob, tess, head, carol) -> bytes:
    """Alice's record as Oak's Coachroom exports it."""
    make_history(induction, alice=alice, bob=bob, tess=tess, head=head, carol=carol)
    return export_of(induction)


@pytest.fixture
def elm_induction(alice, elm, outsider) -> Induction:
    """Alice's induction at Elm, her new school, set up by Elm's induction tutor."""
    return induction_at(elm, alice, starts_on=dt.date(2027, 1, 4), by=outsider)


def import_url(induction: Induction) -> str:
    return reverse("induction:earlier-import", args=[induction.pk])


def upload(client, induction: Induction, content: bytes, name: str = "record.zip"):
    file = SimpleUploadedFile(name, content, content_type="application/zip")
    return client.post(import_url(induction), {"action": "check", "file": file})


def attach(client, induction: Induction, preview):
    fields = preview.context["confirm_form"].initial
    return client.post(import_url(induction), {"action": "attach", **fields})


# The ECT's download ---------------------------------------------------------------------------


def test_the_ect_downloads_their_own_record_and_it_is_audited(client, induction, alice):
    client.force_login(alice)
    assert "Download your induction record" in text_of(client.get(reverse("induction:mine")))
    response = client.post(reverse("induction:mine-record"))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="induction-record-alice-example-2026-11-04.zip"'
    )
    assert response.content == export_of(induction)
    event = AuditEvent.objects.get(action="induction.record.exported")
    assert (event.actor, event.subject, event.data["via"]) == (alice, alice, "web")


@pytest.mark.parametrize("person", ["bob", "tess", "head", "admin", "outsider"])
def test_nobody_else_downloads_an_ects_record(client, request, induction, person):
    client.force_login(request.getfixturevalue(person))
    assert client.post(reverse("induction:mine-record")).status_code == 404
    assert not AuditEvent.objects.filter(action="induction.record.exported").exists()


# Checking an upload ---------------------------------------------------------------------------


def _json_with(record_zip: bytes, **changes) -> bytes:
    files = members(record_zip)
    data = {**json.loads(files["induction.json"]), **changes}
    return make_zip({"induction.json": json.dumps(data), "induction.pdf": files["induction.pdf"]})


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (lambda z: b"not a zip at all", "This is not a zip file."),
        (
            lambda z: make_zip({"induction.pdf": members(z)["induction.pdf"]}),
            "The zip has no induction.json: it is not a Coachroom induction record.",
        ),
        (
            lambda z: make_zip({"induction.json": members(z)["induction.json"]}),
            "The zip has no induction.pdf",
        ),
        (
            lambda z: _json_with(z, version=2),
            "induction.json is version 2 of the record; this Coachroom reads version 1.",
        ),
        (
            lambda z: _json_with(z, format="something-else"),
            "induction.json is not a Coachroom induction record",
        ),
        (
            lambda z: _json_with(z, starts_on="2026-13-45"),
            "induction.json, starts_on: “2026-13-45” is not a date (written YYYY-MM-DD).",
        ),
        (
            lambda z: make_zip({"induction.json": "{oops", "induction.pdf": b"%PDF-1.4"}),
            "induction.json is not valid JSON (line 1, column 2)",
        ),
    ],
    ids=["not-a-zip", "no-json", "no-pdf", "version", "format", "bad-date", "bad-json"],
)
def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_saved(
    client, elm_induction, record_zip, outsider, content, problem
):
    client.force_login(outsider)
    response = upload(client, elm_induction, content(record_zip))
    assert response.status_code == 200
    assert "There is a problem" in text_of(response)
    assert problem in text_of(response)
    assert response.context.get("preview") is None
    assert not EarlierInductionRecord.objects.exists()


def test_every_problem_in_the_json_is_reported_at_once(record_zip):
    data = json.loads(members(record_zip)["induction.json"])
    data["reviews"][0]["due_on"] = "18/12/2026"
    data["steps"][0]["framework"][0]["section"] = 9
    del data["ect"]["email"]
    files = {"induction.json": json.dumps(data), "induction.pdf": b"%PDF-1.4"}
    assert read_archive(make_zip(files)).problems == (
        "induction.json, ect, email: is missing.",
        "induction.json, reviews, number 1, due_on: “18/12/2026” is not a date "
        "(written YYYY-MM-DD).",
        "induction.json, steps, number 1, framework, number 1, section: 9 is not a section "
        "of the framework (1 to 8).",
    )


def test_a_zip_too_large_or_with_too_many_files_is_refused_unread():
    assert "larger than 4 MB" in read_archive(b"x" * (4 * 1024 * 1024 + 1)).problems[0]
    many = make_zip({f"file{n}.txt": "x" for n in range(11)})
    assert read_archive(many).problems[0] == (
        "The zip holds 11 files; an induction record holds three."
    )


# Preview and attach ---------------------------------------------------------------------------


def test_the_preview_shows_whose_record_it_is_and_saves_nothing(
    client, elm_induction, record_zip, outsider
):
    client.force_login(outsider)
    response = upload(client, elm_induction, record_zip)
    assert response.context["warnings"] == []
    page = text_of(response)
    for shown in ("Alice Example (alice@oak.example)", "Oak School (URN 111111)", "7 Sep 2026"):
        assert shown in page
    assert "Reviews and assessments 1 signed" in page
    assert "Check this is Alice Example's record" in page
    assert not EarlierInductionRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="induction.earlier_record.imported").exists()


def test_the_preview_warns_when_the_record_is_someone_elses(client, oak, record_zip, tess):
    dan = UserFactory(first_name="Dan", last_name="Other", email="dan@oak.example")
    dans = induction_at(oak, dan, starts_on=dt.date(2026, 9, 7), by=tess)
    client.force_login(tess)
    page = text_of(upload(client, dans, record_zip))
    assert "The record is for alice@oak.example, not dan@oak.example." in page
    assert "The record's name, Alice Example, is not Dan Other" in page


def test_attaching_saves_the_record_once_however_often_it_is_sent(
    client, elm_induction, record_zip, outsider
):
    client.force_login(outsider)
    preview = upload(client, elm_induction, record_zip)
    first = attach(client, elm_induction, preview)
    record = EarlierInductionRecord.objects.get()
    assert first["Location"] == record.get_absolute_url()
    assert (record.school, record.induction, record.previous_school) == (
        elm_induction.school,
        elm_induction,
        "Oak School",
    )
    assert bytes(record.pdf) == members(record_zip)["induction.pdf"]
    assert record.imported_by == outsider
    again = attach(client, elm_induction, preview)
    assert again["Location"] == record.get_absolute_url()
    assert "Attaching it again changes nothing" in text_of(
        upload(client, elm_induction, record_zip)
    )
    assert EarlierInductionRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="induction.earlier_record.imported").count() == 1


def test_a_confirmation_that_is_not_the_previewed_file_attaches_nothing(
    client, elm_induction, record_zip, outsider
):
    client.force_login(outsider)
    fields = upload(client, elm_induction, record_zip).context["confirm_form"].initial
    changed = client.post(
        import_url(elm_induction), {"action": "attach", **fields, "sha256": "0" * 64}
    )
    assert "The file is not the one previewed" in text_of(changed)
    damaged = client.post(import_url(elm_induction), {"action": "attach", **fields, "record": "!!"})
    assert "The preview was damaged" in text_of(damaged)
    assert not EarlierInductionRecord.objects.exists()


def test_only_tutors_and_senior_leaders_attach(record_zip, induction, admin):
    with pytest.raises(Exception, match="induction tutors and senior leaders"):
        earlier_record_attach(induction=induction, reading=read_archive(record_zip), by=admin)


# Reading it -----------------------------------------------------------------------------------


@pytest.fixture
def attached(elm_induction, record_zip, outsider) -> EarlierInductionRecord:
    record, _ = earlier_record_attach(
        induction=elm_induction, reading=read_archive(record_zip), by=outsider
    )
    return record


def test_the_tutor_reads_it_from_the_induction_page_with_its_pdf(client, attached, outsider):
    client.force_login(outsider)
    detail = text_of(client.get(attached.induction.get_absolute_url()))
    assert "Earlier induction record from Oak School" in detail
    page = text_of(client.get(attached.get_absolute_url()))
    for shown in (
        EVIDENCE,
        "Not on track: 7. Managing behaviour",
        "Plan hinge questions.",
        "I agree with the targets.",
        "Tess Example, 4 Nov 2026",
        "Stop, scan, say Secured",
        "2.3, How pupils learn",
        "0 held of 0 planned",
        "2.0 hours recorded",
        "5 Oct 2026 to 9 Oct 2026",
    ):
        assert shown in page, shown
    assert MARKER not in page
    pdf = client.get(reverse("induction:earlier-pdf", args=[attached.pk]))
    assert pdf.content == bytes(attached.pdf) and pdf["Content-Type"] == "application/pdf"
    assert "induction-record-oak-school.pdf" in pdf["Content-Disposition"]
    actions = list(AuditEvent.objects.filter(actor=outsider).values_list("action", flat=True))
    assert "induction.earlier_record.viewed" in actions
    assert "induction.earlier_record.exported" in actions


def test_the_ect_reads_it_on_my_induction_at_their_new_school(client, attached, alice, elm):
    client.force_login(alice)
    client.post(reverse("accounts:switch-school"), {"school": elm.pk})
    mine = text_of(client.get(reverse("induction:mine")))
    assert "Earlier induction record from Oak School" in mine
    assert "Attach an earlier induction record" not in mine
    assert EVIDENCE in text_of(client.get(attached.get_absolute_url()))
    assert not AuditEvent.objects.filter(action="induction.earlier_record.viewed").exists()


def test_it_is_read_only(client, attached, outsider):
    client.force_login(outsider)
    assert client.post(attached.get_absolute_url()).status_code == 405
    assert client.post(reverse("induction:earlier-pdf", args=[attached.pk])).status_code == 405


@pytest.mark.parametrize("person", ["bob", "tess", "head", "admin", "carol"])
def test_nobody_at_the_old_school_reads_the_new_schools_copy(client, request, attached, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(attached.get_absolute_url()).status_code == 404


def test_the_earlier_record_is_in_the_ects_subject_access_export(attached, alice):
    [oak, elm] = subject_access_data(alice, school=None)["induction"]
    assert oak["earlier_schools"] == []
    [earlier] = elm["earlier_schools"]
    assert earlier["from_school"] == "Oak School"
    assert earlier["record"]["reviews"][0]["evidence"] == EVIDENCE


# Query budgets --------------------------------------------------------------------------------


def _attach_copies(induction: Induction, reading, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        EarlierInductionRecord.objects.create(
            school=induction.school,
            induction=induction,
            previous_school=f"School {n}",
            data=reading.data,
            pdf=reading.pdf,
            sha256=f"{n:064d}",
        )


def test_the_induction_pages_cost_the_same_for_one_earlier_record_or_five(
    client, elm_induction, record_zip, outsider, alice, elm, django_assert_max_num_queries
):
    reading = read_archive(record_zip)
    _attach_copies(elm_induction, reading, 1)
    client.force_login(alice)
    client.post(reverse("accounts:switch-school"), {"school": elm.pk})
    client.get(reverse("induction:mine"))  # warm the session and sign-in lookups
    for url, who in (
        (elm_induction.get_absolute_url(), outsider),
        (reverse("induction:mine"), alice),
    ):
        client.force_login(who)
        client.post(reverse("accounts:switch-school"), {"school": elm.pk})
        client.get(url)
        # the page as it was, and one query for the earlier records: the same for five
        with django_assert_max_num_queries(40) as one:
            client.get(url)
        _attach_copies(elm_induction, reading, 4, start=len(EarlierInductionRecord.objects.all()))
        with django_assert_max_num_queries(len(one.captured_queries)):
            page = text_of(client.get(url))
        assert page.count("Earlier induction record from") == EarlierInductionRecord.objects.count()


def test_the_earlier_record_page_costs_the_same_however_long_the_record(
    client, elm_induction, record_zip, outsider, elm, django_assert_max_num_queries
):
    reading = read_archive(record_zip)
    short = EarlierInductionRecord.objects.create(
        school=elm, induction=elm_induction, previous_school="Oak", data=reading.data, sha256="1"
    )
    long_data = {**reading.data, "steps": reading.data["steps"] * 200}
    long = EarlierInductionRecord.objects.create(
        school=elm, induction=elm_induction, previous_school="Oak", data=long_data, sha256="2"
    )
    client.force_login(outsider)
    client.get(short.get_absolute_url())  # warm the session and sign-in lookups
    # session, person and memberships (3), the record with its induction, ECT and importer
    # (1), the read's audit event (1), the session saved in a savepoint (3)
    with django_assert_max_num_queries(8) as few:
        client.get(short.get_absolute_url())
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text_of(client.get(long.get_absolute_url()))
    assert page.count("Stop, scan, say") == 200
