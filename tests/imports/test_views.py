"""Web imports: upload → dry run page → import for real → the run's page; limits; access."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachroom.accounts.models import Membership, User
from coachroom.imports.models import ImportRun, ImportUpload
from tests.factories import MembershipFactory, UserFactory
from tests.imports.roster import PUPIL_MARKERS, Roster, stored_upload_text

pytestmark = pytest.mark.django_db

STAFF_CSV = (
    "email,first_name,last_name,roles,coach_email\n"
    "sam.lee@oak.example,Sam,Lee,teacher; coach,\n"
    "ria.shah@oak.example,Ria,Shah,teacher,sam.lee@oak.example\n"
)


def upload(client, content: bytes, name: str, kind: str):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("imports:upload"), {"kind": kind, "file": file})


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_the_upload_page_offers_both_kinds_and_the_template(admin_client):
    response = admin_client.get(reverse("imports:upload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "OneRoster 1.1 export (zip)" in html and "Staff CSV" in html
    assert reverse("imports:staff-template") in html
    assert 'enctype="multipart/form-data"' in html


def test_a_staff_csv_is_checked_first_then_imported_for_real(admin_client, oak, oak_year, caplog):
    response = upload(admin_client, STAFF_CSV.encode(), "staff.csv", "staff")

    dry = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == dry.get_absolute_url()
    assert (dry.dry_run, dry.status, dry.created) == (True, "done", 3)
    assert (dry.total, dry.done) == (2, 2)  # rows read, for the progress bar
    assert not User.objects.filter(email="sam.lee@oak.example").exists()
    page = admin_client.get(dry.get_absolute_url()).content.decode()
    assert "Would create (3)" in page
    assert "Sam Lee &lt;sam.lee@oak.example&gt;" in page
    assert "Import for real" in page

    response = admin_client.post(reverse("imports:run-apply", args=[dry.pk]))

    real = ImportRun.objects.get(dry_run=False)
    assert response["Location"] == real.get_absolute_url()
    assert (real.status, real.applies, real.created) == ("done", dry, 3)
    assert Membership.objects.get(user__email="ria.shah@oak.example").school == oak
    page = admin_client.get(real.get_absolute_url()).content.decode()
    assert "3 created, 0 updated, 0 deactivated." in page
    assert "send them invitations from the staff page" in page
    assert bytes(ImportUpload.objects.get().content) == b""  # done with: not kept

    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # the tasks succeeded
    finished = [r for r in caplog.records if r.getMessage() == "import run finished"]
    assert [r.__dict__["created_count"] for r in finished] == [3, 3]

    again = admin_client.post(reverse("imports:run-apply", args=[dry.pk]))
    assert again["Location"] == real.get_absolute_url()  # no second import
    page = admin_client.get(dry.get_absolute_url()).content.decode()
    assert "Import for real" not in page and "See the import of this file" in page


def test_every_problem_is_listed_and_nothing_can_be_imported(admin_client, oak):
    text = "email,first_name,last_name,roles,ect\nbad,,Lee,teacher,perhaps\n"
    upload(admin_client, text.encode(), "staff.csv", "staff")

    run = ImportRun.objects.get()
    page = admin_client.get(run.get_absolute_url()).content.decode()
    assert run.status == "invalid" and len(run.errors) == 3
    assert "3 problems found: nothing has been imported" in page
    assert "<td>staff CSV</td><td>2</td><td>ect</td>" in page
    assert "Import for real" not in page
    assert admin_client.post(reverse("imports:run-apply", args=[run.pk])).status_code == 409


def test_a_oneroster_zip_imports_into_the_admins_school_only(admin_client, admin, oak, elm):
    upload(admin_client, Roster().zip_bytes(), "export.zip", "oneroster")
    dry = ImportRun.objects.get()
    assert dry.status == "done", dry.errors
    stored = stored_upload_text(bytes(dry.upload.content))
    for marker in PUPIL_MARKERS:
        assert marker not in stored
    assert dry.upload.dropped_rows == 5

    admin_client.post(reverse("imports:run-apply", args=[dry.pk]))

    assert set(
        Membership.objects.filter(school=oak, source_id__gt="").values_list(
            "user__email", flat=True
        )
    ) == {"ann.archer@oak.example", "ben.baker@oak.example", "cat.cole@trust.example"}
    assert not Membership.objects.filter(school=elm, source_id__gt="").exists()
    assert Membership.objects.get(user=admin).is_active  # added by hand: never deactivated
    oak.refresh_from_db()
    assert oak.source_id == "oak-1" and oak.trust.source_id == ""  # trusts left alone


def test_a_oneroster_export_without_the_admins_school_is_a_problem(admin_client, oak):
    roster = Roster().set("orgs.csv", "oak-1", identifier="333333")
    upload(admin_client, roster.zip_bytes(), "export.zip", "oneroster")
    run = ImportRun.objects.get()
    assert run.status == "invalid"
    assert run.errors[0]["message"] == "No school in orgs.csv has the URN 111111."


def test_files_over_the_size_limit_are_refused_with_a_clear_message(admin_client, settings):
    settings.COACHROOM_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(admin_client, b"x" * (1024 * 1024 + 1), "big.csv", "staff")
    assert response.status_code == 200
    assert "The file is just over 1.0 MB; the largest file you can upload is 1.0 MB." in (
        response.content.decode()
    )
    assert not ImportUpload.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "kind", "message"),
    [
        (b"email\n", "staff.csv", "oneroster", "This is not a zip file."),
        (Roster().zip_bytes(), "export.zip", "staff", "This is a zip file."),
        (b"email\n", "staff.xlsx", "staff", "Upload the staff list as a .csv file"),
    ],
)
def test_the_wrong_kind_of_file_is_refused(admin_client, content, name, kind, message):
    response = upload(admin_client, content, name, kind)
    assert message in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_the_run_page_polls_while_running_and_has_a_refresh_link(admin_client, admin, oak):
    stored = ImportUpload.objects.create(
        school=oak, kind="staff", filename="staff.csv", size=1, content=b"x"
    )
    run = ImportRun.objects.create(
        school=oak,
        upload=stored,
        kind="staff",
        status="running",
        total=400,
        done=100,
        phase="Reading the staff CSV",
    )
    url = reverse("imports:run-detail", args=[run.pk])

    page = admin_client.get(url).content.decode()
    fragment = admin_client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 2s"' in page
    assert f'<a href="{url}">Refresh to see progress</a>' in page
    assert '<progress id="run-progress" max="400" value="100">25%</progress>' in page
    assert fragment.lstrip().startswith('<div id="run-status"') and "<html" not in fragment
    run.status = "done"
    run.save()
    assert "every 2s" not in admin_client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_an_unexpected_error_marks_the_run_failed(admin_client, oak):
    with mock.patch("coachroom.imports.runs._execute", side_effect=RuntimeError("boom")):
        upload(admin_client, STAFF_CSV.encode(), "staff.csv", "staff")
    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert "Something went wrong" in admin_client.get(run.get_absolute_url()).content.decode()


def test_the_template_downloads_as_csv(admin_client):
    response = admin_client.get(reverse("imports:staff-template"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="coachroom-staff-template.csv"'
    )
    assert response.content.startswith(b"email,first_name,last_name,roles,coach_email")


def test_another_schools_run_is_404_and_teachers_get_403(client, oak, alice, outsider):
    stored = ImportUpload.objects.create(school=oak, kind="staff", filename="s.csv", size=1)
    run = ImportRun.objects.create(school=oak, upload=stored, kind="staff")
    client.force_login(outsider)
    assert client.get(reverse("imports:run-detail", args=[run.pk])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("imports:upload")).status_code == 403
    assert client.get(reverse("imports:run-detail", args=[run.pk])).status_code == 403


def test_an_admin_sees_only_their_own_schools_recent_runs(client, oak, elm, outsider, admin):
    stored = ImportUpload.objects.create(school=oak, kind="staff", filename="oak-staff.csv", size=1)
    ImportRun.objects.create(school=oak, upload=stored, kind="staff")
    client.force_login(outsider)
    assert "oak-staff.csv" not in client.get(reverse("imports:upload")).content.decode()
    client.force_login(admin)
    assert "oak-staff.csv" in client.get(reverse("imports:upload")).content.decode()


def test_old_uploads_are_emptied_when_a_new_one_arrives(admin_client, oak):
    old = ImportUpload.objects.create(
        school=oak, kind="staff", filename="old.csv", size=1, content=b"x"
    )
    ImportUpload.objects.filter(pk=old.pk).update(created_at="2020-01-01T00:00Z")
    upload(admin_client, STAFF_CSV.encode(), "staff.csv", "staff")
    old.refresh_from_db()
    assert bytes(old.content) == b"" and old.cleared_at is not None


def test_the_import_keeps_the_admin_even_if_they_left_the_export(admin_client, admin, oak):
    Membership.objects.filter(user=admin).update(source_id="t-admin")
    MembershipFactory(school=oak, user=UserFactory(), source_id="t-gone")
    upload(admin_client, Roster().zip_bytes(), "export.zip", "oneroster")
    dry = ImportRun.objects.get()
    assert dry.deactivated == 1
    assert any("you have been kept" in note for note in dry.result["notes"])


@pytest.mark.parametrize("runs", [1, 10])
def test_the_upload_pages_queries_do_not_grow_with_runs(
    admin_client, oak, runs, django_assert_max_num_queries
):
    stored = ImportUpload.objects.create(school=oak, kind="staff", filename="s.csv", size=1)
    for _ in range(runs):
        ImportRun.objects.create(school=oak, upload=stored, kind="staff", status="done")
    # session, user, memberships (3) + recent runs joined to their uploads (1)
    # + the session saved on every request, in a savepoint (3)
    with django_assert_max_num_queries(7):
        response = admin_client.get(reverse("imports:upload"))
    assert response.content.decode().count("s.csv") == runs
