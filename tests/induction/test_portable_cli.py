"""`coachroom export ect EMAIL PATH [--school URN]`: the record written and audited, or one
line of why not and exit status 1, with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from coachroom import cli
from coachroom.accounts.models import Membership
from coachroom.audit.models import AuditEvent
from tests.induction.portable_data import export_of, induction_at, record_json

pytestmark = pytest.mark.django_db


def test_the_record_is_written_and_audited(induction, tmp_path, capsys):
    path = tmp_path / "alice.zip"
    assert cli.main(["export", "ect", "Alice@Oak.example", str(path)]) == 0
    assert path.read_bytes() == export_of(induction)
    assert record_json(path.read_bytes())["ect"]["email"] == "alice@oak.example"
    out = capsys.readouterr().out
    assert "Alice Example's induction record at Oak School" in out and str(path) in out
    event = AuditEvent.objects.get(action="induction.record.exported")
    assert (event.actor, event.subject, event.data["via"]) == (None, induction.ect, "command line")
    assert list(tmp_path.iterdir()) == [path]  # no part-written file left behind


def _second_induction(alice, elm):
    induction_at(elm, alice, starts_on=dt.date(2026, 9, 7), fte="0.5", by=None)


def test_school_chooses_between_two_inductions(induction, alice, elm, tmp_path, capsys):
    _second_induction(alice, elm)
    path = tmp_path / "elm.zip"
    assert cli.main(["export", "ect", "alice@oak.example", str(path), "--school", "222222"]) == 0
    assert record_json(path.read_bytes())["school"]["name"] == "Elm School"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["nobody@oak.example"], "no Coachroom account has the email nobody@oak.example"),
        (["bob@oak.example"], "bob@oak.example has no induction set up in Coachroom"),
        (
            ["alice@oak.example", "--school", "999999"],
            "alice@oak.example has no induction set up in Coachroom at the school with URN 999999",
        ),
    ],
)
def test_who_has_no_induction_to_export_is_refused(induction, bob, tmp_path, capsys, args, reason):
    path = tmp_path / "out.zip"
    assert cli.main(["export", "ect", args[0], str(path), *args[1:]]) == 1
    assert capsys.readouterr().err == f"coachroom: {reason}\n"
    assert not path.exists()
    assert not AuditEvent.objects.filter(action="induction.record.exported").exists()


def test_several_schools_without_school_is_refused(induction, alice, elm, tmp_path, capsys):
    _second_induction(alice, elm)
    assert cli.main(["export", "ect", "alice@oak.example", str(tmp_path / "x.zip")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("coachroom: alice@oak.example has an induction at 2 schools (")
    assert "Elm School (URN 222222); Oak School (URN 111111)" in err
    assert err.endswith("choose one with --school URN\n") and err.count("\n") == 1


def test_an_ect_who_has_left_the_school_is_refused(induction, alice, tmp_path, capsys):
    Membership.objects.filter(user=alice).update(is_active=False)
    assert cli.main(["export", "ect", "alice@oak.example", str(tmp_path / "x.zip")]) == 1
    assert "no longer an active member of Oak School" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("missing/alice.zip", "the folder {tmp}/missing does not exist"),
        ("", "{tmp} is a folder; give the zip's file name, e.g. {tmp}/ect.zip"),
        ("taken.zip", "{tmp}/taken.zip already exists; choose a new file name"),
        ("plain.txt/alice.zip", "the folder {tmp}/plain.txt does not exist"),
    ],
)
def test_a_path_that_cannot_be_written_is_refused(induction, tmp_path, capsys, where, reason):
    (tmp_path / "taken.zip").write_bytes(b"keep me")
    (tmp_path / "plain.txt").write_text("a file, not a folder")
    path = tmp_path / where if where else tmp_path
    assert cli.main(["export", "ect", "alice@oak.example", str(path)]) == 1
    assert capsys.readouterr().err == f"coachroom: {reason.format(tmp=tmp_path)}\n"
    assert (tmp_path / "taken.zip").read_bytes() == b"keep me"
    assert not AuditEvent.objects.filter(action="induction.record.exported").exists()


def test_a_failed_write_is_one_line_and_leaves_nothing(induction, tmp_path, capsys, monkeypatch):
    def refuse(self, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pathlib.Path.write_bytes", refuse)
    path = tmp_path / "alice.zip"
    assert cli.main(["export", "ect", "alice@oak.example", str(path)]) == 1
    assert capsys.readouterr().err == f"coachroom: cannot write {path}: Permission denied\n"
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action="induction.record.exported").exists()


def test_export_without_what_to_export_shows_the_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["export"])
    assert exit_.value.code == 2
    assert "ect" in capsys.readouterr().err
