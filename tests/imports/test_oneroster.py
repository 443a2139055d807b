"""OneRoster 1.1 CSV import: reading, checking, dry runs, re-imports and leavers."""

from __future__ import annotations

import datetime as dt

import pytest

from coachroom.accounts.models import (
    AcademicYear,
    CoachingRelationship,
    Membership,
    School,
    Term,
    Trust,
    User,
)
from coachroom.audit.models import AuditEvent
from coachroom.imports import oneroster, services
from coachroom.imports.common import Problems
from coachroom.imports.models import SourceRecord
from coachroom.imports.oneroster.teaching import phase_from_key_stages
from tests.factories import (
    MembershipFactory,
    RelationshipFactory,
    SchoolFactory,
    TrustFactory,
    UserFactory,
)
from tests.imports.roster import PUPIL_MARKERS, Roster, everything_stored

pytestmark = pytest.mark.django_db


def run(roster: Roster, *, dry_run: bool = False, **kwargs):
    return services.oneroster_import(bundle=roster.bundle(), actor=None, dry_run=dry_run, **kwargs)


def problems_of(outcome) -> set[tuple[str, int | None, str | None]]:
    return {(p.file, p.line, p.column) for p in outcome.problems}


def test_a_full_import_creates_the_trust_schools_years_and_staff():
    outcome = run(Roster())

    assert outcome.problems == []
    trust = Trust.objects.get(source_id="trust-1")
    assert trust.name == "Riverside Trust"
    oak, elm = School.objects.get(urn="111111"), School.objects.get(urn="222222")
    assert (oak.trust, elm.trust) == (trust, trust)
    assert oak.source_id == "oak-1"
    year = AcademicYear.objects.get(school=oak)
    assert (year.name, year.starts_on, year.ends_on) == (
        "2026–27",
        dt.date(2026, 9, 1),
        dt.date(2027, 7, 31),
    )
    assert list(year.terms.values_list("name", flat=True)) == ["Autumn", "Spring", "Summer"]
    assert AcademicYear.objects.filter(school=elm, name="2026–27").exists()

    ann = Membership.objects.get(user__email="ann.archer@oak.example", school=oak)
    assert (ann.is_teacher, ann.is_school_admin, ann.source_id) == (True, False, "t-ann")
    assert (ann.subjects, ann.key_stages, ann.phase) == ("Maths", "KS4", "secondary")
    ben = Membership.objects.get(user__email="ben.baker@oak.example")
    assert (ben.is_teacher, ben.is_school_admin) == (False, True)
    cat = User.objects.get(email="cat.cole@trust.example")
    assert Membership.objects.get(user=cat, school=oak).subjects == "English"
    assert Membership.objects.get(user=cat, school=oak).key_stages == "KS3"
    assert Membership.objects.get(user=cat, school=elm).subjects == "Physics, Science"
    assert not cat.has_usable_password()
    assert outcome.counts == {"created": 1 + 2 + 2 + 5, "updated": 0, "deactivated": 0}


def test_pupils_guardians_and_aides_are_dropped_and_nothing_of_them_is_stored():
    outcome = run(Roster())

    assert User.objects.count() == 4
    stored = everything_stored()
    for marker in PUPIL_MARKERS:
        assert marker not in stored
    assert outcome.ignored_lines() == [
        "Ignored 5 rows about pupils, parents and guardians (not read).",
        "Ignored 1 row for other staff (aides, proctors and trust-level staff).",
    ]


def test_new_staff_get_no_email(mailoutbox):
    run(Roster())
    assert mailoutbox == []


def test_one_audit_entry_records_the_counts():
    run(Roster(), school_urn="111111")
    event = AuditEvent.objects.get(action="imports.oneroster.applied")
    assert event.school == School.objects.get(urn="111111")
    assert event.data["created"] == 6  # the trust, Oak, its year, Ann, Ben and Cat
    assert AuditEvent.objects.count() == 1


