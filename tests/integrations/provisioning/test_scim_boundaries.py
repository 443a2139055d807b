"""Trust boundaries: a school's token sees and changes only that school's people, never
someone's identity when they also belong to another school, and nothing once revoked."""

from __future__ import annotations

import pytest
from django.test import Client

from coachroom.accounts.models import Membership, User
from coachroom.audit.models import AuditEvent
from coachroom.integrations.provisioning.services import scim_token_create, scim_token_revoke
from tests.factories import MembershipFactory, UserFactory
from tests.integrations.provisioning import entra
from tests.integrations.provisioning.entra import Scim

pytestmark = pytest.mark.django_db


@pytest.fixture
def elm_scim(client, elm) -> Scim:
    _, secret = scim_token_create(school=elm, by=None, name="Elm's Entra")
    return Scim(secret, client=client)


@pytest.fixture
def pat(oak, elm) -> User:
    """Pat teaches at Oak and at Elm."""
    pat = UserFactory(first_name="Pat", last_name="Both", email="pat@trust.example")
    MembershipFactory(user=pat, school=oak)
    MembershipFactory(user=pat, school=elm)
    return pat


def test_a_person_at_two_schools_keeps_their_name_and_email(scim, oak, pat):
    membership = Membership.objects.get(user=pat, school=oak)

    reply = scim.patch(
        f"Users/{membership.pk}",
        entra.patch(
            entra.replace("name.givenName", "Patricia"),
            entra.replace("userName", "patricia@oak.example"),
            entra.replace("title", "Teacher of Science"),
        ),
    )

    assert reply.status == 200
    assert reply.body["name"]["givenName"] == "Pat"
    assert reply.body["userName"] == "pat@trust.example"
    assert reply.body["title"] == "Teacher of Science"  # their job here is the school's
    pat.refresh_from_db()
    assert (pat.first_name, pat.email) == ("Pat", "pat@trust.example")
    kept = AuditEvent.objects.get(action="provisioning.person.identity_kept")
    assert kept.school == oak and kept.data["fields"] == ["email", "first_name"]


def test_deactivating_them_ends_this_school_only(scim, oak, elm, pat):
    membership = Membership.objects.get(user=pat, school=oak)

    reply = scim.patch(f"Users/{membership.pk}", entra.disable_user())

    assert reply.status == 200
    assert not Membership.objects.get(user=pat, school=oak).is_active
    assert Membership.objects.get(user=pat, school=elm).is_active
    pat.refresh_from_db()
    assert pat.is_active


def test_a_post_for_someone_at_another_school_never_links_them(scim, oak, outsider):
    reply = scim.post("Users", entra.create_user("outsider@elm.example", "Changed", "Name"))

    assert reply.status == 409
    assert reply.body["scimType"] == "uniqueness"
    assert "A trust admin must add them to this school" in reply.body["detail"]
    assert not Membership.objects.filter(user=outsider, school=oak).exists()
    outsider.refresh_from_db()
    assert outsider.first_name == "Outsider"


def test_another_schools_token_cannot_see_oaks_people(elm_scim, alice, outsider):
    alice_id = Membership.objects.get(user=alice).pk

    listed = elm_scim.get("Users")
    found = elm_scim.get("Users", filter='userName eq "alice@oak.example"')
    read = elm_scim.get(f"Users/{alice_id}")

    assert [r["userName"] for r in listed.body["Resources"]] == ["outsider@elm.example"]
    assert found.body["totalResults"] == 0
    assert read.status == 404


def test_another_schools_token_cannot_change_oaks_people(elm_scim, alice):
    alice_id = Membership.objects.get(user=alice).pk

    assert elm_scim.patch(f"Users/{alice_id}", entra.disable_user()).status == 404
    assert elm_scim.put(f"Users/{alice_id}", entra.create_user("alice@oak.example")).status == 404
    assert elm_scim.delete(f"Users/{alice_id}").status == 404
    assert elm_scim.patch("Groups/coach", entra.add_members(str(alice_id))).status == 400
    membership = Membership.objects.get(user=alice)
    assert membership.is_active and not membership.is_coach


def test_a_revoked_token_is_refused(client, oak_token, alice):
    token, secret = oak_token
    scim_token_revoke(token=token, by=None)

    reply = Scim(secret, client=client).get("Users")

    assert reply.status == 401
    assert reply.body["schemas"] == [entra.ERROR]
    assert (
        reply.headers["WWW-Authenticate"] == 'Bearer realm="Coachroom SCIM", error="invalid_token"'
    )


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer crscim_not-a-real-token", "Basic YWRtaW46YWRtaW4=", "crscim_x"],
)
def test_no_token_or_a_wrong_one_is_401(client, oak_token, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/scim/v2/Users", headers=headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/scim+json"
    assert response["WWW-Authenticate"].startswith('Bearer realm="Coachroom SCIM"')


def test_a_signed_in_session_is_not_a_token(client, admin, oak_token):
    client.force_login(admin)

    assert client.get("/scim/v2/Users").status_code == 401
    assert client.post("/scim/v2/Users", {}, content_type="application/json").status_code == 401


def test_no_csrf_token_is_needed_with_the_bearer_token(oak_token, oak):
    strict = Client(enforce_csrf_checks=True)
    reply = Scim(oak_token[1], client=strict).post(
        "Users", entra.create_user("sam.lee@oak.example")
    )

    assert reply.status == 201
    assert "sessionid" not in strict.cookies


def test_the_token_notes_when_it_was_last_used(scim, oak_token):
    token = oak_token[0]
    assert token.last_used_at is None

    scim.get("Users")

    token.refresh_from_db()
    assert token.last_used_at is not None
