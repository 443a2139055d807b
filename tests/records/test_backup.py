"""`coachroom backup` and `coachroom restore` (records/backup.py), in this process and database.

The cross-database round trip (SQLite → PostgreSQL → SQLite) runs the CLI in subprocesses:
see test_backup_postgres.py.
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from argparse import Namespace
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from coachroom import cli
from coachroom.accounts import migrations as accounts_migrations
from coachroom.accounts.models import School, User
from coachroom.coaching.models import FeedbackMeeting, Observation
from coachroom.core.errors import DomainError
from coachroom.demo import load_demo
from coachroom.library.models import LibraryStep
from coachroom.records import backup, serialization
from coachroom.records.backup_signing import key_file
from tests.factories import SchoolFactory
from tests.records.history import NOTES
from tests.records.test_backup_archive import TEST_KEY, rebuilt


@pytest.fixture(autouse=True)
def _backup_key(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("COACHROOM_BACKUP_KEY", TEST_KEY)
    settings.DATA_DIR = tmp_path / "data"


def _tables(path) -> dict[str, list[dict]]:
    """Every row in an archive, parsed, by model (JSON objects compare regardless of key order,
    which PostgreSQL's jsonb does not keep)."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return {
            t["model"]: [json.loads(line) for line in archive.read(t["file"]).splitlines()]
            for t in manifest["tables"]
        }