def test_a_dry_run_writes_nothing_and_says_what_would_change():
    outcome = run(Roster(), dry_run=True)

    assert outcome.problems == []
    assert outcome.counts["created"] == 10
    assert {c.label for c in outcome.changes if c.kind == "school"} == {
        "Oak School (URN 111111)",
        "Elm School (URN 222222)",
    }
    lines = outcome.summary_lines()
    assert lines[0] == "Dry run: nothing has been written."
    assert "Would create 10, update 0, deactivate 0." in lines
    for model in (Trust, School, User, Membership, AcademicYear, Term, SourceRecord, AuditEvent):
        assert not model.objects.exists(), model


def test_importing_the_same_files_again_changes_nothing():
    run(Roster())
    snapshot = list(Membership.objects.order_by("pk").values())

    again = run(Roster())
    dry = run(Roster(), dry_run=True)

    assert again.counts == {"created": 0, "updated": 0, "deactivated": 0}
    assert dry.counts == again.counts
    assert list(Membership.objects.order_by("pk").values()) == snapshot
    assert "0 created, 0 updated, 0 deactivated." in again.summary_lines()


def test_changes_in_the_mis_update_people_and_schools():
    run(Roster())
    roster = Roster()
    roster.set("users.csv", "t-ann", familyName="Archer-Smith", email="ann.smith@oak.example")
    roster.set("orgs.csv", "oak-1", name="Oak Academy")

    outcome = run(roster)

    ann = Membership.objects.get(source_id="t-ann").user
    assert (ann.last_name, ann.email) == ("Archer-Smith", "ann.smith@oak.example")
    assert School.objects.get(urn="111111").name == "Oak Academy"
    assert outcome.counts == {"created": 0, "updated": 2, "deactivated": 0}


def test_staff_missing_from_a_new_export_are_deactivated_and_keep_their_history():
    run(Roster())
    oak = School.objects.get(urn="111111")
    ann = User.objects.get(email="ann.archer@oak.example")
    ben = User.objects.get(email="ben.baker@oak.example")
    pair = RelationshipFactory(
        school=oak, academic_year=AcademicYear.objects.get(school=oak), coach=ben, coachee=ann
    )
    roster = Roster().drop("users.csv", "t-ann").drop("enrollments.csv", "e-1")

    dry = run(roster, dry_run=True)
    outcome = run(roster)

    assert [c.detail for c in dry.changes] == [
        "not in the export; 1 coaching pair ends; history kept"
    ]
    assert outcome.counts == {"created": 0, "updated": 0, "deactivated": 1}
    membership = Membership.objects.get(user=ann, school=oak)
    assert not membership.is_active and membership.deactivated_at is not None
    pair.refresh_from_db()
    assert pair.ended_on is not None
    assert CoachingRelationship.objects.filter(pk=pair.pk).exists()
    assert User.objects.filter(pk=ann.pk, is_active=True).exists()  # other schools unaffected


def test_a_disabled_user_counts_as_a_leaver_and_comes_back_when_enabled_again():
    run(Roster())
    run(Roster().set("users.csv", "t-ann", enabledUser="false"))
    ann = Membership.objects.get(source_id="t-ann")
    assert not ann.is_active

    outcome = run(Roster())

    ann.refresh_from_db()
    assert ann.is_active and ann.deactivated_at is None
    assert [c.detail for c in outcome.changes] == ["reactivated: back in the export"]


def test_staff_added_by_hand_are_never_deactivated_by_an_import(oak):
    hand_made = MembershipFactory(school=oak, user=UserFactory(email="office@oak.example"))
    run(Roster(), school_urn="111111")
    hand_made.refresh_from_db()
    assert hand_made.is_active


def test_someone_deactivated_by_hand_stays_deactivated_with_a_note():
    run(Roster())
    Membership.objects.filter(source_id="t-ann").update(is_active=False)
    outcome = run(Roster())
    assert not Membership.objects.get(source_id="t-ann").is_active
    assert any("deactivated by hand" in note for note in outcome.notes)


