"""One provisioning cycle as Microsoft Entra ID runs it, request by request in its own shapes:
through Django's test client, and against a real server on loopback with `requests` (the
headers, the body encoding and the status codes as they travel over HTTP)."""

from __future__ import annotations

import pytest

from coachroom.accounts.models import Membership
from coachroom.audit.models import AuditEvent
from coachroom.integrations.provisioning.services import scim_token_create
from tests.integrations.provisioning import entra
from tests.integrations.provisioning.entra import Scim

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["test client", "loopback server"])
def directory(request, oak, admin) -> Scim:
    _, secret = scim_token_create(school=oak, by=admin, name="Microsoft Entra ID")
    if request.param == "test client":
        return Scim(secret, client=request.getfixturevalue("client"))
    return Scim(secret, base_url=request.getfixturevalue("live_server").url)


def test_an_entra_provisioning_cycle(directory, oak, alice, bob, pairing):
    # "Test Connection": a made-up userName, expecting an empty list; then the discovery.
    probe = directory.get("Users", filter='userName eq "7e1f1f3c-test@contoso.example"')
    assert (probe.status, probe.body["totalResults"]) == (200, 0)
    assert directory.get("ServiceProviderConfig").body["patch"]["supported"] is True

    # A new member of staff: looked up by userName, then created.
    lookup = directory.get("Users", filter='userName eq "sam.lee@oak.example"')
    assert lookup.body["totalResults"] == 0
    created = directory.post("Users", entra.create_user("sam.lee@oak.example", "Sam", "Lee"))
    assert created.status == 201
    sam = created.body["id"]
    assert created.headers["Content-Type"] == "application/scim+json"

    # An existing member of staff is matched by userName, and Entra sets its externalId.
    found = directory.get("Users", filter='userName eq "bob@oak.example"')
    bob_id = found.body["Resources"][0]["id"]
    linked = directory.patch(
        f"Users/{bob_id}", entra.patch(entra.replace("externalId", "b0b-0b1d"))
    )
    assert linked.body["externalId"] == "b0b-0b1d"

    # The "Coachroom Coaches" group: not found by name, so created; then its members.
    group = directory.get(
        "Groups", excludedAttributes="members", filter='displayName eq "Coachroom Coaches"'
    )
    assert group.body["totalResults"] == 0
    made = directory.post("Groups", entra.create_group("Coachroom Coaches"))
    assert (made.status, made.body["id"]) == (201, "coach")
    added = directory.patch("Groups/coach", entra.add_members(sam, bob_id))
    assert added.status == 200
    assert Membership.objects.get(pk=sam).is_coach

    # Sam marries: the directory changes the surname.
    renamed = directory.patch(
        f"Users/{sam}", entra.patch(entra.replace("name.familyName", "Lee-Jones"))
    )
    assert renamed.body["name"]["familyName"] == "Lee-Jones"

    # Bob leaves: disabled in Entra ("False" as Entra's older requests send it).
    disabled = directory.patch(f"Users/{bob_id}", entra.disable_user_as_string())
    assert disabled.body["active"] is False
    pairing.refresh_from_db()
    assert pairing.ended_on is not None
    assert not Membership.objects.get(pk=bob_id).is_active

    # Bob comes back the next term.
    enabled = directory.patch(f"Users/{bob_id}", entra.patch(entra.replace("active", True)))
    assert enabled.body["active"] is True

    # Sam stops coaching; later Sam is deleted in Entra.
    directory.patch("Groups/coach", entra.remove_members(sam))
    assert not Membership.objects.get(pk=sam).is_coach
    assert directory.delete(f"Users/{sam}").status == 204
    assert not Membership.objects.get(pk=sam).is_active

    # Every change is in Oak's audit log, made by the token.
    events = AuditEvent.objects.filter(school=oak, actor=None, data__agent__isnull=False)
    assert {e.data["agent"] for e in events} == {"SCIM token “Microsoft Entra ID”"}
    assert {
        "accounts.staff.invited",
        "accounts.staff.updated",
        "accounts.staff.deactivated",
        "accounts.staff.reactivated",
        "provisioning.group.linked",
        "provisioning.person.linked",
    } <= {e.action for e in events}


def test_bad_requests_over_http_are_scim_errors(directory, alice):
    assert directory.post("Users", b"{not json").body["scimType"] == "invalidSyntax"
    assert directory.get("Users", filter="userName eq").body["scimType"] == "invalidFilter"
    assert directory.get("Users/424242").status == 404
    assert (
        Scim("crscim_wrong", client=directory.client, base_url=directory.base_url)
        .get("Users")
        .status
        == 401
    )
