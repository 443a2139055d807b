"""`coachroom backup PATH` and `coachroom restore PATH`: a portable archive of all data.

The archive is a zip file:

    manifest.json           format version, Coachroom version, the latest migration of each
                            app, when it was made, and the files with their row counts
    data/NN-app.model.jsonl one JSON object per line per row, in dependency order
    media/...               uploaded files under MEDIA_ROOT, if there are any

It holds every Coachroom model and Django's auth groups; sessions, sign-in throttling records,
permissions and content types (rebuilt by `migrate`) and finished background-task results are
left out. It is database-neutral: a backup from SQLite restores into PostgreSQL and back.

The archive contains password hashes and every coaching note: keep it as safe as the database.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Model, QuerySet
from django.utils import timezone

import coachroom
from coachroom.errors import DomainError
from coachroom.records import serialization

FORMAT = "coachroom-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Their many-to-many fields point at groups and permissions, whose ids differ between
# databases (permissions are created by `migrate`), so those are written as natural keys.
NATURAL_FOREIGN_KEYS = {"accounts.user", "auth.group"}


# Which models, in which order ---------------------------------------------------------------


def backup_models() -> list[type[Model]]:
    """Every Coachroom model plus auth groups, each after the models it refers to."""
    chosen = [Group] + [
        model
        for model in apps.get_models()
        if model._meta.app_config is not None
        and model._meta.app_config.name.startswith("coachroom.")
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


def _write_table(archive: zipfile.ZipFile, name: str, model: type[Model]) -> int:
    count = 0
    natural = model._meta.label_lower in NATURAL_FOREIGN_KEYS
    with (
        archive.open(name, "w", force_zip64=True) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as out,
    ):
        for row in serialization.rows(model._base_manager.all(), natural_foreign_keys=natural):
            out.write(serialization.dumps(row))
            out.write("\n")
            count += 1
    return count


def _media_files() -> Iterable[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path, f"media/{path.relative_to(root).as_posix()}"


def write_backup(path: Path) -> dict[str, Any]:
    """Write the archive to `path` from one consistent snapshot; return its manifest."""
    models = backup_models()
    tables: list[dict[str, Any]] = []
    media: list[dict[str, Any]] = []
    snapshot = not connection.in_atomic_block
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        transaction.atomic(),
    ):
        if snapshot and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # every table as of the same moment
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for position, model in enumerate(models, start=1):
            name = _file_name(position, model)
            rows = _write_table(archive, name, model)
            tables.append({"model": model._meta.label_lower, "file": name, "rows": rows})
        for source, name in _media_files():
            archive.write(source, name)
            media.append({"file": name, "bytes": source.stat().st_size})
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
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    return manifest


def run_backup(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists():
        raise DomainError(f"{path} already exists; choose a new file name, e.g. with the date")
    if not path.parent.is_dir():
        raise DomainError(f"the folder {path.parent} does not exist")
    partial = path.with_name(path.name + ".part")  # never leave a half-written archive behind
    try:
        manifest = write_backup(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    rows = sum(table["rows"] for table in manifest["tables"])
    files = f" and {len(manifest['media'])} uploaded files" if manifest["media"] else ""
    print(f"Backed up {rows} rows in {len(manifest['tables'])} tables{files} to {path}")
    return 0


# Restore -------------------------------------------------------------------------------------


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        raise DomainError("this is not a Coachroom backup: it has no readable manifest") from None
    if manifest.get("format") != FORMAT:
        raise DomainError("this is not a Coachroom backup: its manifest has another format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DomainError(
            f"this backup uses format version {manifest.get('format_version')}; this Coachroom "
            f"reads version {FORMAT_VERSION}"
        )
    return manifest


def _models_of(manifest: dict[str, Any]) -> list[type[Model]]:
    models = []
    for table in manifest["tables"]:
        try:
            models.append(apps.get_model(table["model"]))
        except LookupError:
            raise DomainError(
                f"the backup has a table this Coachroom does not know: {table['model']}"
            ) from None
    return models


def _shipped() -> list[QuerySet[Any]]:
    """What `migrate` installs in every database: the starter step library and its taxonomy
    (library/apps.py). A restore replaces it with the backup's copy, which the backup's action
    steps point at. Children first, so that each delete is free to go."""
    from coachroom.library.models import LibraryStep, Problem, Strand, SubStrand

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


def _load_table(archive: zipfile.ZipFile, table: dict[str, Any]) -> int:
    count = 0
    with (
        archive.open(table["file"]) as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as lines,
    ):
        objects = (json.loads(line) for line in lines if line.strip())
        for item in serializers.deserialize("python", objects):
            if item.object._meta.label_lower != table["model"]:
                raise DomainError(f"{table['file']} holds rows of another table")
            item.save()
            count += 1
    if count != table["rows"]:
        raise DomainError(
            f"{table['file']} has {count} rows but the manifest lists {table['rows']}: "
            "the backup is incomplete"
        )
    return count


def _reset_sequences(models: list[type[Model]]) -> None:
    """PostgreSQL hands out ids from sequences, which a restore with explicit ids leaves at 1."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _restore_media(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> int:
    root = Path(settings.MEDIA_ROOT)
    restored = 0
    for entry in manifest.get("media", []):
        try:
            relative = PurePosixPath(entry["file"]).relative_to("media")
        except ValueError:
            relative = PurePosixPath("..")
        if not relative.parts or ".." in relative.parts:
            raise DomainError(f"the backup has an unsafe file name: {entry['file']}")
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(entry["file"]) as source, target.open("wb") as out:
            while block := source.read(1 << 20):
                out.write(block)
        restored += 1
    return restored


def restore_backup(path: Path) -> list[TableCount]:
    """Load an archive into an empty database in one transaction; return rows per table."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DomainError(f"{path} does not exist") from None
    except zipfile.BadZipFile:
        raise DomainError(f"{path} is not a Coachroom backup (not a zip file)") from None
    with archive:
        manifest = _read_manifest(archive)
        models = _models_of(manifest)
        _require_same_schema(manifest, models)
        counts: list[TableCount] = []
        try:
            with transaction.atomic():
                _require_empty()
                for shipped in _shipped():
                    shipped.delete()
                with connection.constraint_checks_disabled():
                    for table in manifest["tables"]:
                        counts.append(TableCount(table["model"], _load_table(archive, table)))
                tables = [m._meta.db_table for m in models] + [
                    f.remote_field.through._meta.db_table  # type: ignore[union-attr]
                    for m in models
                    for f in m._meta.many_to_many
                ]
                connection.check_constraints(table_names=tables)
                _reset_sequences(models)
        except (DeserializationError, IntegrityError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise DomainError(f"the backup could not be loaded: {first_line}") from None
        except DatabaseError as error:
            raise DomainError(f"the database refused the backup: {error}") from None
        _restore_media(archive, manifest)
    return counts


def run_restore(args: argparse.Namespace) -> int:
    counts = restore_backup(Path(args.path))
    total = sum(c.rows for c in counts)
    print(f"Restored {total} rows from {args.path}:")
    width = max((len(c.model) for c in counts), default=0)
    for count in counts:
        print(f"  {count.model:<{width}}  {count.rows:>7}")
    return 0