def test_existing_school_and_staff_are_matched_by_urn_and_email(oak):
    existing = MembershipFactory(
        school=oak, user=UserFactory(email="ann.archer@oak.example"), is_coach=True
    )

    outcome = run(Roster(), school_urn="111111")

    existing.refresh_from_db()
    oak.refresh_from_db()
    assert oak.source_id == "oak-1"
    assert existing.source_id == "t-ann"
    assert existing.is_coach and existing.is_teacher  # imports add roles, never remove them
    assert School.objects.count() == 1
    assert outcome.problems == []
    ann = next(c for c in outcome.changes if c.label.startswith("Ann"))
    assert ann.detail == (
        "first name, last name, subjects, key stages, phase taught changed; "
        "linked to the MIS record"
    )


def test_the_school_option_keeps_the_import_to_one_school():
    outcome = run(Roster(), school_urn="222222")

    assert list(School.objects.values_list("urn", flat=True)) == ["222222"]
    assert set(User.objects.values_list("email", flat=True)) == {
        "cat.cole@trust.example",
        "dan.dale@elm.example",
    }
    assert Membership.objects.get(user__email="cat.cole@trust.example").subjects == (
        "Physics, Science"
    )
    assert outcome.problems == []


def test_the_school_option_ignores_problems_in_other_schools_rows():
    roster = Roster().set("users.csv", "t-dan", email="")
    assert run(roster, school_urn="111111").problems == []
    assert problems_of(run(roster, school_urn="222222", dry_run=True)) == {
        ("users.csv", roster.line_of("users.csv", "t-dan"), "email")
    }


def test_an_unknown_school_urn_is_a_problem():
    outcome = run(Roster(), school_urn="999999", dry_run=True)
    assert [str(p) for p in outcome.problems] == [
        "orgs.csv, column identifier: No school in orgs.csv has the URN 999999."
    ]


def test_terms_are_replaced_when_the_mis_dates_change(oak):
    from coachroom.accounts.services import academic_year_create

    academic_year_create(school=oak, by=None, start_year=2026)  # six default half-terms
    run(Roster(), school_urn="111111")
    year = AcademicYear.objects.get(school=oak)
    assert year.terms.count() == 3
    autumn = year.terms.get(name="Autumn")

    roster = Roster().set("academicSessions.csv", "t-aut", endDate="2026-12-17")
    outcome = run(roster, school_urn="111111")

    assert Term.objects.get(pk=autumn.pk).ends_on == dt.date(2026, 12, 17)
    assert outcome.counts["updated"] == 1


def test_grading_periods_inside_terms_become_the_terms():
    roster = Roster()
    for sid, title, start, end in (
        ("gp-1", "Autumn 1", "2026-09-02", "2026-10-23"),
        ("gp-2", "Autumn 2", "2026-11-02", "2026-12-18"),
    ):
        roster.add(
            "academicSessions.csv",
            sourcedId=sid,
            title=title,
            type="gradingPeriod",
            startDate=start,
            endDate=end,
            parentSourcedId="t-aut",
            schoolYear="2027",
        )
    run(roster, school_urn="111111")
    names = Term.objects.order_by("starts_on").values_list("name", flat=True)
    assert list(names) == ["Autumn 1", "Autumn 2"]


def test_a_zip_and_a_folder_give_the_same_import(tmp_path):
    problems = Problems()
    from_zip = oneroster.bundle_from_zip(Roster().zip_bytes(prefix="export/"), problems)
    from_folder = oneroster.bundle_from_folder(Roster().write(tmp_path / "export"), problems)
    assert problems.items == []
    assert from_zip == from_folder
    assert "demographics.csv" not in from_zip


