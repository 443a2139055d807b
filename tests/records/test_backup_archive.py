"""`coachroom restore` and broken, hostile or tampered archives (records/backup_checks.py).

Every bad archive gets one line on stderr, exit code 1, and leaves the database (and
MEDIA_ROOT) exactly as it was. Archives here are made from a database holding only what
`migrate` installs (the starter library), which a restore replaces inside its transaction: so
an unchanged starter library proves that a failed restore rolled back.

`rebuilt` rewrites an archive and, unless told not to, signs it again with the test key, the
way a buggy or hostile writer holding the key would: so each check is reached on its own.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps

from coachroom import cli
from coachroom.library.models import LibraryStep
from coachroom.records import backup
from coachroom.records.backup_signing import BackupKey, key_file, signature

TEST_KEY = "test-backup-key-0123456789-abcdefghijklmnop"
OTHER_KEY = "another-installation-key-0123456789-abcdefg"


@pytest.fixture(autouse=True)
def _backup_key(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("COACHROOM_BACKUP_KEY", TEST_KEY)
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rebuilt(
    source: Path,
    target: Path,
    *,
    change: Callable[[str, bytes], bytes | None] = lambda name, data: data,
    add: dict[str, bytes] | None = None,
    manifest: Callable[[dict], None] = lambda manifest: None,
    sign: bool = True,
) -> Path:
    """A copy of `source` with members changed (None drops one) or added, the manifest's hashes
    brought up to date and then `manifest` applied; signed again with the test key if `sign`."""
    members = _members(source)
    old_signature = members.pop("signature.json")
    document = json.loads(members.pop("manifest.json"))
    members = {n: d for n, d in ((n, change(n, d)) for n, d in members.items()) if d is not None}
    members.update(add or {})
    for entry in [*document["tables"], *document["media"]]:
        if entry["file"] in members:
            entry["sha256"] = hashlib.sha256(members[entry["file"]]).hexdigest()
    manifest(document)
    raw = json.dumps(document, indent=2).encode()
    key = BackupKey(TEST_KEY.encode(), "test")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", raw)
        archive.writestr("signature.json", signature(raw, key) if sign else old_signature)
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def table_file(path: Path, label: str) -> str:
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read("manifest.json"))
    return next(t["file"] for t in document["tables"] if t["model"] == label)


STEPS = "library.librarystep"


@pytest.fixture
def good(tmp_path, db, settings) -> Path:
    """A signed backup of a fresh database, with one uploaded file."""
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "staff.csv").write_text("email\n")
    path = tmp_path / "good.zip"
    backup.write_backup(path)
    (settings.MEDIA_ROOT / "imports" / "staff.csv").unlink()
    (settings.MEDIA_ROOT / "imports").rmdir()
    return path


def _state(settings) -> tuple[dict[str, int], list[int], list[str]]:
    counts = {m._meta.label_lower: m._base_manager.count() for m in backup.backup_models()}
    starter = sorted(LibraryStep.objects.starter().values_list("pk", flat=True))
    media_root = Path(settings.MEDIA_ROOT)
    files = sorted(str(p) for p in media_root.parent.rglob("*") if p.is_file())
    return counts, starter, files


def refused(path: Path, capsys, settings) -> str:
    """Restore through the CLI; assert one line, exit code 1 and nothing changed."""
    before = _state(settings)
    assert cli.main(["restore", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("coachroom: ")
    assert captured.err.count("\n") == 1, captured.err
    assert _state(settings) == before
    return captured.err


def test_a_rebuilt_archive_restores_so_each_refusal_below_is_its_own(good, tmp_path, settings):
    """The helper's copy is a good backup: the starter library comes back under new ids and
    the uploaded file lands in MEDIA_ROOT."""
    restored = backup.restore_backup(rebuilt(good, tmp_path / "copy.zip"))
    assert restored.files == 1
    assert {c.model: c.rows for c in restored.tables}[STEPS] == LibraryStep.objects.count()
    assert (settings.MEDIA_ROOT / "imports" / "staff.csv").read_text() == "email\n"
    leftovers = [p.name for p in settings.MEDIA_ROOT.parent.iterdir() if "restoring" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("cut", ["half", "tail"])
def test_a_truncated_zip(good, tmp_path, capsys, settings, cut):
    data = good.read_bytes()
    short = tmp_path / "short.zip"
    short.write_bytes(data[: len(data) // 2] if cut == "half" else data[:-10])
    err = refused(short, capsys, settings)
    assert "is not a readable zip file" in err


def test_a_corrupt_member(good, tmp_path, capsys, settings):
    with zipfile.ZipFile(good) as archive:
        biggest = max(archive.infolist(), key=lambda info: info.compress_size)
    data = bytearray(good.read_bytes())
    header = 30 + len(biggest.filename.encode()) + len(biggest.extra)
    middle = biggest.header_offset + header + biggest.compress_size // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(bytes(data))
    err = refused(corrupt, capsys, settings)
    assert f"the backup is damaged: {biggest.filename} cannot be read" in err


def _first_line(new: Callable[[bytes], bytes], of: str) -> Callable[[str, bytes], bytes | None]:
    def change(name: str, data: bytes) -> bytes:
        if name != of:
            return data
        first, rest = data.split(b"\n", 1)
        return new(first) + b"\n" + rest

    return change


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (lambda line: line[:-5], "is not valid JSON"),
        (lambda line: b"\xff\xfe" + line, "is not valid UTF-8"),
        (lambda line: b'["a list"]', "is not a row"),
        (lambda line: b'{"model": "library.librarystep", "fields": {}}', "is not a row"),
    ],
)
def test_a_bad_line(good, tmp_path, capsys, settings, new, message):
    name = table_file(good, STEPS)
    bad = rebuilt(good, tmp_path / "bad.zip", change=_first_line(new, name))
    err = refused(bad, capsys, settings)
    assert f"the backup is damaged: line 1 of {name} {message}" in err


def test_a_row_of_another_table(good, tmp_path, capsys, settings):
    name = table_file(good, STEPS)
    line = json.dumps({"model": "accounts.user", "pk": 1, "fields": {}}).encode() + b"\n"
    bad = rebuilt(good, tmp_path / "bad.zip", change=lambda n, d: d + line if n == name else d)
    err = refused(bad, capsys, settings)
    assert f"{name} holds a row of another table (accounts.user)" in err


def test_a_missing_member(good, tmp_path, capsys, settings):
    name = table_file(good, STEPS)
    bad = rebuilt(good, tmp_path / "bad.zip", change=lambda n, d: None if n == name else d)
    err = refused(bad, capsys, settings)
    assert f"the backup is incomplete: {name} is missing" in err


def test_a_missing_file_or_manifest(good, tmp_path, capsys, settings):
    err = refused(tmp_path / "nowhere.zip", capsys, settings)
    assert "nowhere.zip does not exist" in err
    with zipfile.ZipFile(tmp_path / "bare.zip", "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "this is not a Coachroom backup: it has no manifest" in refused(
        tmp_path / "bare.zip", capsys, settings
    )


def _add_table(label: str) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        data = (json.dumps({"model": label, "pk": 1, "fields": {}}) + "\n").encode()
        document["tables"].append(
            {"model": label, "file": "data/99-x.jsonl", "rows": 1, "sha256": "0"}
        )
        document["tables"][-1]["sha256"] = hashlib.sha256(data).hexdigest()

    return change


@pytest.mark.parametrize("label", ["sessions.session", "auth.permission", "no.such"])
def test_a_table_a_backup_never_writes(good, tmp_path, capsys, settings, label):
    data = (json.dumps({"model": label, "pk": 1, "fields": {}}) + "\n").encode()
    bad = rebuilt(
        good, tmp_path / "bad.zip", add={"data/99-x.jsonl": data}, manifest=_add_table(label)
    )
    err = refused(bad, capsys, settings)
    assert f"the backup has a table that a backup never holds: {label}" in err


def test_a_table_left_out_or_a_file_not_listed(good, tmp_path, capsys, settings):
    name = table_file(good, STEPS)

    def drop_steps(document: dict) -> None:
        document["tables"] = [t for t in document["tables"] if t["model"] != STEPS]

    left_out = rebuilt(good, tmp_path / "a.zip", manifest=drop_steps)
    assert f"the backup is incomplete: it has no {STEPS} table" in refused(
        left_out, capsys, settings
    )
    extra = rebuilt(good, tmp_path / "b.zip", add={"notes.txt": b"hi"})
    assert "holds a file its manifest does not list: notes.txt" in refused(extra, capsys, settings)
    assert name  # the steps table is there in the good archive


@pytest.mark.parametrize(
    "name",
    [
        "media/../../outside.txt",
        "media/imports/../../outside.txt",
        "/etc/outside.txt",
        "media//etc/outside.txt",
        "media/C:/outside.txt",
        "media/..\\outside.txt",
        "outside.txt",
    ],
)
def test_an_unsafe_media_name_is_refused_before_any_row_is_written(
    good, tmp_path, capsys, settings, name
):
    def rename(document: dict) -> None:
        document["media"][0]["file"] = name

    bad = rebuilt(
        good,
        tmp_path / "bad.zip",
        change=lambda n, d: None if n.startswith("media/") else d,
        add={name: b"owned"},
        manifest=rename,
    )
    err = refused(bad, capsys, settings)
    assert f"the backup has an unsafe file name: {name!r}" in err
    assert not list(tmp_path.rglob("outside.txt"))


def test_a_failure_while_loading_rolls_back_rows_and_files(good, tmp_path, capsys, settings):
    """Passes every check but breaks a foreign key: nothing stays, not even the staged file."""
    name = table_file(good, STEPS)

    def break_a_key(member: str, data: bytes) -> bytes:
        if member != name:
            return data
        first, rest = data.split(b"\n", 1)
        row = json.loads(first)
        row["fields"]["strand"] = 987654
        return json.dumps(row).encode() + b"\n" + rest

    err = refused(rebuilt(good, tmp_path / "bad.zip", change=break_a_key), capsys, settings)
    assert "the backup could not be loaded" in err
    assert not list(Path(settings.MEDIA_ROOT).rglob("*"))
    assert [p for p in Path(settings.MEDIA_ROOT).parent.iterdir() if "restoring" in p.name] == []


def test_a_changed_table_is_refused(good, tmp_path, capsys, settings):
    name = table_file(good, STEPS)

    def edit(document: dict) -> None:  # the hash stays the one the backup wrote
        next(t for t in document["tables"] if t["file"] == name)["sha256"] = hashlib.sha256(
            _members(good)[name]
        ).hexdigest()

    changed = rebuilt(
        good, tmp_path / "bad.zip", change=_first_line(lambda line: line[:-5], name), manifest=edit
    )
    err = refused(changed, capsys, settings)
    assert f"the backup has been changed since it was made: {name} does not match" in err


def test_a_changed_manifest_breaks_the_signature(good, tmp_path, capsys, settings):
    def add_a_row(document: dict) -> None:
        document["created_at"] = "2020-01-01T00:00:00+00:00"

    tampered = rebuilt(good, tmp_path / "bad.zip", manifest=add_a_row, sign=False)
    err = refused(tampered, capsys, settings)
    assert "has been changed since it was made: its signature does not match" in err


def test_an_unsigned_archive_is_refused(good, tmp_path, capsys, settings):
    members = _members(good)
    del members["signature.json"]
    with zipfile.ZipFile(tmp_path / "unsigned.zip", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    err = refused(tmp_path / "unsigned.zip", capsys, settings)
    assert "this backup is not signed, so it cannot be trusted" in err


def test_another_installations_key_is_named(good, capsys, settings, monkeypatch):
    expected = BackupKey(TEST_KEY.encode(), "").key_id
    monkeypatch.setenv("COACHROOM_BACKUP_KEY", OTHER_KEY)
    mine = BackupKey(OTHER_KEY.encode(), "").key_id
    err = refused(good, capsys, settings)
    assert (
        f"signed with backup key {expected}, but the key in COACHROOM_BACKUP_KEY is {mine}" in err
    )


def test_without_any_key_the_restore_says_which_one_it_needs(good, capsys, settings, monkeypatch):
    monkeypatch.delenv("COACHROOM_BACKUP_KEY")
    err = refused(good, capsys, settings)
    key_id = BackupKey(TEST_KEY.encode(), "").key_id
    assert f"which was signed with key {key_id}: set COACHROOM_BACKUP_KEY" in err
    assert str(key_file()) in err
    assert not key_file().exists()  # a restore never makes a key


def test_an_older_format_names_the_version_that_reads_it(good, tmp_path, capsys, settings):
    def older(document: dict) -> None:
        document["format_version"] = 1
        document["coachroom_version"] = "0.9.0"

    err = refused(rebuilt(good, tmp_path / "old.zip", manifest=older), capsys, settings)
    assert "uses format version 1; this Coachroom reads version 2" in err
    assert "Coachroom 0.9.0" in err


def test_every_model_a_backup_writes_is_known_to_the_app_registry():
    labels = [m._meta.label_lower for m in backup.backup_models()]
    assert len(labels) == len(set(labels))
    assert all(apps.get_model(label) for label in labels)