def _manifest(path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def _flush():
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_round_trip_of_the_demo_gives_identical_data(tmp_path, capsys):
    load_demo()
    first = tmp_path / "first.zip"
    assert backup.run_backup(Namespace(path=str(first))) == 0
    sample_user = User.objects.order_by("pk").first()
    sample_obs = Observation.objects.exclude(notes="").order_by("pk").first()
    sample_meeting = FeedbackMeeting.objects.order_by("pk").first()
    linked = sorted(sample_meeting.observations.values_list("pk", flat=True))
    counts = {t["model"]: t["rows"] for t in _manifest(first)["tables"]}
    assert counts["coaching.observation"] > 0
    assert counts["accounts.user"] > 0

    _flush()
    assert not User.objects.exists()
    assert backup.run_restore(Namespace(path=str(first))) == 0
    out = capsys.readouterr().out
    assert "Restored" in out
    assert "coaching.observation" in out

    for label, rows in counts.items():
        model = apps.get_model(label)
        assert model._base_manager.count() == rows, label
    user = User.objects.get(pk=sample_user.pk)
    assert (user.email, user.password, user.date_joined) == (
        sample_user.email,
        sample_user.password,
        sample_user.date_joined,  # microseconds kept
    )
    obs = Observation.objects.get(pk=sample_obs.pk)
    assert (obs.notes, obs.observed_at, obs.updated_at) == (
        sample_obs.notes,
        sample_obs.observed_at,
        sample_obs.updated_at,  # auto_now fields keep the backed-up value
    )
    meeting = FeedbackMeeting.objects.get(pk=sample_meeting.pk)
    assert sorted(meeting.observations.values_list("pk", flat=True)) == linked

    second = tmp_path / "second.zip"
    backup.run_backup(Namespace(path=str(second)))
    assert _tables(second) == _tables(first)
    # new rows get fresh ids after a restore (PostgreSQL sequences were reset)
    assert SchoolFactory().pk > max(t["pk"] for t in _tables(first)["accounts.school"])


MIGRATIONS = Path(accounts_migrations.__file__).parent


def test_manifest_records_version_schema_and_counts(tmp_path, history):
    path = tmp_path / "b.zip"
    backup.write_backup(path)
    manifest = _manifest(path)
    assert manifest["format"] == "coachroom-backup"
    assert manifest["format_version"] == 2
    assert manifest["coachroom_version"]
    newest = max(p.stem for p in MIGRATIONS.glob("0*.py"))  # the newest file in the package
    assert manifest["migrations"]["accounts"] == newest
    assert manifest["migrations"]["coaching"]
    tables = {t["model"]: t for t in manifest["tables"]}
    assert tables["coaching.observation"]["rows"] == 1
    with zipfile.ZipFile(path) as archive:
        data = archive.read(tables["coaching.observation"]["file"])
        assert tables["coaching.observation"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert set(json.loads(archive.read("signature.json"))) == {"algorithm", "key_id", "hmac"}
    assert "auth.group" in tables
    assert "sessions.session" not in tables
    # referred-to tables come first
    order = [t["model"] for t in manifest["tables"]]
    assert order.index("accounts.school") < order.index("coaching.observation")
    assert order.index("accounts.user") < order.index("accounts.membership")
    assert order.index("coaching.observation") < order.index("coaching.stepevidence")
    rows = _tables(path)["coaching.observation"]
    assert rows[0]["fields"]["notes"] == NOTES


def test_tables_are_read_in_chunks(oak, elm, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(serialization, "CHUNK_ROWS", 1)
    with django_assert_num_queries(3):  # one row, another row, then an empty page
        rows = list(serialization.rows(School.objects.all()))
    assert [r["pk"] for r in rows] == sorted([oak.pk, elm.pk])


def test_backup_refuses_to_overwrite(tmp_path, capsys, db):
    path = tmp_path / "b.zip"
    path.write_text("an older backup")
    assert cli.main(["backup", str(path)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err
    assert err.count("\n") == 1
    assert path.read_text() == "an older backup"


def test_restore_refuses_a_database_with_data(tmp_path, capsys, history):
    path = tmp_path / "b.zip"
    backup.write_backup(path)
    assert cli.main(["restore", str(path)]) == 1
    err = capsys.readouterr().err
    assert "already has Coachroom data" in err
    assert err.count("\n") == 1


def test_the_shipped_starter_library_does_not_count_as_data(db):
    assert LibraryStep.objects.starter().exists()  # installed by migrate
    assert backup.existing_data() == {}


def test_restore_refuses_a_different_schema(tmp_path, db):
    path = tmp_path / "b.zip"
    backup.write_backup(path)

    def from_the_future(manifest):
        manifest["migrations"]["coaching"] = "0099_from_the_future"

    changed = rebuilt(path, tmp_path / "changed.zip", manifest=from_the_future)
    with pytest.raises(DomainError) as error:
        backup.restore_backup(changed)
    assert "coaching is at 0099_from_the_future in the backup" in str(error.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "is not a readable zip file"),
        (None, "it has no manifest"),
    ],
)
def test_restore_refuses_what_is_not_a_backup(tmp_path, db, content, message):
    path = tmp_path / "b.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hi")
    else:
        path.write_bytes(content)
    with pytest.raises(DomainError, match=message):
        backup.restore_backup(path)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_truncated_table(tmp_path, history):
    path = tmp_path / "b.zip"
    backup.write_backup(path)
    _flush()
    cut = rebuilt(
        path,
        tmp_path / "cut.zip",
        change=lambda name, data: b"" if name.endswith("coaching.observation.jsonl") else data,
    )
    with pytest.raises(DomainError, match="incomplete"):
        backup.restore_backup(cut)
    assert not User.objects.exists()  # one transaction: nothing half-loaded


def test_uploaded_files_travel_with_the_backup(tmp_path, settings, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "staff.csv").write_text("email\n")
    path = tmp_path / "b.zip"
    manifest = backup.write_backup(path)
    digest = hashlib.sha256(b"email\n").hexdigest()
    assert manifest["media"] == [{"file": "media/imports/staff.csv", "bytes": 6, "sha256": digest}]
    settings.MEDIA_ROOT = tmp_path / "elsewhere"
    assert backup.restore_backup(path).files == 1
    assert (tmp_path / "elsewhere" / "imports" / "staff.csv").read_text() == "email\n"


def test_dependency_order_puts_referred_models_first():
    from coachroom.accounts.models import Membership
    from coachroom.coaching.models import StepEvidence

    order = backup.dependency_order([StepEvidence, Membership, Observation, School, User])
    assert order.index(School) < order.index(Membership)
    assert order.index(User) < order.index(Membership)
    assert order.index(Observation) < order.index(StepEvidence)


def test_the_first_backup_makes_a_key_file_and_says_so(tmp_path, capsys, db, monkeypatch):
    monkeypatch.delenv("COACHROOM_BACKUP_KEY")
    assert cli.main(["backup", str(tmp_path / "1.zip")]) == 0
    out = capsys.readouterr().out
    assert f"a new backup key was made in {key_file()}" in out
    assert "Keep a copy of it somewhere safe" in out
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600
    key = key_file().read_text()
    assert len(key.strip()) >= 32

    assert cli.main(["backup", str(tmp_path / "2.zip")]) == 0
    out = capsys.readouterr().out
    assert "a new backup key" not in out
    assert f"from {key_file()}" in out
    assert key_file().read_text() == key
    signed = [
        json.loads(zipfile.ZipFile(tmp_path / f"{n}.zip").read("signature.json")) for n in "12"
    ]
    assert signed[0]["key_id"] == signed[1]["key_id"]
    assert key not in (tmp_path / "1.zip").read_bytes().decode("latin-1")  # only its id


def test_the_environment_key_wins_and_must_be_long_enough(tmp_path, capsys, db, monkeypatch):
    assert cli.main(["backup", str(tmp_path / "1.zip")]) == 0
    assert "from COACHROOM_BACKUP_KEY" in capsys.readouterr().out
    assert not key_file().exists()

    monkeypatch.setenv("COACHROOM_BACKUP_KEY", "short")
    assert cli.main(["backup", str(tmp_path / "2.zip")]) == 1
    err = capsys.readouterr().err
    assert "the backup key in COACHROOM_BACKUP_KEY is too short" in err
    assert err.count("\n") == 1
    assert not (tmp_path / "2.zip").exists()