def test_redacting_an_upload_removes_pupil_rows_but_keeps_line_numbers():
    roster = Roster().set("users.csv", "t-dan", role="Teacher-ish")
    bundle, dropped = oneroster.redact_bundle(roster.bundle())

    text = bundle["users.csv"].decode()
    for marker in PUPIL_MARKERS:
        assert marker not in text
    assert "dan.dale" not in text  # an unknown role keeps only the role
    assert dropped == 5  # three pupil and guardian users, two pupil enrolments
    problems = Problems()
    oneroster.read_roster(bundle, problems)
    assert [(p.line, p.column) for p in problems.items] == [
        (roster.line_of("users.csv", "t-dan"), "role")
    ]


def test_the_phase_taught_comes_from_key_stages_when_they_say_so_plainly():
    assert phase_from_key_stages({"EYFS", "KS1"}) == "primary"
    assert phase_from_key_stages({"KS3", "KS5"}) == "secondary"
    assert phase_from_key_stages({"KS2", "KS3"}) == ""  # all-through: left for the school
    assert phase_from_key_stages(set()) == ""


def test_key_stages_come_from_grades_or_titles():
    assert oneroster.key_stages_from_grades(["07", "08"]) == {"KS3"}
    assert oneroster.key_stages_from_grades(["R", "01"]) == {"EYFS", "KS1"}
    assert oneroster.key_stages_from_title("10X/Ma1") == {"KS4"}
    assert oneroster.key_stages_from_title("Year 12 Physics") == {"KS5"}
    assert oneroster.key_stages_from_title("Y3 Robins") == {"KS2"}
    assert oneroster.key_stages_from_title("Reception Owls") == {"EYFS"}
    assert oneroster.key_stages_from_title("Maths set 2") == set()


# Every kind of problem, with its file, line and column ------------------------------------


