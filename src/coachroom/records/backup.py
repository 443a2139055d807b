"""`coachroom backup PATH` and `coachroom restore PATH`: a portable archive of all data.

The archive is a zip file:

    manifest.json           format version, Coachroom version, the latest migration of each
                            app, when it was made, and the files with their row counts, sizes
                            and SHA-256 hashes
    signature.json          an HMAC-SHA256 of manifest.json with the backup key (see
                            backup_signing.py), so that changing any file breaks it
    data/NN-app.model.jsonl one JSON object per line per row, in dependency order
    media/...               uploaded files under MEDIA_ROOT, if there are any

It holds every Coachroom model and Django's auth groups; sessions, sign-in throttling records,
permissions and content types (rebuilt by `migrate`) and finished background-task results are
left out. It is database-neutral: a backup from SQLite restores into PostgreSQL and back.

A restore checks the whole archive before it writes anything (backup_checks.py), loads every
row in one transaction, and moves uploaded files into place only once the rows are committed.

The archive contains password hashes and every coaching note: keep it as safe as the database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Model, QuerySet
from django.utils import timezone

import coachroom
from coachroom.core.errors import DomainError
from coachroom.library.models import LibraryStep, Problem, Strand, SubStrand
from coachroom.records import serialization
from coachroom.records.backup_checks import (
    BLOCK,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    CheckedArchive,
    MediaFile,
    Table,
    check_archive,
    copy_member,
    open_archive,
    reading,
)
from coachroom.records.backup_signing import SIGNATURE, BackupKey, key_for_backup, signature
from coachroom.reporting import counters
from coachroom.reporting.models import COUNTER_MODELS

# Their many-to-many fields point at groups and permissions, whose ids differ between
# databases (permissions are created by `migrate`), so those are written as natural keys.
NATURAL_FOREIGN_KEYS = {"accounts.user", "auth.group"}


# Which models, in which order ---------------------------------------------------------------


def backup_models() -> list[type[Model]]:
    """Every Coachroom model plus auth groups, each after the models it refers to. The
    dashboards' counters are left out: they are derived, and a restore rebuilds them."""
    chosen = [Group] + [
        model
        for model in apps.get_models()
        if model._meta.app_config is not None
        and model._meta.app_config.name.startswith("coachroom.")
        and model not in COUNTER_MODELS
    ]
    return dependency_order(chosen)


def _targets(model: type[Model], among: set[type[Model]]) -> set[type[Model]]:
    found: set[type[Model]] = set()
    for field in [*model._meta.fields, *model._meta.many_to_many]:
        target: Any = field.remote_field.model if field.remote_field else None
        if target in among and target is not model:
            found.add(target)
    return found


def dependency_order(models: list[type[Model]]) -> list[type[Model]]:
    """Referred-to models first; otherwise in the given order. A cycle (none today) falls back
    to the given order, which is safe because foreign keys are checked once, at the end."""
    pending = list(models)
    among = set(models)
    placed: list[type[Model]] = []
    while pending:
        ready = [m for m in pending if _targets(m, among) <= set(placed)]
        chosen = ready[0] if ready else pending[0]
        placed.append(chosen)
        pending.remove(chosen)
    return placed


def _file_name(position: int, model: type[Model]) -> str:
    return f"data/{position:02d}-{model._meta.label_lower}.jsonl"


# Schema state --------------------------------------------------------------------------------


