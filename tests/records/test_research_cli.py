"""`coachroom export research PATH [--school URN] [--k K]`: the zip, and one-line refusals."""

from __future__ import annotations

import zipfile

import pytest

from coachroom import cli
from coachroom.audit.models import AuditEvent
from tests.reporting.insights.history import make_year_of_coaching

pytestmark = pytest.mark.django_db


def test_it_writes_the_zip_for_one_school_and_audits_it(oak, elm, tmp_path, capsys):
    make_year_of_coaching(oak)
    path = tmp_path / "research.zip"
    assert cli.main(["export", "research", str(path), "--school", oak.urn]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Wrote ") and f"to {path} (k = 5: " in out
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == {"steps.csv", "data-dictionary.csv", "README.txt"}
    [event] = AuditEvent.objects.filter(action="records.research.exported")
    assert event.school == oak and event.actor is None


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--school", "999999"], "no school has the URN 999999"),
        (["--k", "1"], "--k must be at least 2"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(oak, tmp_path, capsys, args, reason):
    path = tmp_path / "research.zip"
    assert cli.main(["export", "research", str(path), *args]) == 1
    assert capsys.readouterr().err == f"coachroom: {reason}\n"
    assert not path.exists()
    assert not AuditEvent.objects.filter(action="records.research.exported").exists()


def test_an_existing_file_is_never_overwritten(oak, tmp_path, capsys):
    path = tmp_path / "research.zip"
    path.write_bytes(b"keep me")
    assert cli.main(["export", "research", str(path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == b"keep me"