PROBLEM_CASES = {
    "unknown role": (
        lambda r: r.set("users.csv", "t-ann", role="headteacher"),
        ("users.csv", "t-ann", "role"),
        "“headteacher” is not a OneRoster role.",
    ),
    "blank role": (
        lambda r: r.set("users.csv", "t-ann", role=""),
        ("users.csv", "t-ann", "role"),
        "The role is blank.",
    ),
    "bad start date": (
        lambda r: r.set("academicSessions.csv", "t-aut", startDate="02/09/2026"),
        ("academicSessions.csv", "t-aut", "startDate"),
        "“02/09/2026” is not a date. Write dates as YYYY-MM-DD",
    ),
    "end before start": (
        lambda r: r.set("academicSessions.csv", "t-spr", endDate="2027-01-01"),
        ("academicSessions.csv", "t-spr", "endDate"),
        "The endDate is before the startDate.",
    ),
    "term outside its year": (
        lambda r: r.set("academicSessions.csv", "t-sum", endDate="2027-08-20"),
        ("academicSessions.csv", "t-sum", "endDate"),
        "falls outside its school year",
    ),
    "bad school year": (
        lambda r: r.set("academicSessions.csv", "t-aut", schoolYear="2026-27"),
        ("academicSessions.csv", "t-aut", "schoolYear"),
        "The schoolYear must be the four-digit year",
    ),
    "unknown session type": (
        lambda r: r.set("academicSessions.csv", "t-aut", type="halfTerm"),
        ("academicSessions.csv", "t-aut", "type"),
        "“halfTerm” is not a session type.",
    ),
    "duplicate user sourcedId": (
        lambda r: r.set("users.csv", "t-ben", sourcedId="t-ann"),
        ("users.csv", "t-ben", "sourcedId"),
        "The sourcedId “t-ann” is also used on line 2.",
    ),
    "duplicate org sourcedId": (
        lambda r: r.add("orgs.csv", sourcedId="oak-1", name="Annexe", type="department"),
        ("orgs.csv", 5, "sourcedId"),
        "The sourcedId “oak-1” is also used on line 3.",
    ),
    "user at a missing org": (
        lambda r: r.set("users.csv", "t-ann", orgSourcedIds="oak-1,ash-1"),
        ("users.csv", "t-ann", "orgSourcedIds"),
        "No org in orgs.csv has the sourcedId “ash-1”.",
    ),
    "school under a missing org": (
        lambda r: r.set("orgs.csv", "oak-1", parentSourcedId="trust-9"),
        ("orgs.csv", "oak-1", "parentSourcedId"),
        "No org in orgs.csv has the sourcedId “trust-9”.",
    ),
    "class at a missing org": (
        lambda r: r.set("classes.csv", "k-7en", schoolSourcedId="ash-1"),
        ("classes.csv", "k-7en", "schoolSourcedId"),
        "No org in orgs.csv has the sourcedId “ash-1”.",
    ),
    "class of a missing course": (
        lambda r: r.set("classes.csv", "k-7en", courseSourcedId="c-fr"),
        ("classes.csv", "k-7en", "courseSourcedId"),
        "No course in courses.csv has the sourcedId “c-fr”.",
    ),
    "class in a missing term": (
        lambda r: r.set("classes.csv", "k-7en", termSourcedIds="t-win"),
        ("classes.csv", "k-7en", "termSourcedIds"),
        "No session in academicSessions.csv has the sourcedId “t-win”.",
    ),
    "enrolment in a missing class": (
        lambda r: r.set("enrollments.csv", "e-1", classSourcedId="k-nope"),
        ("enrollments.csv", "e-1", "classSourcedId"),
        "No class in classes.csv has the sourcedId “k-nope”.",
    ),
    "enrolment of a missing teacher": (
        lambda r: r.set("enrollments.csv", "e-1", userSourcedId="t-nobody"),
        ("enrollments.csv", "e-1", "userSourcedId"),
        "No teacher or administrator in users.csv has the sourcedId “t-nobody”.",
    ),
    "unknown enrolment role": (
        lambda r: r.set("enrollments.csv", "e-1", role="lead"),
        ("enrollments.csv", "e-1", "role"),
        "“lead” is not an enrolment role.",
    ),
    "user with no email": (
        lambda r: r.set("users.csv", "t-ann", email=""),
        ("users.csv", "t-ann", "email"),
        "This member of staff has no email address",
    ),
    "not an email": (
        lambda r: r.set("users.csv", "t-ann", email="ann at oak"),
        ("users.csv", "t-ann", "email"),
        "“ann at oak” is not an email address.",
    ),
    "duplicate email": (
        lambda r: r.set("users.csv", "t-ben", email="ANN.archer@oak.example"),
        ("users.csv", "t-ben", "email"),
        "The email ann.archer@oak.example is also used on line 2.",
    ),
    "enabledUser not true or false": (
        lambda r: r.set("users.csv", "t-ann", enabledUser="yes"),
        ("users.csv", "t-ann", "enabledUser"),
        "enabledUser must be true or false; found “yes”.",
    ),
    "blank first name": (
        lambda r: r.set("users.csv", "t-ann", givenName=""),
        ("users.csv", "t-ann", "givenName"),
        "The givenName (first name) is blank.",
    ),
    "URN not six digits": (
        lambda r: r.set("orgs.csv", "oak-1", identifier="1111"),
        ("orgs.csv", "oak-1", "identifier"),
        "A school's identifier must be its six-digit URN",
    ),
    "duplicate URN": (
        lambda r: r.set("orgs.csv", "elm-1", identifier="111111"),
        ("orgs.csv", "elm-1", "identifier"),
        "The URN 111111 is also used on line 3.",
    ),
    "unknown org type": (
        lambda r: r.set("orgs.csv", "trust-1", type="trust"),
        ("orgs.csv", "trust-1", "type"),
        "“trust” is not an org type.",
    ),
}


