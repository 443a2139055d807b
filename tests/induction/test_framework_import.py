"""`coachroom import ittecf PATH`: the school's own copy of the statements, checked line by line,
loaded all or nothing, and the same the second time. The wording here is made up: the real
statements are never in the repository."""

from __future__ import annotations

import pytest

from coachroom import cli
from coachroom.audit.models import AuditEvent
from coachroom.induction.framework_file import read_statements
from coachroom.induction.models import FrameworkStatement
from coachroom.induction.services import framework_import

pytestmark = pytest.mark.django_db

GOOD = (
    "section,number,kind,text\n"
    "1,1.1,learn that,Made-up wording about expectations.\n"
    "1,1.a,learn how to,Made-up wording about routines.\n"
    '2,2.3,Learn that,"Made-up wording, with a comma."\n'
    "8,8.1,learn how to,Made-up wording about colleagues.\n"
)


def write(tmp_path, text: str, name: str = "ittecf.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_every_statement(tmp_path, capsys):
    assert cli.main(["import", "ittecf", str(write(tmp_path, GOOD))]) == 0

    out, err = capsys.readouterr()
    assert out.splitlines()[0] == (
        "Framework statements: 4 added, 0 updated, 0 removed, 0 unchanged."
    )
    assert err == ""
    rows = list(FrameworkStatement.objects.values_list("section", "number", "kind", "text"))
    assert rows == [
        (1, "1.1", "learn that", "Made-up wording about expectations."),
        (1, "1.a", "learn how to", "Made-up wording about routines."),
        (2, "2.3", "learn that", "Made-up wording, with a comma."),
        (8, "8.1", "learn how to", "Made-up wording about colleagues."),
    ]
    assert AuditEvent.objects.filter(action="induction.framework.imported").count() == 1


def test_a_header_in_another_order_and_case_with_a_byte_order_mark_is_fine(tmp_path, capsys):
    text = "\ufeffText, Kind ,NUMBER,Section,notes\nSome wording.,learn  that,4.2,4,ignored\n"

    assert cli.main(["import", "ittecf", str(write(tmp_path, text))]) == 0

    statement = FrameworkStatement.objects.get()
    assert (statement.section, statement.number, statement.kind, statement.text) == (
        4,
        "4.2",
        "learn that",
        "Some wording.",
    )


def test_every_problem_is_reported_with_its_line_and_column(tmp_path, capsys):
    text = (
        "section,number,kind,text\n"
        "9,9.1,learn that,Wording.\n"  # 2: unknown section
        "2,2.1,learn that,Wording.\n"  # 3: fine
        "2,2.1,learn how to,Wording.\n"  # 4: duplicate number
        "3,3.1,learn why,Wording.\n"  # 5: bad kind
        "3,3.2,learn that,\n"  # 6: empty text
        "4,5.1,learn that,Wording.\n"  # 7: number from another section
        "5,,learn that,Wording.\n"  # 8: empty number
        'x,6 1,,"  "\n'  # 9: section, number, kind and text all wrong
    )

    assert cli.main(["import", "ittecf", str(write(tmp_path, text))]) == 1

    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "ittecf.csv, line 2, column section: unknown section “9”: sections are numbered 1 to 8",
        "ittecf.csv, line 4, column number: duplicate number 2.1 in section 2 (first on line 3)",
        "ittecf.csv, line 5, column kind: is “learn why”: it must be “learn that” or "
        "“learn how to”",
        "ittecf.csv, line 6, column text: is empty: give the statement's wording",
        "ittecf.csv, line 7, column number: 5.1 belongs to section 5, not 4",
        "ittecf.csv, line 8, column number: is empty: give the statement's number, for example 2.3",
        "ittecf.csv, line 9, column section: unknown section “x”: sections are numbered 1 to 8",
        "ittecf.csv, line 9, column number: “6 1” is not a statement number: use digits and "
        "letters with dots, for example 2.3 or 2.3a",
        "ittecf.csv, line 9, column kind: is empty: it must be “learn that” or “learn how to”",
        "ittecf.csv, line 9, column text: is empty: give the statement's wording",
    ]
    assert err == (
        "coachroom: 10 problems found, so nothing was imported; fix them and run the import again\n"
    )
    assert not FrameworkStatement.objects.exists()


