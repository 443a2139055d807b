from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from coachroom.accounts.models import AcademicYear, CoachingRelationship, Membership, User
from coachroom.audit.models import AuditEvent
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory


def test_sign_in_with_email_in_any_case(client, alice):
    response = client.post(
        reverse("login"), {"username": "ALICE@oak.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_summary(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": "nope"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct email address and password" in response.content


def test_five_failed_sign_ins_lock_the_account_for_a_while(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": alice.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_admin_invites_a_teacher_who_sets_a_password_and_signs_in(
    client, admin, oak, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:staff-invite"),
            {
                "email": "New.Teacher@oak.example",
                "first_name": "New",
                "last_name": "Teacher",
                "roles": ["teacher", "coach"],
                "is_ect": "on",
            },
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.teacher@oak.example", school=oak)
    assert membership.is_coach and membership.is_teacher and membership.is_ect
    assert not membership.user.has_usable_password()
    assert AuditEvent.objects.filter(action="accounts.staff.invited").count() == 1
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/password/set/\S+/", mail.outbox[0].body)
    assert link is not None
    client.logout()
    path = link.group(0).split("8000", 1)[1] if "8000" in link.group(0) else link.group(0)
    page = client.get(path, follow=True)
    assert page.status_code == 200
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password-9", "new_password2": "a-long-new-password-9"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].email == "new.teacher@oak.example"


def test_inviting_someone_already_on_the_staff_list_keeps_the_form(client, admin, alice):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:staff-invite"),
        {"email": alice.email, "first_name": "A", "last_name": "B", "roles": ["teacher"]},
    )
    assert response.status_code == 200
    assert b"already on the staff list" in response.content
    assert b'value="A"' in response.content


def test_invite_requires_a_role(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:staff-invite"),
        {"email": "x@oak.example", "first_name": "X", "last_name": "Y"},
    )
    assert b"Choose at least one role." in response.content
    assert not User.objects.filter(email="x@oak.example").exists()


def test_editing_roles(client, admin, alice, oak):
    client.force_login(admin)
    membership = Membership.objects.get(user=alice, school=oak)
    response = client.post(
        reverse("accounts:staff-edit", args=[membership.pk]),
        {
            "first_name": "Alicia",
            "last_name": "Example",
            "email": alice.email,
            "roles": ["teacher", "coach"],
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_coach
    assert User.objects.get(pk=alice.pk).first_name == "Alicia"


def test_a_school_admin_records_subjects_and_phase_taught(client, admin, alice, oak):
    client.force_login(admin)
    membership = Membership.objects.get(user=alice, school=oak)
    url = reverse("accounts:staff-edit", args=[membership.pk])
    assert b"Phase taught" in client.get(url).content
    data = {
        "first_name": alice.first_name,
        "last_name": alice.last_name,
        "email": alice.email,
        "roles": ["teacher"],
        "subjects": "History, English",
        "phase": "secondary",
    }
    assert client.post(url, data).status_code == 302
    membership.refresh_from_db()
    assert (membership.subjects, membership.phase) == ("History, English", "secondary")


def test_deactivating_keeps_the_person_and_ends_their_pairs(client, admin, pairing, oak, alice):
    client.force_login(admin)
    membership = Membership.objects.get(user=alice, school=oak)
    confirm = client.get(reverse("accounts:staff-deactivate", args=[membership.pk]))
    assert b"Nothing is deleted" in confirm.content
    client.post(reverse("accounts:staff-deactivate", args=[membership.pk]))
    membership.refresh_from_db()
    pairing.refresh_from_db()
    assert not membership.is_active
    assert pairing.ended_on is not None
    assert User.objects.filter(pk=alice.pk).exists()
    client.force_login(alice)
    assert client.get(reverse("home")).context["membership"] is None


def test_admin_cannot_deactivate_themselves(client, admin, oak):
    client.force_login(admin)
    membership = Membership.objects.get(user=admin, school=oak)
    response = client.post(reverse("accounts:staff-deactivate", args=[membership.pk]), follow=True)
    assert b"cannot deactivate yourself" in response.content
    membership.refresh_from_db()
    assert membership.is_active


def test_staff_search_by_name_and_role(client, admin, alice, bob):
    client.force_login(admin)
    response = client.get(reverse("accounts:staff-list"), {"q": "bob"})
    names = [m.user.first_name for m in response.context["page"].object_list]
    assert names == ["Bob"]
    response = client.get(reverse("accounts:staff-list"), {"role": "coach"})
    assert [m.user.first_name for m in response.context["page"].object_list] == ["Bob"]


def test_staff_search_with_htmx_returns_only_the_results(client, admin, alice):
    client.force_login(admin)
    response = client.get(reverse("accounts:staff-list"), {"q": "zzz"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"No one matches that search" in response.content


@pytest.mark.parametrize("rows", [1, 30])
def test_staff_list_queries_do_not_grow(client, admin, oak, rows, django_assert_max_num_queries):
    MembershipFactory.create_batch(rows, school=oak)
    client.force_login(admin)
    # session read, user, viewer's memberships, count, page of staff joined to users,
    # session save (sessions are refreshed on every request), axes' bookkeeping
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:staff-list"))
    assert response.status_code == 200


def test_staff_list_paginates(client, admin, oak):
    MembershipFactory.create_batch(30, school=oak)
    client.force_login(admin)
    response = client.get(reverse("accounts:staff-list"), {"page": 2})
    assert response.context["page"].number == 2
    assert b"Page 2 of 2" in response.content


def test_lead_pairs_a_coach_with_a_teacher(client, lead, bob, alice, oak_year):
    client.force_login(lead)
    response = client.post(
        reverse("accounts:pair-list"),
        {
            "coach": bob.pk,
            "coachee": alice.pk,
            "academic_year": oak_year.pk,
            "kind": "instructional",
            "cadence": "fortnightly",
            "coach_is_line_manager": "yes",
        },
    )
    assert response.status_code == 302
    pair = CoachingRelationship.objects.get(coach=bob, coachee=alice)
    assert pair.cadence == "fortnightly"
    assert pair.coach_is_line_manager is True


def test_pairing_asks_whether_the_coach_is_the_line_manager(client, lead, bob, alice, oak_year):
    client.force_login(lead)
    data = {
        "coach": bob.pk,
        "coachee": alice.pk,
        "academic_year": oak_year.pk,
        "kind": "instructional",
        "cadence": "weekly",
    }
    response = client.post(reverse("accounts:pair-list"), data)
    assert b"Say whether the coach line-manages this teacher." in response.content
    assert not CoachingRelationship.objects.filter(coachee=alice).exists()


def test_a_lead_corrects_the_line_manager_answer_and_it_is_audited(client, lead, pairing):
    client.force_login(lead)
    url = reverse("accounts:pair-line-manager", args=[pairing.pk])
    response = client.post(url, {"coach_is_line_manager": "no"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.coach_is_line_manager is False
    assert AuditEvent.objects.filter(action="accounts.pair.line_manager_set").count() == 1
    client.post(url, {"coach_is_line_manager": "maybe"})
    pairing.refresh_from_db()
    assert pairing.coach_is_line_manager is False


def test_a_pair_cannot_be_created_twice(client, lead, pairing):
    client.force_login(lead)
    response = client.post(
        reverse("accounts:pair-list"),
        {
            "coach": pairing.coach.pk,
            "coachee": pairing.coachee.pk,
            "academic_year": pairing.academic_year.pk,
            "kind": "instructional",
            "cadence": "weekly",
            "coach_is_line_manager": "no",
        },
    )
    assert response.status_code == 200
    assert b"already coaches" in response.content


def test_coach_must_differ_from_coachee(client, lead, bob, oak_year):
    client.force_login(lead)
    response = client.post(
        reverse("accounts:pair-list"),
        {
            "coach": bob.pk,
            "coachee": bob.pk,
            "academic_year": oak_year.pk,
            "kind": "instructional",
            "cadence": "weekly",
            "coach_is_line_manager": "no",
        },
    )
    assert b"Choose a different person from the coach" in response.content


def test_a_person_from_another_school_cannot_be_paired(client, lead, bob, oak_year, elm):
    stranger = MembershipFactory(school=elm).user
    client.force_login(lead)
    response = client.post(
        reverse("accounts:pair-list"),
        {
            "coach": bob.pk,
            "coachee": stranger.pk,
            "academic_year": oak_year.pk,
            "kind": "instructional",
            "cadence": "weekly",
            "coach_is_line_manager": "no",
        },
    )
    assert b"Select a valid choice" in response.content
    assert not CoachingRelationship.objects.filter(coachee=stranger).exists()


def test_ending_a_pair_needs_confirmation(client, lead, pairing):
    client.force_login(lead)
    assert client.get(reverse("accounts:pair-end", args=[pairing.pk])).status_code == 200
    pairing.refresh_from_db()
    assert pairing.ended_on is None
    client.post(reverse("accounts:pair-end", args=[pairing.pk]))
    pairing.refresh_from_db()
    assert pairing.ended_on is not None


def test_teacher_shares_history_with_their_coach(client, alice, pairing):
    client.force_login(alice)
    client.post(reverse("accounts:pair-sharing", args=[pairing.pk]), {"shared": "yes"})
    pairing.refresh_from_db()
    assert pairing.history_shared
    assert AuditEvent.objects.filter(action="accounts.pair.history_shared").exists()


def test_admin_creates_a_year_with_uk_default_terms(client, admin, oak):
    client.force_login(admin)
    response = client.post(reverse("accounts:year-list"), {"start_year": 2027})
    year = AcademicYear.objects.get(school=oak, name="2027–28")
    assert response["Location"] == year.get_absolute_url()
    assert [t.name for t in year.terms.all()][:2] == ["Autumn 1", "Autumn 2"]
    assert year.terms.count() == 6
    assert year.closures.count() == 3
    again = client.post(reverse("accounts:year-list"), {"start_year": 2027})
    assert b"already has the year" in again.content


def test_overlapping_terms_are_refused(client, admin, oak):
    client.force_login(admin)
    client.post(reverse("accounts:year-list"), {"start_year": 2026})
    year = AcademicYear.objects.get(school=oak)
    terms = list(year.terms.all())
    data = {
        "terms-TOTAL_FORMS": str(len(terms)),
        "terms-INITIAL_FORMS": str(len(terms)),
        "terms-MIN_NUM_FORMS": "0",
        "terms-MAX_NUM_FORMS": "1000",
    }
    for i, term in enumerate(terms):
        data |= {
            f"terms-{i}-id": str(term.pk),
            f"terms-{i}-name": term.name,
            f"terms-{i}-starts_on": term.starts_on.isoformat(),
            f"terms-{i}-ends_on": term.ends_on.isoformat(),
        }
    data["terms-1-starts_on"] = (terms[0].ends_on - dt.timedelta(days=2)).isoformat()
    response = client.post(year.get_absolute_url(), data)
    assert response.status_code == 200
    assert b"overlap" in response.content


def test_closure_outside_the_year_is_refused(client, admin, oak):
    client.force_login(admin)
    client.post(reverse("accounts:year-list"), {"start_year": 2026})
    year = AcademicYear.objects.get(school=oak)
    response = client.post(
        year.get_absolute_url(), {"closure-date": "2030-01-01", "closure-reason": "Snow"}
    )
    assert b"Choose a day inside" in response.content
    ok = client.post(
        year.get_absolute_url(), {"closure-date": "2026-11-20", "closure-reason": "Snow"}
    )
    assert ok.status_code == 302
    assert year.closures.filter(reason="Snow").exists()


def test_school_settings_are_validated_and_audited(client, admin, oak):
    client.force_login(admin)
    data = {
        "lead_note_access": "all",
        "drop_in_visibility": "immediately",
        "sightings_to_secure": 9,
        "stick_check_weeks": 6,
        "active_steps_per_pair": 1,
        "unseen_weeks_alert": 2,
        "insights_min_steps": 10,
        "taper_after_steps": 3,
    }
    response = client.post(reverse("accounts:school-settings"), data)
    assert b"less than or equal to 6" in response.content
    data["sightings_to_secure"] = 3
    client.post(reverse("accounts:school-settings"), data)
    oak.refresh_from_db()
    assert oak.sightings_to_secure == 3 and oak.lead_note_access == "all"
    assert AuditEvent.objects.filter(action="accounts.school.settings_changed").exists()


def test_switching_school(client, alice, elm):
    MembershipFactory(user=alice, school=elm)
    client.force_login(alice)
    client.post(reverse("accounts:switch-school"), {"school": elm.pk})
    assert client.get(reverse("home")).context["membership"].school == elm


def test_switching_to_a_school_you_are_not_in_is_404(client, alice):
    other = SchoolFactory()
    client.force_login(alice)
    response = client.post(reverse("accounts:switch-school"), {"school": other.pk})
    assert response.status_code == 404


def test_profile_password_change(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:profile"),
        {
            "password-old_password": PASSWORD,
            "password-new_password1": "another-long-password-7",
            "password-new_password2": "another-long-password-7",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another-long-password-7")


def test_a_self_coaching_pair_is_not_asked_about_line_management(client, lead, bob, oak_year):
    client.force_login(lead)
    data = {
        "coach": bob.pk,
        "coachee": bob.pk,
        "academic_year": oak_year.pk,
        "kind": "self",
        "cadence": "weekly",
    }
    assert client.post(reverse("accounts:pair-list"), data).status_code == 302
    assert CoachingRelationship.objects.get(coachee=bob).coach_is_line_manager is None