@pytest.mark.parametrize("case", sorted(PROBLEM_CASES))
def test_each_problem_names_its_file_line_and_column_and_nothing_is_written(case):
    change, (file, sid, column), message = PROBLEM_CASES[case]
    roster = Roster()
    line = sid if isinstance(sid, int) else roster.line_of(file, sid)
    change(roster)

    outcome = run(roster)

    assert [(p.file, p.line, p.column) for p in outcome.problems] == [(file, line, column)]
    assert message in outcome.problems[0].message
    assert not User.objects.exists() and not School.objects.exists()


def test_a_missing_file_and_a_missing_column_are_problems():
    roster = Roster()
    bundle = roster.bundle()
    del bundle["academicSessions.csv"]
    header = [h for h in roster.csv_text("orgs.csv").splitlines()[0].split(",") if h != "type"]
    bundle["orgs.csv"] = roster.csv_text("orgs.csv", header=header).encode()

    outcome = services.oneroster_import(bundle=bundle, actor=None, dry_run=False)

    assert [str(p) for p in outcome.problems] == [
        "academicSessions.csv: academicSessions.csv is missing. A OneRoster 1.1 export has it.",
        "orgs.csv, line 1, column type: The column “type” is missing from the first line.",
    ]


def test_every_problem_is_reported_not_just_the_first():
    roster = Roster()
    roster.set("users.csv", "t-ann", email="", enabledUser="maybe")
    roster.set("academicSessions.csv", "t-spr", startDate="tomorrow")
    outcome = run(roster, dry_run=True)
    assert len(outcome.problems) == 3


def test_a_problem_on_the_last_row_means_nothing_at_all_is_written():
    roster = Roster()
    roster.set("enrollments.csv", "e-6", userSourcedId="t-gone")  # the very last line
    outcome = run(roster)
    assert problems_of(outcome) == {("enrollments.csv", 7, "userSourcedId")}
    for model in (Trust, School, User, Membership, AcademicYear, Term, AuditEvent):
        assert not model.objects.exists(), model


def test_a_conflict_found_against_the_database_also_stops_everything():
    SchoolFactory(urn="111111", source_id="")
    SchoolFactory(urn="333333", source_id="oak-1", trust=TrustFactory(source_id="trust-1"))
    outcome = run(Roster())
    assert problems_of(outcome) == {("orgs.csv", 3, "identifier")}
    assert "the URN 111111 belongs to School" in outcome.problems[0].message
    assert not User.objects.exists()


def test_a_school_that_became_an_academy_keeps_its_record_under_its_new_urn():
    run(Roster())
    oak = School.objects.get(urn="111111")
    outcome = run(Roster().set("orgs.csv", "oak-1", identifier="144444"))
    oak.refresh_from_db()
    assert oak.urn == "144444"
    assert [str(c) for c in outcome.changes] == ["school: Oak School (URN changed)"]


def test_another_trusts_school_with_the_same_sourced_id_is_left_alone():
    other = SchoolFactory(urn="999999", source_id="oak-1")
    run(Roster())
    other.refresh_from_db()
    assert other.urn == "999999"
    assert School.objects.get(urn="111111").source_id == "oak-1"


def test_a_delta_export_or_another_version_is_refused():
    roster = Roster()
    roster.rows("manifest.csv")[1]["value"] = "1.2"
    roster.rows("manifest.csv")[2]["value"] = "delta"
    outcome = run(roster, dry_run=True)
    assert [(p.line, p.column) for p in outcome.problems] == [(3, "value"), (4, "value")]
    assert "Coachroom reads version 1.1" in outcome.problems[0].message
    assert "bulk export" in outcome.problems[1].message


def test_an_excel_saved_file_in_windows_1252_is_read():
    roster = Roster().set("users.csv", "t-ann", familyName="Ørsted-Léa")
    bundle = roster.bundle()
    bundle["users.csv"] = roster.csv_text("users.csv").encode("cp1252", errors="replace")
    services.oneroster_import(bundle=bundle, actor=None, dry_run=False)
    assert Membership.objects.get(source_id="t-ann").user.last_name == "Ørsted-Léa"