def applied_migrations() -> dict[str, str]:
    """The latest applied migration of each app in this database (empty if none)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    by_app: dict[str, list[str]] = defaultdict(list)
    for app_label, name in loader.applied_migrations or {}:
        by_app[app_label].append(name)

    def depth(app_label: str, name: str) -> tuple[int, str]:
        key = (app_label, name)
        planned = len(loader.graph.forwards_plan(key)) if key in loader.graph.nodes else -1
        return planned, name

    return {
        app_label: max(names, key=lambda name: depth(app_label, name))
        for app_label, names in sorted(by_app.items())
    }


# Backup --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableCount:
    model: str
    rows: int


def _write_table(archive: zipfile.ZipFile, name: str, model: type[Model]) -> dict[str, Any]:
    count = 0
    digest = hashlib.sha256()
    natural = model._meta.label_lower in NATURAL_FOREIGN_KEYS
    with archive.open(name, "w", force_zip64=True) as out:
        for row in serialization.rows(model._base_manager.all(), natural_foreign_keys=natural):
            line = (serialization.dumps(row) + "\n").encode("utf-8")
            digest.update(line)
            out.write(line)
            count += 1
    return {
        "model": model._meta.label_lower,
        "file": name,
        "rows": count,
        "sha256": digest.hexdigest(),
    }


def _media_files() -> Iterable[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path, f"media/{path.relative_to(root).as_posix()}"


def _write_media(archive: zipfile.ZipFile, source: Path, name: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as data, archive.open(name, "w", force_zip64=True) as out:
        while block := data.read(BLOCK):
            digest.update(block)
            size += len(block)
            out.write(block)
    return {"file": name, "bytes": size, "sha256": digest.hexdigest()}


def write_backup(path: Path, key: BackupKey | None = None) -> dict[str, Any]:
    """Write the archive to `path` from one consistent snapshot, signed with `key` (by default
    the installation's backup key); return its manifest."""
    key = key or key_for_backup()
    tables: list[dict[str, Any]] = []
    snapshot = not connection.in_atomic_block
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        transaction.atomic(),
    ):
        if snapshot and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # every table as of the same moment
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for position, model in enumerate(backup_models(), start=1):
            tables.append(_write_table(archive, _file_name(position, model), model))
        media = [_write_media(archive, source, name) for source, name in _media_files()]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "coachroom_version": coachroom.__version__,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "tables": tables,
            "media": media,
        }
        raw = json.dumps(manifest, indent=2).encode("utf-8")
        archive.writestr(MANIFEST, raw)
        archive.writestr(SIGNATURE, signature(raw, key))
    return manifest


