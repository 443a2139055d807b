"""Imports match people only among the school's own staff, and never take over an account.

An import speaks for one school (or, from the terminal, for the trusts in the file). A row
whose email belongs to an account outside the school is a problem, and nothing is written.
Identity (name, email) changes only where `accounts.identity.may_change_identity` allows;
otherwise it is left as it is, with a note. sourcedIds are remembered per school.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.accounts.identity import IDENTITY_LOCKED, OUTSIDE_SCHOOL
from coachroom.accounts.models import Membership, School, User
from coachroom.audit.models import AuditEvent
from coachroom.imports import services
from coachroom.imports.models import ImportRun
from tests.factories import MembershipFactory, SchoolFactory, TrustFactory, UserFactory
from tests.imports.roster import Roster
from tests.imports.test_views import upload

pytestmark = pytest.mark.django_db


def oneroster(roster: Roster, *, actor: User | None = None, **kwargs):
    return services.oneroster_import(bundle=roster.bundle(), actor=actor, dry_run=False, **kwargs)


def staff_csv(text: str, school: School, *, actor: User | None = None, dry_run: bool = False):
    return services.staff_csv_import(
        data=text.encode(), school=school, actor=actor, dry_run=dry_run
    )


def where(outcome) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.line, p.column) for p in outcome.problems]


def identity(user: User) -> tuple[str, str, str]:
    user.refresh_from_db()
    return (user.email, user.first_name, user.last_name)


# The takeover -------------------------------------------------------------------------------


def test_an_oneroster_row_with_another_schools_email_is_a_problem_and_nothing_is_written(
    oak, elm, outsider
):
    roster = Roster().set("users.csv", "t-ann", email="outsider@elm.example", givenName="Evil")

    outcome = oneroster(roster, school_urn="111111")

    line = roster.line_of("users.csv", "t-ann")
    assert where(outcome) == [("users.csv", line, "email")]
    assert outcome.problems[0].message == OUTSIDE_SCHOOL.format(school="Oak School")
    assert not Membership.objects.filter(user=outsider, school=oak).exists()
    assert identity(outsider)[1] == "Outsider"
    assert not Membership.objects.filter(school=oak).exists()  # nothing at all was written
    assert not AuditEvent.objects.exists()


def test_the_second_import_that_renamed_the_account_changes_no_identity(oak, elm, outsider):
    """The account was linked to Oak before (as the old importer did); the next file gives
    the same sourcedId a new email. Password reset to that address would hand it over."""
    MembershipFactory(user=outsider, school=oak, source_id="t-ann", is_teacher=True)
    roster = Roster().set("users.csv", "t-ann", email="attacker@evil.example")

    outcome = oneroster(roster, school_urn="111111")

    assert outcome.problems == []
    assert identity(outsider) == ("outsider@elm.example", "Outsider", outsider.last_name)
    assert not User.objects.filter(email="attacker@evil.example").exists()
    assert any(IDENTITY_LOCKED in note for note in outcome.notes)
    assert Membership.objects.get(user=outsider, school=oak).source_id == "t-ann"


def test_a_web_upload_naming_another_schools_person_is_refused(client, admin, oak, elm, outsider):
    client.force_login(admin)
    roster = Roster().set("users.csv", "t-ben", email="outsider@elm.example")

    upload(client, roster.zip_bytes(), "export.zip", "oneroster")

    run = ImportRun.objects.get()
    assert run.status == "invalid"
    assert [(e["file"], e["line"], e["column"]) for e in run.errors] == [
        ("users.csv", roster.line_of("users.csv", "t-ben"), "email")
    ]
    assert "A trust admin must add them to this school." in run.errors[0]["message"]
    assert not Membership.objects.filter(user=outsider, school=oak).exists()


@pytest.mark.parametrize("power", ["superuser", "staff", "trust admin"])
def test_an_account_with_wider_powers_is_never_linked_by_an_import(oak, power):
    boss = UserFactory(email="boss@trust.example", first_name="Boss")
    if power == "trust admin":
        oak.trust.admins.add(boss)
    else:
        User.objects.filter(pk=boss.pk).update(**{f"is_{power}": True})
    roster = Roster().set("users.csv", "t-ben", email="boss@trust.example", givenName="Evil")

    outcome = oneroster(roster, school_urn="111111")

    assert where(outcome) == [("users.csv", roster.line_of("users.csv", "t-ben"), "email")]
    assert not Membership.objects.filter(user=boss).exists()
    assert identity(boss)[1] == "Boss"


def test_a_superuser_on_the_schools_staff_keeps_their_name_and_email(oak):
    boss = UserFactory(email="boss@oak.example", first_name="Boss", is_superuser=True)
    MembershipFactory(user=boss, school=oak, source_id="t-ben")
    roster = Roster().set("users.csv", "t-ben", email="new.boss@evil.example", givenName="Evil")

    outcome = oneroster(roster, school_urn="111111")

    assert outcome.problems == []
    assert identity(boss)[:2] == ("boss@oak.example", "Boss")
    assert any(IDENTITY_LOCKED in note and "Boss" in note for note in outcome.notes)


def test_a_person_of_this_school_alone_is_still_renamed_by_the_mis(oak):
    ann = UserFactory(email="ann.archer@oak.example", first_name="Ann", last_name="Archer")
    MembershipFactory(user=ann, school=oak, source_id="t-ann")
    roster = Roster().set("users.csv", "t-ann", email="ann.smith@oak.example", familyName="Smith")

    outcome = oneroster(roster, school_urn="111111")

    assert outcome.problems == [] and outcome.notes == []
    assert identity(ann) == ("ann.smith@oak.example", "Ann", "Smith")
    assert User.objects.get(pk=ann.pk).source_id == ""  # the sourcedId lives on the membership


def test_a_new_email_that_is_another_schools_account_is_a_problem(oak, outsider):
    ann = UserFactory(email="ann.archer@oak.example")
    MembershipFactory(user=ann, school=oak, source_id="t-ann")
    roster = Roster().set("users.csv", "t-ann", email="outsider@elm.example")

    outcome = oneroster(roster, school_urn="111111")

    assert where(outcome) == [("users.csv", roster.line_of("users.csv", "t-ann"), "email")]
    assert outcome.problems[0].message == OUTSIDE_SCHOOL.format(school="Oak School")
    assert identity(ann)[0] == "ann.archer@oak.example"


# sourcedIds are per school ------------------------------------------------------------------


def test_one_schools_sourced_id_never_reaches_another_schools_person():
    """A trust-wide import: Oak's t-dan is Oak's person; Elm's row with the same sourcedId is
    someone else, who must not rename or be linked to Oak's account."""
    oneroster(Roster().drop("users.csv", "t-dan").drop("enrollments.csv", "e-6"))
    oak = School.objects.get(urn="111111")
    oaks_dan = UserFactory(email="dan.oak@oak.example", first_name="Oak-Dan")
    MembershipFactory(user=oaks_dan, school=oak, source_id="t-dan")

    outcome = oneroster(Roster())

    assert outcome.problems == []
    assert identity(oaks_dan)[:2] == ("dan.oak@oak.example", "Oak-Dan")
    assert list(Membership.objects.filter(user=oaks_dan).values_list("school__urn", flat=True)) == [
        "111111"
    ]
    elms_dan = User.objects.get(email="dan.dale@elm.example")
    assert Membership.objects.get(user=elms_dan).school.urn == "222222"


