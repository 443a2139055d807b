"""Everything a restore checks in an archive before it writes anything.

`check_archive` reads the whole archive once and touches neither the database nor the disk:
the zip and each member can be read, the manifest is there, is Coachroom's format and version
and carries a valid signature (backup_signing.py); it lists exactly the tables a backup writes,
each once; every file it lists is in the zip and the zip holds nothing else; every file's
SHA-256 matches the manifest; every line of every table is UTF-8 JSON describing a row of that
table, with the number of rows the manifest gives; uploaded files have safe names and the size
listed. Any problem is a DomainError with one line saying what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.db.models import Model

from coachroom.core.errors import DomainError
from coachroom.records.backup_signing import SIGNATURE, verify

FORMAT = "coachroom-backup"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
SMALL_MEMBER_BYTES = 64 * 1024 * 1024  # the manifest and signature; far above any real one
BLOCK = 1 << 20
# What reading a damaged or unusual zip member can raise.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method Python cannot read
)


@dataclass(frozen=True)
class Table:
    model: type[Model]
    label: str
    file: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class MediaFile:
    file: str
    relative: PurePosixPath  # below MEDIA_ROOT
    size: int
    sha256: str


@dataclass(frozen=True)
class CheckedArchive:
    manifest: dict[str, Any]
    tables: list[Table]  # in the order a restore loads them
    media: list[MediaFile]


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DomainError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise DomainError(f"{path} is a folder, not a backup file") from None
    except PermissionError:
        raise DomainError(f"{path} cannot be read: permission denied") from None
    except (*READ_ERRORS, ValueError):
        raise DomainError(
            f"{path} is not a readable zip file: it is not a Coachroom backup, or it was cut "
            "short or damaged"
        ) from None


@contextmanager
def reading(name: str) -> Iterator[None]:
    """Turn any error reading one member into a one-line DomainError naming it."""
    try:
        yield
    except READ_ERRORS as error:
        raise DomainError(
            f"the backup is damaged: {name} cannot be read ({_one_line(error)})"
        ) from None


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > SMALL_MEMBER_BYTES:
        raise DomainError(f"the backup is damaged: {name} is far too large")
    with reading(name):
        return archive.read(info)


def _manifest(archive: zipfile.ZipFile) -> tuple[dict[str, Any], bytes]:
    raw = _read_small(archive, MANIFEST)
    if raw is None:
        raise DomainError("this is not a Coachroom backup: it has no manifest")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        raise DomainError("this is not a Coachroom backup: its manifest is not readable") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DomainError("this is not a Coachroom backup: its manifest has another format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DomainError(
            f"this backup uses format version {manifest.get('format_version')}; this Coachroom "
            f"reads version {FORMAT_VERSION}: restore it with Coachroom "
            f"{manifest.get('coachroom_version')}, which made it"
        )
    return manifest, raw


def _entries(manifest: dict[str, Any], key: str, fields: dict[str, type]) -> list[dict[str, Any]]:
    entries = manifest.get(key)
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict)
        and all(type(entry.get(name)) is kind for name, kind in fields.items())
        for entry in entries
    ):
        raise DomainError(f"the backup's manifest is malformed: its {key} list is not readable")
    return entries


def _tables(manifest: dict[str, Any], expected: list[type[Model]]) -> list[Table]:
    fields = {"model": str, "file": str, "rows": int, "sha256": str}
    listed: dict[str, dict[str, Any]] = {}
    for entry in _entries(manifest, "tables", fields):
        if entry["model"] in listed:
            raise DomainError(f"the backup's manifest lists the table {entry['model']} twice")
        listed[entry["model"]] = entry
    known = {model._meta.label_lower: model for model in expected}
    for label in listed:
        if label not in known:
            raise DomainError(f"the backup has a table that a backup never holds: {label}")
    for label in known:
        if label not in listed:
            raise DomainError(f"the backup is incomplete: it has no {label} table")
    return [
        Table(model, label, listed[label]["file"], listed[label]["rows"], listed[label]["sha256"])
        for label, model in known.items()
    ]


def media_path(name: str) -> PurePosixPath:
    """Where an uploaded file goes below MEDIA_ROOT; refuses any name that could land
    elsewhere: absolute, `..`, `.`, empty parts, backslashes, drive letters, control bytes."""
    parts = name.split("/")
    if (
        len(parts) < 2
        or parts[0] != "media"
        or any(part in {"", ".", ".."} for part in parts[1:])
        or any(char in name for char in "\\:")
        or any(ord(char) < 32 for char in name)
    ):
        raise DomainError(f"the backup has an unsafe file name: {name!r}")
    return PurePosixPath(*parts[1:])


def _media(manifest: dict[str, Any]) -> list[MediaFile]:
    fields = {"file": str, "bytes": int, "sha256": str}
    found = [
        MediaFile(entry["file"], media_path(entry["file"]), entry["bytes"], entry["sha256"])
        for entry in _entries(manifest, "media", fields)
    ]
    seen: set[str] = set()
    for entry in found:
        folded = entry.relative.as_posix().casefold()  # one file on a case-blind disk
        if folded in seen:
            raise DomainError(f"the backup lists the uploaded file {entry.file} twice")
        seen.add(folded)
    return found


def _members(archive: zipfile.ZipFile, listed: list[str]) -> None:
    names = archive.namelist()
    if len(set(names)) != len(names):
        raise DomainError("the backup is damaged: the zip holds two files with the same name")
    if len(set(listed)) != len(listed):
        raise DomainError("the backup's manifest is malformed: it lists one file twice")
    present, expected = set(names), {*listed, MANIFEST, SIGNATURE}
    for name in listed:
        if name not in present:
            raise DomainError(f"the backup is incomplete: {name} is missing")
    for name in names:
        if name not in expected:
            raise DomainError(f"the backup holds a file its manifest does not list: {name}")


def _changed(name: str) -> DomainError:
    return DomainError(f"the backup has been changed since it was made: {name} does not match")


def _line_problem(line: bytes, label: str) -> str | None:
    try:
        row = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return "is not valid UTF-8"
    except ValueError:
        return "is not valid JSON"
    if not isinstance(row, dict) or "pk" not in row or not isinstance(row.get("fields"), dict):
        return "is not a row"
    if row.get("model") != label:
        return f"holds a row of another table ({row.get('model')})"
    return None


def _check_table(archive: zipfile.ZipFile, table: Table) -> None:
    digest = hashlib.sha256()
    rows = 0
    problem = None
    with reading(table.file), archive.open(table.file) as lines:
        for number, line in enumerate(lines, start=1):
            digest.update(line)
            if problem is None and line.strip():
                found = _line_problem(line, table.label)
                problem = found and f"line {number} of {table.file} {found}"
                rows += 1
    if digest.hexdigest() != table.sha256:
        raise _changed(table.file)
    if problem:
        raise DomainError(f"the backup is damaged: {problem}")
    if rows != table.rows:
        raise DomainError(
            f"{table.file} has {rows} rows but the manifest lists {table.rows}: "
            "the backup is incomplete"
        )


def copy_member(archive: zipfile.ZipFile, entry: MediaFile, out: IO[bytes] | None) -> None:
    """Read an uploaded file (into `out`, if given), checking its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with reading(entry.file), archive.open(entry.file) as source:
        while block := source.read(BLOCK):
            size += len(block)
            if size > entry.size:
                break
            digest.update(block)
            if out is not None:
                out.write(block)
    if size != entry.size or digest.hexdigest() != entry.sha256:
        raise _changed(entry.file)


def check_archive(archive: zipfile.ZipFile, expected: list[type[Model]]) -> CheckedArchive:
    """Check all of it, writing nothing; `expected` is every model a backup writes."""
    manifest, raw = _manifest(archive)
    verify(_read_small(archive, SIGNATURE), raw)
    if not isinstance(manifest.get("migrations"), dict):
        raise DomainError("the backup's manifest is malformed: it has no migrations")
    tables = _tables(manifest, expected)
    media = _media(manifest)
    _members(archive, [t.file for t in tables] + [m.file for m in media])
    for table in tables:
        _check_table(archive, table)
    for entry in media:
        copy_member(archive, entry, None)
    return CheckedArchive(manifest, tables, media)