def test_lines_are_counted_from_where_a_record_starts_when_text_spans_lines():
    text = b'section,number,kind,text\n1,1.1,learn that,"Two\nlines"\n\n1,1.1,learn that,Again.\n'

    found = read_statements(text, label="f.csv")

    assert [str(p) for p in found.problems] == [
        "f.csv, line 5, column number: duplicate number 1.1 in section 1 (first on line 2)"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"number,kind,text\n1.1,learn that,W\n",
            [
                "f.csv, line 1, column section: is missing "
                "from the header (section, number, kind, text)"
            ],
        ),
        (
            b"",
            [
                f"f.csv, line 1, column {c}: is missing from the header (section, number, kind, "
                "text)"
                for c in ("section", "number", "kind", "text")
            ],
        ),
        (
            b"section,number,kind,text\n",
            ["f.csv: has no statements: add one row per statement under the header"],
        ),
        (
            b"section,number,kind,text\n1,1.1,learn that,caf\xe9\n",
            ["f.csv: is not UTF-8 text; save it as CSV UTF-8 and try again"],
        ),
    ],
)
def test_files_that_are_not_a_statement_list_say_why(data, expected):
    assert [str(p) for p in read_statements(data, label="f.csv").problems] == expected


def test_one_bad_row_loads_nothing_even_when_statements_are_already_loaded(tmp_path, capsys):
    assert cli.main(["import", "ittecf", str(write(tmp_path, GOOD))]) == 0
    changed = GOOD.replace("Made-up wording about routines.", "New wording.") + "2,2.3,x,Y\n"

    assert cli.main(["import", "ittecf", str(write(tmp_path, changed))]) == 1

    assert FrameworkStatement.objects.get(number="1.a").text == "Made-up wording about routines."
    assert FrameworkStatement.objects.count() == 4


def test_a_dry_run_reports_the_changes_and_saves_nothing(tmp_path, capsys):
    assert cli.main(["import", "ittecf", str(write(tmp_path, GOOD)), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Framework statements: 4 added, 0 updated, 0 removed, 0 unchanged. "
        "Dry run: nothing was saved.",
        "Statements would be added: 1.1, 1.a, 2.3, 8.1",
    ]
    assert not FrameworkStatement.objects.exists()
    assert not AuditEvent.objects.exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert cli.main(["import", "ittecf", str(path)]) == 0
    before = list(FrameworkStatement.objects.values_list("pk", "loaded_at"))
    capsys.readouterr()

    assert cli.main(["import", "ittecf", str(path)]) == 0

    assert capsys.readouterr().out == (
        "Framework statements: 0 added, 0 updated, 0 removed, 4 unchanged. Nothing changed.\n"
    )
    assert list(FrameworkStatement.objects.values_list("pk", "loaded_at")) == before
    assert AuditEvent.objects.filter(action="induction.framework.imported").count() == 1


def test_a_new_version_of_the_file_updates_adds_and_removes_in_place(tmp_path, capsys):
    assert cli.main(["import", "ittecf", str(write(tmp_path, GOOD))]) == 0
    kept = FrameworkStatement.objects.get(number="1.1").pk
    capsys.readouterr()
    newer = (
        "section,number,kind,text\n"
        "1,1.1,learn that,Made-up wording about expectations.\n"
        "1,1.a,learn how to,Reworded.\n"
        '2,2.3,learn how to,"Made-up wording, with a comma."\n'
        "3,3.1,learn that,Brand new.\n"
    )

    assert cli.main(["import", "ittecf", str(write(tmp_path, newer))]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "Framework statements: 1 added, 2 updated, 1 removed, 1 unchanged.",
        "Statements were added: 3.1",
        "Statements were updated: 1.a, 2.3",
        "Statements were removed: 8.1",
    ]
    assert FrameworkStatement.objects.get(number="1.1").pk == kept
    assert FrameworkStatement.objects.get(number="2.3").kind == "learn how to"
    assert sorted(FrameworkStatement.objects.values_list("number", flat=True)) == [
        "1.1",
        "1.a",
        "2.3",
        "3.1",
    ]


def test_the_service_alone_writes_nothing_on_a_dry_run():
    rows = read_statements(GOOD.encode(), label="f.csv").rows

    outcome = framework_import(rows=rows, dry_run=True)

    assert outcome.added == ["1.1", "1.a", "2.3", "8.1"]
    assert not FrameworkStatement.objects.exists()


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["missing.csv"], "coachroom: missing.csv does not exist\n"),
        (
            ["{tmp}", "--school", "111111"],
            "coachroom: the framework's statements are shared by every school; leave out "
            "--school\n",
        ),
        (["{tmp}"], "coachroom: {tmp} is a folder; the framework import reads one CSV file\n"),
    ],
)
def test_the_command_exits_1_with_a_one_line_reason(tmp_path, capsys, monkeypatch, args, reason):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]

    assert cli.main(["import", "ittecf", *args]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err == reason.replace("{tmp}", str(tmp_path))
