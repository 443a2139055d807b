"""`coachroom import …`: exit codes, problems on stdout, one line on stderr, progress."""

from __future__ import annotations

import io

import pytest

from coachroom import cli
from coachroom.accounts.models import Membership, School, User
from coachroom.imports.common import TerminalProgress
from tests.imports.roster import Roster

pytestmark = pytest.mark.django_db


def test_importing_a_folder_prints_counts_and_exits_0(tmp_path, capsys):
    folder = Roster().write(tmp_path / "export")

    assert cli.main(["import", "oneroster", str(folder)]) == 0

    out, err = capsys.readouterr()
    assert "10 created, 0 updated, 0 deactivated." in out
    assert "Ignored 5 rows about pupils, parents and guardians (not read)." in out
    assert err == ""
    assert School.objects.count() == 2


def test_importing_a_zip_twice_changes_nothing_the_second_time(tmp_path, capsys):
    path = Roster().write_zip(tmp_path / "export.zip")
    assert cli.main(["import", "oneroster", str(path)]) == 0
    capsys.readouterr()

    assert cli.main(["import", "oneroster", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "0 created, 0 updated, 0 deactivated."


def test_a_dry_run_prints_what_would_change_and_writes_nothing(tmp_path, capsys):
    path = Roster().write_zip(tmp_path / "export.zip")

    assert cli.main(["import", "oneroster", str(path), "--dry-run", "--school", "111111"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Dry run: nothing has been written.\nWould create 6, update 0")
    assert "  staff: Ann Archer <ann.archer@oak.example> (teacher; Maths; KS4)" in out
    assert not User.objects.exists()


def test_problems_go_to_stdout_and_one_line_to_stderr_with_exit_1(tmp_path, capsys):
    roster = Roster().set("users.csv", "t-ann", email="").set("users.csv", "t-ben", role="head")
    folder = roster.write(tmp_path / "export")

    assert cli.main(["import", "oneroster", str(folder)]) == 1

    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "users.csv, line 2, column email: This member of staff has no email address; "
        "Coachroom needs one to sign them in.",
        "users.csv, line 4, column role: “head” is not a OneRoster role. Staff must be "
        "teacher or administrator (pupil and parent rows are ignored).",
    ]
    assert err == (
        "coachroom: 2 problems found, so nothing was imported; fix them and run the import again\n"
    )
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "oneroster", "/nowhere/export.zip"], "/nowhere/export.zip does not exist"),
        (["import", "oneroster", "{tmp}", "--school", "oak"], "--school takes a six-digit URN"),
        (["import", "staff", "{tmp}"], "is a folder; a staff import reads one CSV file"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_1(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_a_file_that_is_not_a_zip_is_one_problem(tmp_path, capsys):
    path = tmp_path / "export.zip"
    path.write_text("sourcedId,name\n")
    assert cli.main(["import", "oneroster", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "export.zip: This is not a zip file. Upload the zip your MIS made.\n"
    assert err.startswith("coachroom: 1 problem found")


def test_a_staff_csv_goes_into_the_named_school(tmp_path, capsys, oak, elm):
    path = tmp_path / "staff.csv"
    path.write_text("email,first_name,last_name,roles\nnew@oak.example,New,Person,teacher\n")

    assert cli.main(["import", "staff", str(path), "--school", "111111"]) == 0

    assert Membership.objects.get(user__email="new@oak.example").school == oak
    assert "1 created, 0 updated, 0 deactivated." in capsys.readouterr().out


def test_a_staff_csv_needs_a_school_when_there_are_several(tmp_path, capsys, oak, elm):
    path = tmp_path / "staff.csv"
    path.write_text("email,first_name,last_name,roles\n")
    assert cli.main(["import", "staff", str(path)]) == 1
    assert capsys.readouterr().err == (
        "coachroom: a staff CSV needs --school URN: the school to import into\n"
    )
    assert cli.main(["import", "staff", str(path), "--school", "999999"]) == 1
    assert "no school has the URN 999999" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_line_redrawn_on_a_terminal_and_silent_otherwise():
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = TerminalProgress(stream, every=0)
        progress(50, 200, "Reading users.csv")
        progress(200, 200, "Reading users.csv")
        progress.finish()
    assert pipe.getvalue() == ""
    assert terminal.getvalue().startswith("\rReading users.csv")
    assert "[#######-----------------------]  25% 50/200" in terminal.getvalue()
    assert terminal.getvalue().endswith("100% 200/200\n")
