"""Setting up an ECT's induction: the services' rules (one induction per ECT per school, the
mentoring pair that follows the mentor, mentor and tutor kept apart, absences), and the pages.

The cast: alice is Oak's new ECT; bob and carol are coaches; tess is the induction tutor; head
is a senior leader. The clock is pinned to Wednesday 4 November 2026."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError
from coachroom.induction import setup
from coachroom.induction.dates import plan_for
from coachroom.induction.models import Induction
from coachroom.induction.setup import InductionDetails
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory
from tests.html import visible_text

pytestmark = pytest.mark.django_db

SEPTEMBER = dt.date(2026, 9, 7)


def text_of(response) -> str:
    return html.unescape(visible_text(response.content.decode()))


def details(**changes) -> InductionDetails:
    values = {"starts_on": SEPTEMBER, "fte": Decimal("1"), "appropriate_body": "Oakshire TSH"}
    return InductionDetails(**{**values, **changes})


def mentoring_pairs(alice):
    return CoachingRelationship.objects.current().filter(coachee=alice, kind="ecf")


def test_setting_up_marks_the_ect_and_pairs_them_with_their_mentor(oak, induction, alice, bob):
    assert Membership.objects.get(school=oak, user=alice).is_ect
    pair = mentoring_pairs(alice).get()
    assert pair.coach == bob
    assert pair.cadence == CoachingRelationship.Cadence.WEEKLY  # year 1
    event = AuditEvent.objects.get(action="induction.set_up")
    assert event.subject == alice and event.data["mentor"] == bob.pk


def test_a_second_set_up_finds_the_first(oak, induction, alice, carol, tess):
    again, made = setup.induction_set_up(
        school=oak, ect=alice, details=details(mentor=carol, tutor=tess), by=tess
    )
    assert (again, made) == (induction, False)
    assert Induction.objects.count() == 1
    assert mentoring_pairs(alice).get().coach.first_name == "Bob"  # nothing changed


def test_a_new_mentor_ends_the_old_mentors_pair(induction, alice, bob, carol, tess):
    setup.induction_update(induction=induction, details=details(mentor=carol, tutor=tess), by=tess)
    assert [p.coach for p in mentoring_pairs(alice)] == [carol]
    old = CoachingRelationship.objects.get(coach=bob, coachee=alice)
    assert old.ended_on == dt.date(2026, 11, 4)
    assert not old.is_current  # bob's access ends the moment the pair does


def test_a_mentor_who_already_coaches_the_ect_keeps_the_pair_as_mentoring(
    oak, oak_year, alice, bob, tess
):
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=alice)
    setup.induction_set_up(school=oak, ect=alice, details=details(mentor=bob), by=tess)
    pair.refresh_from_db()
    assert pair.kind == "ecf"
    assert CoachingRelationship.objects.filter(coachee=alice).count() == 1


def test_year_two_is_mentored_fortnightly(oak, oak_year, alice, bob, tess):
    made, _ = setup.induction_set_up(
        school=oak, ect=alice, details=details(starts_on=dt.date(2025, 9, 1), mentor=bob), by=tess
    )
    assert plan_for(made).year_on(dt.date(2026, 11, 4)) == 2
    assert mentoring_pairs(alice).get().cadence == CoachingRelationship.Cadence.FORTNIGHTLY


def test_the_tutor_cannot_make_one_person_mentor_and_tutor(oak, oak_year, alice, bob, tess):
    Membership.objects.filter(user=bob).update(is_induction_tutor=True)
    with pytest.raises(DomainError, match="both mentor and induction tutor"):
        setup.induction_set_up(
            school=oak,
            ect=alice,
            details=details(mentor=bob, tutor=bob, same_person_reason="Small school"),
            by=tess,
        )
    assert not Induction.objects.exists()


def test_a_senior_leader_can_allow_it_with_a_reason(oak, oak_year, alice, bob, head):
    Membership.objects.filter(user=bob).update(is_induction_tutor=True)
    with pytest.raises(DomainError):
        setup.induction_set_up(
            school=oak, ect=alice, details=details(mentor=bob, tutor=bob), by=head
        )
    made, _ = setup.induction_set_up(
        school=oak,
        ect=alice,
        details=details(mentor=bob, tutor=bob, same_person_reason="Two teachers in the school"),
        by=head,
    )
    assert made.same_person and made.same_person_allowed_by == head


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fte": Decimal("0")}, "FTE must be from 0.1 to 1"),
        ({"fte": Decimal("1.2")}, "FTE must be from 0.1 to 1"),
        ({"mentor": "alice"}, "The mentor must be a coach"),
        ({"mentor": "tess"}, "The mentor must be a coach"),
        ({"tutor": "bob"}, "The induction tutor must hold that role"),
        ({"tutor": "outsider"}, "The induction tutor must hold that role"),
    ],
)
def test_set_up_refuses_what_the_rules_forbid(
    request, oak, oak_year, alice, bob, tess, outsider, change, message
):
    change = {k: request.getfixturevalue(v) if isinstance(v, str) else v for k, v in change.items()}
    with pytest.raises(DomainError, match=message):
        setup.induction_set_up(school=oak, ect=alice, details=details(**change), by=tess)
    assert not Induction.objects.exists()


def test_someone_from_another_school_cannot_be_set_up(oak, oak_year, outsider, tess):
    with pytest.raises(DomainError, match="not on this school's active staff"):
        setup.induction_set_up(school=oak, ect=outsider, details=details(), by=tess)


def test_absences_of_thirty_school_days_extend_induction(induction, tess):
    ends = plan_for(induction).ends_on
    setup.absence_add(
        induction=induction, first_day=dt.date(2026, 9, 14), last_day=dt.date(2026, 10, 2), by=tess
    )
    assert plan_for(induction).ends_on == ends  # 15 school days: no extension
    setup.absence_add(
        induction=induction, first_day=dt.date(2026, 11, 2), last_day=dt.date(2026, 11, 20), by=tess
    )
    plan = plan_for(induction)
    assert plan.absence_days == 30 and plan.extension_days == 30
    assert plan.ends_on > ends


def test_the_same_absence_twice_is_one_record(induction, tess):
    for _ in range(2):
        setup.absence_add(induction=induction, first_day=SEPTEMBER, last_day=SEPTEMBER, by=tess)
    assert induction.absences.count() == 1
    assert AuditEvent.objects.filter(action="induction.absence.added").count() == 1


def test_an_absence_before_induction_is_refused(induction, tess):
    with pytest.raises(DomainError, match="before induction started"):
        setup.absence_add(
            induction=induction,
            first_day=dt.date(2026, 7, 1),
            last_day=dt.date(2026, 7, 3),
            by=tess,
        )


def test_removing_an_absence_is_audited(induction, tess):
    absence = setup.absence_add(
        induction=induction, first_day=SEPTEMBER, last_day=SEPTEMBER, by=tess
    )
    setup.absence_remove(absence=absence, by=tess)
    assert not induction.absences.exists()
    assert AuditEvent.objects.filter(action="induction.absence.removed").exists()


# The pages ---------------------------------------------------------------------------------


def form_data(ect, mentor=None, tutor=None, **changes) -> dict[str, object]:
    data = {
        "ect": ect.pk,
        "starts_on": "2026-09-07",
        "fte": "1",
        "appropriate_body": "Oakshire TSH",
        "appropriate_body_contact": "inductions@oakshire.example",
        "mentor": mentor.pk if mentor else "",
        "tutor": tutor.pk if tutor else "",
    }
    return {**data, **changes}


def test_the_tutor_sets_up_an_induction_and_a_double_tap_makes_one(
    client, oak_year, alice, bob, tess
):
    client.force_login(tess)
    url = reverse("induction:new")
    first = client.post(url, form_data(alice, bob, tess))
    second = client.post(url, form_data(alice, bob, tess))
    induction = Induction.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == induction.get_absolute_url()
    page = text_of(client.get(induction.get_absolute_url()))
    assert "Induction: Alice Example" in page
    assert "Formal assessment, end of year 1" in page
    assert "inductions@oakshire.example" in page


def test_the_form_explains_why_mentor_and_tutor_are_kept_apart(client, oak_year, alice, tess):
    Membership.objects.filter(user=tess).update(is_coach=True)
    client.force_login(tess)
    response = client.post(reverse("induction:new"), form_data(alice, tess, tess))
    assert response.status_code == 200
    assert "would be both mentor and induction tutor" in text_of(response)
    assert "Why one person is both" not in text_of(response)  # only a senior leader may say
    assert not Induction.objects.exists()


def test_a_senior_leader_is_asked_for_the_reason(client, oak_year, alice, bob, head):
    Membership.objects.filter(user=bob).update(is_induction_tutor=True)
    client.force_login(head)
    url = reverse("induction:new")
    response = client.post(url, form_data(alice, bob, bob))
    assert "Say why one person will be both" in text_of(response)
    client.post(url, form_data(alice, bob, bob, same_person_reason="A school of six"))
    assert Induction.objects.get().same_person_reason == "A school of six"


def test_the_staff_page_leads_to_the_set_up_and_then_to_the_induction(
    client, induction, admin, alice
):
    client.force_login(admin)
    membership = Membership.objects.get(user=alice)
    staff_page = client.get(reverse("accounts:staff-edit", args=[membership.pk]))
    link = f"{reverse('induction:new')}?ect={alice.pk}"
    assert link in html.unescape(staff_page.content.decode())
    assert client.get(link)["Location"] == induction.get_absolute_url()


def test_absences_are_recorded_and_removed_from_the_induction_page(client, induction, tess):
    client.force_login(tess)
    add = reverse("induction:absence-add", args=[induction.pk])
    bad = client.post(add, {"first_day": "2026-10-09", "last_day": "2026-10-05"})
    assert "The last day must be on or after the first day" in text_of(bad)
    client.post(add, {"first_day": "2026-10-05", "last_day": "2026-10-09"})
    absence = induction.absences.get()
    remove = reverse("induction:absence-remove", args=[induction.pk, absence.pk])
    assert "Remove the absence from 5 Oct 2026" in text_of(client.get(remove))
    client.post(remove)
    assert not induction.absences.exists()


def test_the_ect_sees_their_own_induction(client, induction, alice, bob):
    client.force_login(alice)
    page = text_of(client.get(reverse("induction:mine")))
    assert "Bob Example" in page and "Tess Example" in page
    assert "Progress review, Autumn 2026" in page
    client.force_login(bob)
    assert "has not been set up" in text_of(client.get(reverse("induction:mine")))


def _cohort_of(oak, oak_year, count: int, tutor) -> None:
    for n in range(count):
        ect = UserFactory(first_name=f"Ect{n}")
        MembershipFactory(user=ect, school=oak, is_teacher=True)
        setup.induction_set_up(school=oak, ect=ect, details=details(), by=tutor)


def test_the_cohort_page_costs_the_same_for_two_ects_or_twelve(
    client, oak, oak_year, tess, django_assert_max_num_queries
):
    client.force_login(tess)
    url = reverse("induction:cohort")
    _cohort_of(oak, oak_year, 2, tess)
    with django_assert_max_num_queries(16) as few:  # constant: the second block checks it
        client.get(url)
    _cohort_of(oak, oak_year, 10, tess)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert text_of(response).count("Progress review, Autumn 2026") == 12