def test_a_sourced_id_bound_to_one_person_is_not_re_pointed_at_another(oak):
    ann = UserFactory(email="ann.archer@oak.example")
    ben = UserFactory(email="ben.baker@oak.example")
    MembershipFactory(user=ann, school=oak, source_id="t-ann")
    MembershipFactory(user=ben, school=oak, source_id="t-ben")
    roster = Roster().set("users.csv", "t-ann", email="ben.baker@oak.example")
    roster.set("users.csv", "t-ben", email="ben.new@oak.example")

    outcome = oneroster(roster, school_urn="111111")

    assert ("users.csv", roster.line_of("users.csv", "t-ann"), "email") in where(outcome)
    assert Membership.objects.get(user=ann).source_id == "t-ann"
    assert Membership.objects.get(user=ben).source_id == "t-ben"
    assert identity(ben)[0] == "ben.baker@oak.example"


# Trust-wide imports from the terminal -------------------------------------------------------


def test_a_trust_import_links_a_teacher_to_a_second_school_of_the_same_trust():
    oneroster(Roster().set("users.csv", "t-cat", orgSourcedIds="oak-1"))
    cat = User.objects.get(email="cat.cole@trust.example")

    outcome = oneroster(Roster())

    assert outcome.problems == []
    assert set(Membership.objects.filter(user=cat).values_list("school__urn", flat=True)) == {
        "111111",
        "222222",
    }