def run_backup(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists():
        raise DomainError(f"{path} already exists; choose a new file name, e.g. with the date")
    if not path.parent.is_dir():
        raise DomainError(f"the folder {path.parent} does not exist")
    key = key_for_backup()
    partial = path.with_name(path.name + ".part")  # never leave a half-written archive behind
    try:
        manifest = write_backup(partial, key)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    rows = sum(table["rows"] for table in manifest["tables"])
    files = f" and {len(manifest['media'])} uploaded files" if manifest["media"] else ""
    print(f"Backed up {rows} rows in {len(manifest['tables'])} tables{files} to {path}")
    print(f"Signed with backup key {key.key_id} from {key.source}.")
    if key.created:
        print(
            f"This was the first backup here, so a new backup key was made in {key.source}. "
            "Keep a copy of it somewhere safe, apart from the backups: restoring them on "
            "another machine needs it (as COACHROOM_BACKUP_KEY or the same file)."
        )
    return 0


# Restore -------------------------------------------------------------------------------------


def _shipped() -> list[QuerySet[Any]]:
    """What `migrate` installs in every database: the starter step library and its taxonomy
    (library/apps.py). A restore replaces it with the backup's copy, which the backup's action
    steps point at. Children first, so that each delete is free to go."""
    return [
        LibraryStep._base_manager.filter(school__isnull=True, trust__isnull=True),
        SubStrand._base_manager.all(),
        Strand._base_manager.all(),
        Problem._base_manager.all(),
    ]


def existing_data() -> dict[str, int]:
    """Rows already in the tables a restore would fill, by model, leaving out what `migrate`
    installs; empty when there are none."""
    shipped = {qs.model: qs for qs in _shipped()}
    found = {}
    for model in backup_models():
        rows = model._base_manager.all()
        if model in shipped:
            rows = rows.exclude(pk__in=shipped[model].values("pk"))
        if count := rows.count():
            found[model._meta.label_lower] = count
    return found


def _require_empty() -> None:
    found = existing_data()
    if found:
        sample = ", ".join(f"{rows} in {label}" for label, rows in list(found.items())[:3])
        raise DomainError(
            f"the database already has Coachroom data ({sample}); restore only into an empty "
            "database, for example a new one"
        )


def _require_same_schema(manifest: dict[str, Any], models: list[type[Model]]) -> None:
    if not applied_migrations():  # a brand-new database: build the schema first
        call_command("migrate", interactive=False, verbosity=0)
    here = applied_migrations()
    wanted = manifest.get("migrations", {})
    differences = [
        f"{app} is at {wanted.get(app, 'nothing')} in the backup but {here.get(app, 'nothing')} "
        "here"
        for app in sorted({m._meta.app_label for m in models})
        if wanted.get(app) != here.get(app)
    ]
    if differences:
        raise DomainError(
            "the backup's schema does not match this database ("
            + "; ".join(differences)
            + f"); restore it with Coachroom {manifest.get('coachroom_version')}, then upgrade"
        )


def _load_table(archive: zipfile.ZipFile, table: Table) -> int:
    """Load one checked table, hashing it again: a file changed since the check rolls back."""
    digest = hashlib.sha256()
    count = 0
    with reading(table.file), archive.open(table.file) as lines:

        def objects() -> Iterator[Any]:
            for line in lines:
                digest.update(line)
                if line.strip():
                    yield json.loads(line)

        for item in serializers.deserialize("python", objects()):
            item.save()
            count += 1
    if digest.hexdigest() != table.sha256 or count != table.rows:
        raise DomainError(f"{table.file} changed while it was being restored; nothing was restored")
    return count


def _reset_sequences(models: list[type[Model]]) -> None:
    """PostgreSQL hands out ids from sequences, which a restore with explicit ids leaves at 1."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _load_rows(archive: zipfile.ZipFile, checked: CheckedArchive) -> list[TableCount]:
    """Every row, inside the caller's transaction; foreign keys checked once at the end."""
    _require_empty()
    for shipped in _shipped():
        shipped.delete()
    counts = []
    with connection.constraint_checks_disabled():
        for table in checked.tables:
            counts.append(TableCount(table.label, _load_table(archive, table)))
    models = [table.model for table in checked.tables]
    tables = [m._meta.db_table for m in models] + [
        f.remote_field.through._meta.db_table  # type: ignore[union-attr]
        for m in models
        for f in m._meta.many_to_many
    ]
    connection.check_constraints(table_names=tables)
    _reset_sequences(models)
    return counts


def _stage_media(archive: zipfile.ZipFile, media: list[MediaFile]) -> Path | None:
    """Write the uploaded files into a new folder beside MEDIA_ROOT, not into it."""
    if not media:
        return None
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-restoring-", dir=root.parent))
    try:
        for entry in media:
            target = staging.joinpath(*entry.relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:
                copy_member(archive, entry, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _move_media(staging: Path | None, media: list[MediaFile]) -> int:
    """Once the rows are committed: move the staged files into MEDIA_ROOT."""
    if staging is None:
        return 0
    root = Path(settings.MEDIA_ROOT)
    try:
        for entry in media:
            target = root.joinpath(*entry.relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging.joinpath(*entry.relative.parts), target)
    except OSError as error:
        raise DomainError(
            f"the rows were restored, but the uploaded files could not be moved into {root} "
            f"({error.strerror}); they are in {staging}"
        ) from None
    shutil.rmtree(staging, ignore_errors=True)
    return len(media)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _restore_checked(archive: zipfile.ZipFile, checked: CheckedArchive) -> list[TableCount]:
    """Rows in one transaction, files staged within it; any failure leaves neither behind."""
    staged: list[Path] = []
    try:
        with transaction.atomic():
            counts = _load_rows(archive, checked)
            counters.rebuild()  # rows load raw, without recounting; count them all once
            if staging := _stage_media(archive, checked.media):
                staged.append(staging)
    except BaseException as error:
        for staging in staged:
            shutil.rmtree(staging, ignore_errors=True)
        loading = (DeserializationError, IntegrityError, FieldDoesNotExist, ValidationError)
        if isinstance(error, (*loading, ValueError, TypeError, LookupError)):
            raise DomainError(f"the backup could not be loaded: {_one_line(error)}") from None
        if isinstance(error, DatabaseError):
            raise DomainError(f"the database refused the backup: {_one_line(error)}") from None
        if isinstance(error, OSError):
            raise DomainError(
                f"the uploaded files could not be written beside {settings.MEDIA_ROOT} "
                f"({error.strerror or _one_line(error)}); nothing was restored"
            ) from None
        raise
    _move_media(staged[0] if staged else None, checked.media)
    return counts


@dataclass(frozen=True)
class Restored:
    tables: list[TableCount]
    files: int


def restore_backup(path: Path) -> Restored:
    """Check the whole archive, writing nothing; then load it into an empty database in one
    transaction and put its uploaded files in place."""
    with open_archive(path) as archive:
        checked = check_archive(archive, backup_models())
        _require_same_schema(checked.manifest, [table.model for table in checked.tables])
        counts = _restore_checked(archive, checked)
    return Restored(counts, len(checked.media))


def run_restore(args: argparse.Namespace) -> int:
    restored = restore_backup(Path(args.path))
    total = sum(c.rows for c in restored.tables)
    files = f" and {restored.files} uploaded files" if restored.files else ""
    print(f"Restored {total} rows{files} from {args.path}:")
    width = max((len(c.model) for c in restored.tables), default=0)
    for count in restored.tables:
        print(f"  {count.model:<{width}}  {count.rows:>7}")
    return 0
