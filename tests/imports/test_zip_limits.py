"""A OneRoster zip is checked from its directory before anything is unpacked, and read with a
bounded reader; web uploads are unpacked by the background worker, not the web request."""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachroom import cli
from coachroom.accounts.models import Membership
from coachroom.imports import oneroster
from coachroom.imports.common import Problems
from coachroom.imports.models import ImportRun, ImportUpload
from coachroom.imports.runs import run_execute
from tests.imports.roster import PUPIL_MARKERS, Roster, stored_upload_text
from tests.imports.test_views import STAFF_CSV

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def bomb(declared_mb: int = 8) -> bytes:
    """A real export with users.csv swapped for megabytes of zeros: a few kB zipped."""
    files = Roster().bundle()
    files["users.csv"] = b"0" * (declared_mb * MB)
    return zip_of(files)


def read(data: bytes) -> tuple[oneroster.Bundle, list[str]]:
    problems = Problems()
    bundle = oneroster.bundle_from_zip(data, problems)
    return bundle, [str(p) for p in problems.items]


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    data = bomb()
    assert len(data) < 64 * 1024

    tracemalloc.start()
    try:
        bundle, problems = read(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert bundle == {}
    assert len(problems) == 1
    assert problems[0].startswith("The upload: users.csv is compressed ")
    assert "far more than any CSV file: Coachroom does not unpack it." in problems[0]
    assert peak < MB  # nothing the size of the 8 MB inside was ever made


def test_a_zip_that_unpacks_past_the_cap_is_refused(settings):
    settings.COACHROOM_IMPORT_MAX_UNZIPPED_BYTES = MB
    results = random.Random(1).randbytes(MB // 2).hex().encode()  # 1 MB, compressed 2 to 1
    bundle, problems = read(zip_of({**Roster().bundle(), "results.csv": results}))
    assert bundle == {}
    assert problems == [
        "The upload: The zip unpacks to just over 1.0 MB; Coachroom unpacks at most 1.0 MB. "
        "Leave out files it does not read (such as demographics.csv)."
    ]


def test_a_member_that_holds_more_than_its_header_says_is_not_read_past_it():
    data = bytearray(zip_of({**Roster().bundle()}))
    central = data.index(b"PK\x01\x02")  # the first file's entry in the zip's directory
    name_length = struct.unpack_from("<H", data, central + 28)[0]
    name = bytes(data[central + 46 : central + 46 + name_length]).decode()
    struct.pack_into("<I", data, central + 24, 10)  # it now claims to unpack to 10 bytes

    bundle, problems = read(bytes(data))

    assert name not in bundle
    assert problems == [
        f"{name}: {name} could not be unpacked: the zip is damaged. Export it again from your MIS."
    ]


@pytest.mark.parametrize("name", ["../orgs.csv", "/etc/users.csv", "C:/export/users.csv"])
def test_unsafe_names_are_refused(name):
    bundle, problems = read(zip_of({**Roster().bundle(), name: b"x"}))
    assert bundle == {}
    assert problems == [f"The upload: The zip holds a file with an unsafe name: “{name}”."]


def test_a_zip_of_very_many_files_is_refused():
    bundle, problems = read(zip_of({f"f{i}.txt": b"" for i in range(501)}))
    assert bundle == {}
    assert problems == ["The upload: The zip holds 501 files; an export has a dozen or so."]


def test_the_terminal_refuses_a_zip_bomb_with_exit_1(tmp_path, capsys):
    path = tmp_path / "export.zip"
    path.write_bytes(bomb())

    assert cli.main(["import", "oneroster", str(path)]) == 1

    out, err = capsys.readouterr()
    assert "users.csv is compressed" in out
    assert "1 problem found, so nothing was imported" in err
    assert not Membership.objects.exists()


# The web upload: the worker does the unpacking ----------------------------------------------


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def no_worker(settings):
    """Tasks are queued and not run, as when the worker has not reached them yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def post(client, content: bytes, name: str, kind: str, submission: str = "k1"):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(
        reverse("imports:upload"), {"kind": kind, "file": file, "submission": submission}
    )


def test_the_web_request_only_stores_the_zip_and_the_worker_unpacks_it(
    admin_client, oak, no_worker
):
    response = post(admin_client, Roster().zip_bytes(), "export.zip", "oneroster")

    run = ImportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert (run.status, run.upload.raw) == ("queued", True)
    page = admin_client.get(run.get_absolute_url()).content.decode()
    assert "Waiting for the background worker to start" in page
    assert 'hx-trigger="every 2s"' in page and "Refresh to see progress" in page

    run_execute(run_id=run.pk)  # what the worker does

    run.refresh_from_db()
    upload = ImportUpload.objects.get()
    assert run.status == "done", run.errors
    assert (upload.raw, upload.dropped_rows) == (False, 5)
    stored = stored_upload_text(bytes(upload.content))
    for marker in PUPIL_MARKERS:
        assert marker not in stored
    assert "birthDate" not in stored  # demographics.csv: never opened, not kept


def test_a_zip_bomb_uploaded_on_the_web_is_a_problem_and_is_not_kept(admin_client, oak):
    post(admin_client, bomb(), "export.zip", "oneroster")

    run = ImportRun.objects.get()
    upload = ImportUpload.objects.get()
    assert run.status == "invalid"
    assert "users.csv is compressed" in run.errors[0]["message"]
    assert (bytes(upload.content), upload.raw) == (b"", False)
    assert upload.cleared_at is not None
    page = admin_client.get(run.get_absolute_url()).content.decode()
    assert "1 problem found: nothing has been imported" in page


def test_a_file_as_uploaded_is_emptied_if_the_worker_fails(admin_client, oak, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(oneroster, "redact_bundle", boom)
    post(admin_client, Roster().zip_bytes(), "export.zip", "oneroster")

    upload = ImportUpload.objects.get()
    assert ImportRun.objects.get().status == "failed"
    assert (bytes(upload.content), upload.raw) == (b"", False)


def test_a_double_submitted_upload_makes_one_run(admin_client, oak, no_worker):
    first = post(admin_client, STAFF_CSV.encode(), "staff.csv", "staff", submission="abc")
    second = post(admin_client, STAFF_CSV.encode(), "staff.csv", "staff", submission="abc")

    run = ImportRun.objects.get()
    assert first["Location"] == second["Location"] == run.get_absolute_url()
    assert ImportUpload.objects.count() == 1


def test_another_file_from_the_same_form_is_a_new_upload(admin_client, oak, no_worker):
    post(admin_client, STAFF_CSV.encode(), "staff.csv", "staff", submission="abc")
    post(admin_client, STAFF_CSV.encode() + b"\n", "staff.csv", "staff", submission="abc")
    assert ImportRun.objects.count() == 2


def test_the_upload_form_carries_a_one_off_key(admin_client):
    one = admin_client.get(reverse("imports:upload")).content.decode()
    two = admin_client.get(reverse("imports:upload")).content.decode()
    key = 'name="submission" value="'
    assert key in one
    assert one.split(key)[1][:32] != two.split(key)[1][:32]
