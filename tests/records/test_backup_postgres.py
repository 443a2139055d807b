"""A backup is database-neutral: demo data goes SQLite → PostgreSQL → SQLite unchanged.

One pytest process holds one database connection, so the round trip runs the `coachroom` CLI
in subprocesses: SQLite through `COACHROOM_DATA_DIR`, PostgreSQL through `DATABASE_URL` at a
throwaway database made here and dropped afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile

import psycopg
import pytest

# The same server `./dev test` runs the suite on; it leaves these tests out (and says so) only
# when no PostgreSQL answers there.
ADMIN_URL = os.environ.get(
    "COACHROOM_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
pytestmark = pytest.mark.postgres
# The operator's backup key, the same on every machine that restores the backups.
BACKUP_KEY = "round-trip-backup-key-0123456789-abcdefghij"


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for this test; dropped afterwards."""
    name = f"coachroom_restore_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL not reachable at {ADMIN_URL}: {str(error).strip()} "
            '(set COACHROOM_TEST_DATABASE_URL, or leave these tests out with -m "not postgres")'
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _coachroom(*args, cwd, database_url=None, data_dir, key=BACKUP_KEY):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["COACHROOM_DATA_DIR"] = str(data_dir)
    env["COACHROOM_BACKUP_KEY"] = key
    if database_url:
        env.update(DATABASE_URL=database_url, SECRET_KEY="test-only", ALLOWED_HOSTS="localhost")
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "coachroom.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _rows(path):
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        return {
            t["model"]: [json.loads(line) for line in archive.read(t["file"]).splitlines()]
            for t in manifest["tables"]
        }, manifest


def test_demo_survives_sqlite_to_postgresql_and_back(tmp_path, postgres_url):
    first_db, last_db = tmp_path / "sqlite-first", tmp_path / "sqlite-last"
    _ok(_coachroom("demo", cwd=tmp_path, data_dir=first_db))
    _ok(_coachroom("backup", str(tmp_path / "1-sqlite.zip"), cwd=tmp_path, data_dir=first_db))

    pg = {"cwd": tmp_path, "database_url": postgres_url, "data_dir": tmp_path / "pg-data"}
    stranger = _coachroom(
        "restore", str(tmp_path / "1-sqlite.zip"), **pg, key="not-the-key-that-signed-it-0123456789"
    )
    assert stranger.returncode == 1
    assert "this backup was signed with backup key" in stranger.stderr
    assert stranger.stderr.count("\n") == 1
    restored = _ok(_coachroom("restore", str(tmp_path / "1-sqlite.zip"), **pg))
    assert "coaching.observation" in restored.stdout
    _ok(_coachroom("backup", str(tmp_path / "2-postgresql.zip"), **pg))
    again = _coachroom("restore", str(tmp_path / "1-sqlite.zip"), **pg)
    assert again.returncode == 1
    assert "already has Coachroom data" in again.stderr

    _ok(_coachroom("restore", str(tmp_path / "2-postgresql.zip"), cwd=tmp_path, data_dir=last_db))
    _ok(_coachroom("backup", str(tmp_path / "3-sqlite.zip"), cwd=tmp_path, data_dir=last_db))

    first, first_manifest = _rows(tmp_path / "1-sqlite.zip")
    middle, middle_manifest = _rows(tmp_path / "2-postgresql.zip")
    last, _ = _rows(tmp_path / "3-sqlite.zip")
    assert first_manifest["database"] == "sqlite"
    assert middle_manifest["database"] == "postgresql"
    assert sum(len(rows) for rows in first.values()) > 1000
    assert middle == first
    assert last == first
