"""SCIM Users as Microsoft Entra ID's provisioning service drives them: create, find by
userName, update, disable and enable, delete, through Django's test client."""

from __future__ import annotations

import pytest

from coachroom.accounts.models import CoachingRelationship, Membership, User
from coachroom.accounts.viewer import memberships_of
from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import StepState
from coachroom.integrations.provisioning.models import ScimPerson
from tests.factories import make_step
from tests.integrations.provisioning import entra

pytestmark = pytest.mark.django_db


def test_entra_creates_a_person_who_joins_the_school_as_a_teacher(scim, oak, mailoutbox):
    reply = scim.post("Users", entra.create_user("sam.lee@oak.example", "Sam", "Lee"))

    assert reply.status == 201
    membership = Membership.objects.get(user__email="sam.lee@oak.example", school=oak)
    assert reply.body["id"] == str(membership.pk)
    assert reply.body["userName"] == "sam.lee@oak.example"
    assert reply.body["name"]["givenName"] == "Sam"
    assert reply.body["active"] is True
    assert reply.body["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert reply.body["title"] == "Teacher of Maths"
    assert [g["value"] for g in reply.body["groups"]] == ["teacher"]
    assert reply.headers["Location"].endswith(f"/scim/v2/Users/{membership.pk}")
    assert reply.headers["Content-Type"] == "application/scim+json"
    assert membership.is_teacher and membership.job_title == "Teacher of Maths"
    assert not membership.user.has_usable_password()
    assert mailoutbox == []  # no invitation: the school invites when it is ready


def test_the_create_is_audited_as_the_token(scim, oak, oak_token):
    scim.post("Users", entra.create_user("sam.lee@oak.example"))

    event = AuditEvent.objects.get(action="accounts.staff.invited")
    assert event.actor is None
    assert event.school == oak
    assert event.data["agent"] == "SCIM token “Microsoft Entra ID”"
    assert event.data["scim_token"] == oak_token[0].pk


def test_the_same_post_twice_makes_one_person_and_a_409(scim, oak):
    body = entra.create_user("sam.lee@oak.example")
    assert scim.post("Users", body).status == 201

    again = scim.post("Users", body)

    assert again.status == 409
    assert again.body["scimType"] == "uniqueness"
    assert again.body["schemas"] == [entra.ERROR]
    assert again.body["status"] == "409"
    assert User.objects.filter(email="sam.lee@oak.example").count() == 1
    assert Membership.objects.filter(user__email="sam.lee@oak.example").count() == 1


def test_a_post_for_someone_already_on_the_staff_list_is_a_409(scim, alice):
    reply = scim.post("Users", entra.create_user("ALICE@oak.example"))

    assert reply.status == 409
    assert reply.body["scimType"] == "uniqueness"


def test_entra_finds_a_person_by_user_name(scim, alice):
    reply = scim.get("Users", filter='userName eq "Alice@Oak.example"')

    assert reply.status == 200
    assert reply.body["schemas"] == [entra.LIST]
    assert reply.body["totalResults"] == 1
    assert reply.body["startIndex"] == 1
    assert reply.body["itemsPerPage"] == 1
    assert reply.body["Resources"][0]["userName"] == "alice@oak.example"


def test_a_filter_that_matches_no_one_is_an_empty_list(scim):
    """Entra's "Test Connection" looks up a made-up userName and expects an empty list."""
    reply = scim.get("Users", filter='userName eq "non-existent user"')

    assert reply.status == 200
    assert reply.body["totalResults"] == 0
    assert reply.body["Resources"] == []


def test_entra_finds_a_person_by_external_id(scim):
    scim.post("Users", entra.create_user("sam.lee@oak.example", external_id="abc-123"))

    reply = scim.get("Users", filter='externalId eq "abc-123"')

    assert [r["userName"] for r in reply.body["Resources"]] == ["sam.lee@oak.example"]


def test_the_list_pages_with_start_index_and_count(scim, alice, bob, carol, lead, admin):
    everyone = scim.get("Users")
    second_page = scim.get("Users", startIndex="3", count="2")

    assert everyone.body["totalResults"] == 5
    ids = [r["id"] for r in everyone.body["Resources"]]
    assert [r["id"] for r in second_page.body["Resources"]] == ids[2:4]
    assert second_page.body["startIndex"] == 3
    assert second_page.body["itemsPerPage"] == 2
    assert scim.get("Users", startIndex="0", count="-4").body["itemsPerPage"] == 0
    assert scim.get("Users", startIndex="99").body["Resources"] == []


def test_attributes_and_excluded_attributes_shape_the_reply(scim, alice):
    reply = scim.get("Users", attributes="userName,name.givenName")
    assert set(reply.body["Resources"][0]) == {"schemas", "id", "userName", "name"}
    reply = scim.get("Users", excludedAttributes="groups,emails")
    assert "groups" not in reply.body["Resources"][0]
    assert "userName" in reply.body["Resources"][0]


def test_entra_updates_names_and_the_job_title(scim, alice):
    membership = Membership.objects.get(user=alice)

    reply = scim.patch(
        f"Users/{membership.pk}",
        entra.patch(
            entra.replace('emails[type eq "work"].value', "alice@oak.example"),
            entra.replace("name.familyName", "Smith"),
            entra.replace("name.givenName", "Alicia"),
            entra.replace("title", "Head of English"),
        ),
    )

    assert reply.status == 200
    assert reply.body["name"]["familyName"] == "Smith"
    alice.refresh_from_db()
    membership.refresh_from_db()
    assert (alice.first_name, alice.last_name) == ("Alicia", "Smith")
    assert membership.job_title == "Head of English"
    assert AuditEvent.objects.filter(action="accounts.staff.updated", subject=alice).exists()


def test_a_path_less_replace_with_an_object_of_attributes(scim, alice):
    membership = Membership.objects.get(user=alice)

    reply = scim.patch(
        f"Users/{membership.pk}",
        entra.patch(
            {
                "op": "Replace",
                "value": {
                    "name.givenName": "Ally",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Art",
                    entra.ENTERPRISE: {"employeeNumber": "9"},
                    "displayName": "Ally Example",
                },
            }
        ),
    )

    assert reply.status == 200
    alice.refresh_from_db()
    assert alice.first_name == "Ally"


def test_entra_changes_the_email_of_someone_at_this_school_alone(scim, alice, mailoutbox):
    membership = Membership.objects.get(user=alice)

    reply = scim.patch(
        f"Users/{membership.pk}", entra.patch(entra.replace("userName", "Alice.Jones@oak.example"))
    )

    assert reply.status == 200
    assert reply.body["userName"] == "alice.jones@oak.example"
    alice.refresh_from_db()
    assert alice.email == "alice.jones@oak.example"
    assert AuditEvent.objects.filter(action="provisioning.person.email_changed").exists()


def test_an_email_already_used_by_another_account_is_a_409(scim, alice, bob):
    membership = Membership.objects.get(user=alice)

    reply = scim.patch(
        f"Users/{membership.pk}", entra.patch(entra.replace("userName", "bob@oak.example"))
    )

    assert reply.status == 409
    assert reply.body["scimType"] == "uniqueness"
    alice.refresh_from_db()
    assert alice.email == "alice@oak.example"


@pytest.mark.parametrize(
    "body",
    [
        entra.disable_user(),
        entra.disable_user_as_string(),
        entra.patch({"op": "replace", "value": {"active": False}}),
        entra.patch({"op": "Replace", "path": "active", "value": "false"}),
    ],
    ids=["boolean", "string False", "path-less", "lower-case string"],
)
def test_disabling_ends_the_membership_and_the_pairs_at_once(
    scim, client, oak, alice, bob, pairing, body
):
    step = make_step(pairing, state="practising")
    membership = Membership.objects.get(user=alice)

    reply = scim.patch(f"Users/{membership.pk}", body)

    assert reply.status == 200
    assert reply.body["active"] is False
    membership.refresh_from_db()
    assert not membership.is_active and membership.deactivated_at is not None
    pairing.refresh_from_db()
    assert pairing.ended_on is not None
    step.refresh_from_db()
    assert step.state == StepState.ARCHIVED
    assert User.objects.filter(pk=alice.pk, is_active=True).exists()  # never deleted
    event = AuditEvent.objects.get(action="accounts.staff.deactivated")
    assert event.data["agent"] == "SCIM token “Microsoft Entra ID”"
    assert event.data["pairs"] == [pairing.pk]
    # She can no longer work in Oak.
    alice.refresh_from_db()
    assert memberships_of(alice) == []
    client.logout()
    client.force_login(alice)
    assert client.get("/staff/").status_code == 403


def test_enabling_again_reactivates(scim, alice):
    membership = Membership.objects.get(user=alice)
    scim.patch(f"Users/{membership.pk}", entra.disable_user())

    reply = scim.patch(
        f"Users/{membership.pk}", entra.patch({"op": "Replace", "path": "active", "value": "True"})
    )

    assert reply.status == 200
    assert reply.body["active"] is True
    membership.refresh_from_db()
    assert membership.is_active and membership.deactivated_at is None
    assert AuditEvent.objects.filter(action="accounts.staff.reactivated").exists()


def test_a_disabled_person_is_still_found_so_entra_can_enable_them(scim, alice):
    membership = Membership.objects.get(user=alice)
    scim.patch(f"Users/{membership.pk}", entra.disable_user())

    reply = scim.get("Users", filter='userName eq "alice@oak.example"')

    assert reply.body["Resources"][0]["active"] is False


def test_a_user_created_disabled_joins_inactive(scim, oak):
    reply = scim.post("Users", entra.create_user("sam.lee@oak.example", active=False))

    assert reply.status == 201
    assert reply.body["active"] is False
    assert not Membership.objects.get(user__email="sam.lee@oak.example").is_active


def test_delete_deactivates_and_never_deletes(scim, alice, pairing):
    membership = Membership.objects.get(user=alice)

    reply = scim.delete(f"Users/{membership.pk}")

    assert reply.status == 204
    membership.refresh_from_db()
    assert not membership.is_active
    assert User.objects.filter(pk=alice.pk).exists()
    assert CoachingRelationship.objects.get(pk=pairing.pk).ended_on is not None
    assert scim.delete(f"Users/{membership.pk}").status == 204  # again: nothing more happens
    assert AuditEvent.objects.filter(action="accounts.staff.deactivated").count() == 1


def test_put_replaces_what_it_carries(scim, alice):
    membership = Membership.objects.get(user=alice)
    body = entra.create_user("alice@oak.example", "Alice", "Brown", external_id="x-1")
    del body["title"]

    reply = scim.put(f"Users/{membership.pk}", body)

    assert reply.status == 200
    alice.refresh_from_db()
    assert alice.last_name == "Brown"
    assert ScimPerson.objects.get(membership=membership).external_id == "x-1"


def test_a_person_is_read_by_id_with_their_roles_as_groups(scim, lead):
    membership = Membership.objects.get(user=lead)

    reply = scim.get(f"Users/{membership.pk}")

    assert reply.status == 200
    assert [g["value"] for g in reply.body["groups"]] == ["teacher", "coach", "coaching_lead"]
    assert reply.body["groups"][1]["display"] == "Coaches"
    assert reply.body["emails"] == [{"value": "lead@oak.example", "type": "work", "primary": True}]


@pytest.mark.parametrize("people", [1, 20])
def test_the_users_list_stays_at_a_few_queries(scim, oak, people, django_assert_max_num_queries):
    for n in range(people):
        scim.post("Users", entra.create_user(f"person{n}@oak.example", external_id=f"e{n}"))
    # token (1) + last used (0: noted within the minute) + group names (1) + count (1) + the
    # page's people with their accounts and directory ids (1)
    with django_assert_max_num_queries(4):
        reply = scim.get("Users")
    assert reply.body["totalResults"] == people + 1  # and Oak's admin, who made the token