def test_a_trust_import_never_links_a_person_of_another_trust():
    oneroster(Roster().set("users.csv", "t-cat", orgSourcedIds="oak-1"))
    cat = User.objects.get(email="cat.cole@trust.example")
    MembershipFactory(user=cat, school=SchoolFactory(urn="999999", trust=TrustFactory()))

    outcome = oneroster(Roster())

    assert where(outcome) == [("users.csv", Roster().line_of("users.csv", "t-cat"), "email")]
    assert not Membership.objects.filter(user=cat, school__urn="222222").exists()


def test_one_trust_in_the_file_cannot_span_two_trusts_in_coachroom():
    SchoolFactory(urn="111111", name="Oak School", trust=TrustFactory(name="Acorn Trust"))
    SchoolFactory(urn="222222", name="Elm School", trust=TrustFactory(name="Birch Trust"))

    outcome = oneroster(Roster())

    assert where(outcome) == [
        ("orgs.csv", Roster().line_of("orgs.csv", "elm-1"), "parentSourcedId")
    ]
    assert "Birch Trust" in outcome.problems[0].message
    assert not User.objects.exists()


# The staff CSV ------------------------------------------------------------------------------


def test_a_staff_csv_cannot_pull_in_another_schools_person(oak, elm, outsider):
    text = (
        "email,first_name,last_name,roles\noutsider@elm.example,Evil,Name,teacher; school admin\n"
    )

    outcome = staff_csv(text, oak)

    assert where(outcome) == [("staff CSV", 2, "email")]
    assert outcome.problems[0].message == OUTSIDE_SCHOOL.format(school="Oak School")
    assert not Membership.objects.filter(user=outsider, school=oak).exists()
    assert identity(outsider)[1] == "Outsider"


def test_a_staff_csv_names_a_coach_from_its_own_staff_only(oak, oak_year, alice, outsider):
    text = (
        "email,first_name,last_name,roles,coach_email\n"
        f"{alice.email},Alice,Example,teacher,outsider@elm.example\n"
    )

    outcome = staff_csv(text, oak)

    assert where(outcome) == [("staff CSV", 2, "coach_email")]
    assert not Membership.objects.filter(user=outsider, school=oak).exists()


def test_a_staff_csv_leaves_a_shared_persons_name_with_a_note(oak, elm, alice, admin):
    MembershipFactory(user=alice, school=elm)
    text = f"email,first_name,last_name,roles\n{alice.email},Renamed,Person,teacher\n"

    outcome = staff_csv(text, oak, actor=admin)

    assert outcome.problems == []
    assert identity(alice)[1:] == ("Alice", "Example")
    assert any(IDENTITY_LOCKED in note for note in outcome.notes)


def test_a_staff_csv_renames_someone_of_this_school_alone(oak, alice, admin):
    text = f"email,first_name,last_name,roles\n{alice.email},Alicia,Example,teacher\n"
    outcome = staff_csv(text, oak, actor=admin)
    assert outcome.problems == [] and outcome.notes == []
    assert identity(alice)[1] == "Alicia"


def test_a_staff_csv_note_reaches_the_web_page(client, oak, elm, alice, admin):
    MembershipFactory(user=alice, school=elm)
    client.force_login(admin)
    text = f"email,first_name,last_name,roles\n{alice.email},Renamed,Person,teacher\n"
    upload(client, text.encode(), "staff.csv", "staff")
    run = ImportRun.objects.get()
    page = client.get(reverse("imports:run-detail", args=[run.pk])).content.decode()
    assert "only be changed by a trust admin" in page
