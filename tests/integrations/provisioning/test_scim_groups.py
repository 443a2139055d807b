"""SCIM Groups: the school's roles. Entra links its groups by name and changes who holds a
role by adding and removing members."""

from __future__ import annotations

import pytest

from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.audit.models import AuditEvent
from coachroom.integrations.provisioning.models import ScimGroup
from tests.integrations.provisioning import entra

pytestmark = pytest.mark.django_db


def _id(user) -> str:
    return str(Membership.objects.get(user=user).pk)


def test_every_role_is_a_group(scim):
    reply = scim.get("Groups", excludedAttributes="members")

    assert reply.status == 200
    assert [g["id"] for g in reply.body["Resources"]] == [
        "teacher",
        "coach",
        "coaching_lead",
        "senior_leader",
        "school_admin",
        "data_protection_lead",
        "induction_tutor",
        "ect",
    ]
    assert reply.body["Resources"][1]["displayName"] == "Coaches"
    assert "members" not in reply.body["Resources"][0]


def test_entra_looks_a_group_up_by_name_and_finds_the_role(scim):
    reply = scim.get("Groups", excludedAttributes="members", filter='displayName eq "Coaches"')

    assert [g["id"] for g in reply.body["Resources"]] == ["coach"]


def test_entra_creates_its_group_and_it_links_to_the_role_it_names(scim, oak):
    unknown = scim.get("Groups", filter='displayName eq "Coachroom - Coaches"')
    assert unknown.body["totalResults"] == 0

    reply = scim.post("Groups", entra.create_group("Coachroom - Coaches"))

    assert reply.status == 201
    assert reply.body["id"] == "coach"
    assert reply.body["displayName"] == "Coachroom - Coaches"
    assert reply.body["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
    assert reply.headers["Location"].endswith("/scim/v2/Groups/coach")
    found = scim.get("Groups", filter='displayName eq "Coachroom - Coaches"')
    assert [g["id"] for g in found.body["Resources"]] == ["coach"]
    assert AuditEvent.objects.filter(action="provisioning.group.linked", school=oak).exists()


def test_creating_the_same_group_twice_is_a_409(scim):
    assert scim.post("Groups", entra.create_group("Coachroom Coaches")).status == 201

    again = scim.post("Groups", entra.create_group("Coachroom Coaches"))

    assert again.status == 409
    assert again.body["scimType"] == "uniqueness"


def test_a_group_that_names_no_role_is_refused_with_the_names_to_use(scim):
    reply = scim.post("Groups", entra.create_group("Year 7 team"))

    assert reply.status == 400
    assert reply.body["scimType"] == "invalidValue"
    assert "Coaches" in reply.body["detail"]


def test_adding_members_gives_the_role_and_removing_takes_it_away(scim, alice, carol, pairing):
    scim.post("Groups", entra.create_group("Coachroom Coaches"))
    alice_id = _id(alice)

    added = scim.patch("Groups/coach", entra.add_members(alice_id))

    assert added.status == 200
    assert alice_id in [m["value"] for m in added.body["members"]]
    assert Membership.objects.get(pk=alice_id).is_coach
    event = AuditEvent.objects.filter(action="accounts.staff.updated", subject=alice).first()
    assert event is not None and "coach" in event.data["roles"]

    removed = scim.patch("Groups/coach", entra.remove_members(_id(carol)))
    assert removed.status == 200
    assert not Membership.objects.get(user=carol).is_coach


def test_removing_a_coach_ends_their_pairs(scim, alice, bob, pairing):
    reply = scim.patch("Groups/coach", entra.remove_members(_id(bob)))

    assert reply.status == 200
    assert not Membership.objects.get(user=bob).is_coach
    assert CoachingRelationship.objects.get(pk=pairing.pk).ended_on is not None


def test_a_member_removed_by_a_value_filter_path(scim, lead):
    path = f'members[value eq "{_id(lead)}"]'

    reply = scim.patch("Groups/coaching_lead", entra.patch({"op": "Remove", "path": path}))

    assert reply.status == 200
    assert not Membership.objects.get(user=lead).is_coaching_lead


def test_the_ect_group_sets_the_ect_flag(scim, alice):
    scim.patch("Groups/ect", entra.add_members(_id(alice)))
    assert Membership.objects.get(user=alice).is_ect

    scim.patch("Groups/ect", entra.remove_members(_id(alice)))
    assert not Membership.objects.get(user=alice).is_ect


def test_put_sets_exactly_the_members_given(scim, oak, alice, bob, head):
    body = {
        "schemas": [entra.GROUP],
        "displayName": "Senior leaders",
        "members": [{"value": _id(alice)}],
    }

    reply = scim.put("Groups/senior_leader", body)

    assert reply.status == 200
    leaders = Membership.objects.filter(school=oak, is_senior_leader=True)
    assert [m.user for m in leaders] == [alice]


def test_a_rename_must_still_name_the_role(scim):
    ok = scim.patch("Groups/coach", entra.patch(entra.replace("displayName", "Coachroom Mentors")))
    assert ok.status == 200
    assert ok.body["displayName"] == "Coachroom Mentors"

    refused = scim.patch("Groups/coach", entra.patch(entra.replace("displayName", "School admins")))

    assert refused.status == 400
    assert refused.body["scimType"] == "mutability"
    assert ScimGroup.objects.get(role="coach").display_name == "Coachroom Mentors"


def test_deleting_a_group_unlinks_it_and_nobody_loses_a_role(scim, bob):
    scim.post("Groups", entra.create_group("Coachroom Coaches"))

    reply = scim.delete("Groups/coach")

    assert reply.status == 204
    group = ScimGroup.objects.get(role="coach")
    assert (group.display_name, group.external_id, group.linked_at) == ("Coaches", "", None)
    assert Membership.objects.get(user=bob).is_coach


def test_once_teachers_is_linked_new_people_start_without_the_teacher_role(scim):
    scim.post("Groups", entra.create_group("Coachroom Teachers"))

    reply = scim.post("Users", entra.create_user("sam.lee@oak.example"))

    assert reply.body["groups"] == []
    assert not Membership.objects.get(user__email="sam.lee@oak.example").is_teacher


def test_a_member_who_is_not_on_the_staff_list_is_refused(scim, outsider):
    other_school = str(Membership.objects.get(user=outsider).pk)

    for members in ([{"value": other_school}], [{"value": "999999"}], [{"value": "abc"}]):
        reply = scim.patch(
            "Groups/coach", entra.patch({"op": "Add", "path": "members", "value": members})
        )
        assert reply.status == 400
        assert reply.body["scimType"] == "invalidValue"
    assert [m.school.urn for m in Membership.objects.filter(user=outsider)] == ["222222"]


def test_a_group_that_does_not_exist_is_404(scim):
    reply = scim.get("Groups/caretakers")

    assert reply.status == 404
    assert reply.body["status"] == "404"
