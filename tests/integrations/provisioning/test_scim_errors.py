"""Bad input gets a SCIM error with the right status and scimType, never a server error; and
the discovery documents describe what Coachroom keeps."""

from __future__ import annotations

import itertools

import pytest

from coachroom.accounts.models import Membership
from tests.integrations.provisioning import entra

pytestmark = pytest.mark.django_db


def _error(reply, status: int, scim_type: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert reply.body["schemas"] == [entra.ERROR]
    assert reply.body["status"] == str(status)
    assert reply.body["detail"]
    assert reply.body.get("scimType") == scim_type


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        (b"{not json", "invalidSyntax"),
        (b"\xff\xfe\x00", "invalidSyntax"),
        (b"[]", "invalidSyntax"),
        (b'"a string"', "invalidSyntax"),
        (b"", "invalidSyntax"),
        ({"userName": "sam@oak.example"}, "invalidSyntax"),  # no schemas
        ({"schemas": "User", "userName": "sam@oak.example"}, "invalidSyntax"),
        ({"schemas": [entra.GROUP], "userName": "sam@oak.example"}, "invalidSyntax"),
        ({"schemas": [entra.USER]}, "invalidValue"),  # no userName
        ({"schemas": [entra.USER], "userName": 42}, "invalidValue"),
        ({"schemas": [entra.USER], "userName": "sam@oak.example", "name": "Sam"}, "invalidValue"),
        (
            {"schemas": [entra.USER], "userName": "sam@oak.example", "name": {"givenName": 7}},
            "invalidValue",
        ),
        (
            {
                "schemas": [entra.USER],
                "userName": "sam@oak.example",
                "name": {"givenName": "x" * 101},
            },
            "invalidValue",
        ),
        (
            {"schemas": [entra.USER], "userName": "sam@oak.example", "active": "maybe"},
            "invalidValue",
        ),
        (
            {"schemas": [entra.USER], "userName": "sam@oak.example", "externalId": []},
            "invalidValue",
        ),
        ({"schemas": [entra.USER], "userName": "sam@oak.example", "title": {}}, "invalidValue"),
    ],
)
def test_a_bad_user_body_is_a_400(scim, body, scim_type):
    _error(scim.post("Users", body), 400, scim_type)
    assert not Membership.objects.filter(user__email="sam@oak.example").exists()


def test_microsofts_example_user_name_is_refused_with_the_mapping_to_use(scim):
    """Microsoft's own example userName is not an email address; Coachroom signs people in
    with their email, so the IT technician is told which attribute to map."""
    body = entra.create_user("Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1")

    reply = scim.post("Users", body)

    _error(reply, 400, "invalidValue")
    assert "Map userName to mail" in reply.body["detail"]


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        ({"Operations": [entra.replace("active", False)]}, 400, "invalidSyntax"),  # no schema
        (entra.patch(), 400, "invalidSyntax"),  # no operations
        ({"schemas": [entra.PATCH], "Operations": {"op": "replace"}}, 400, "invalidSyntax"),
        (entra.patch("replace"), 400, "invalidSyntax"),
        (entra.patch({"op": "move", "path": "active", "value": False}), 400, "invalidSyntax"),
        (entra.patch({"op": "Replace", "path": "active"}), 400, "invalidSyntax"),  # no value
        (entra.patch({"op": "Replace", "value": "Sam"}), 400, "invalidSyntax"),
        (entra.patch({"op": "Remove"}), 400, "noTarget"),
        (entra.patch(entra.replace("bad path!", 1)), 400, "invalidPath"),
        (entra.patch(entra.replace("a.b.c", 1)), 400, "invalidPath"),
        (entra.patch(entra.replace("", 1)), 400, "invalidSyntax"),
        (entra.patch(entra.replace("active", "perhaps")), 400, "invalidValue"),
        (entra.patch(entra.replace("active", None)), 400, "invalidValue"),
        (entra.patch(entra.replace("userName", "not an email")), 400, "invalidValue"),
        (entra.patch(entra.replace("name", ["Sam"])), 400, "invalidValue"),
        (entra.patch({"op": "Remove", "path": "userName"}), 400, "mutability"),
        (entra.patch({"op": "Remove", "path": "active"}), 400, "mutability"),
        (entra.patch(entra.replace("id", "7")), 400, "mutability"),
        (entra.patch(entra.replace("groups", [])), 400, "mutability"),
    ],
)
def test_a_bad_patch_is_a_400_and_changes_nothing(scim, alice, body, status, scim_type):
    membership = Membership.objects.get(user=alice)

    _error(scim.patch(f"Users/{membership.pk}", body), status, scim_type)

    membership.refresh_from_db()
    assert membership.is_active


def test_one_bad_operation_undoes_the_good_ones_before_it(scim, alice):
    membership = Membership.objects.get(user=alice)

    reply = scim.patch(
        f"Users/{membership.pk}",
        entra.patch(entra.replace("name.givenName", "Changed"), entra.replace("active", "x")),
    )

    _error(reply, 400, "invalidValue")
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


@pytest.mark.parametrize(
    "query",
    [
        "userName eq",
        'userName eq "unterminated',
        "$$",
        'password eq "x"',
        'userName eq "a" or phoneNumbers eq "1"',
        'emails[type eq "work"].value eq "a@b"',
        "x" * 1001,
    ],
)
def test_a_bad_filter_is_invalid_filter(scim, alice, query):
    _error(scim.get("Users", filter=query), 400, "invalidFilter")


@pytest.mark.parametrize("query", ['active eq "someday"', "active gt 5", 'active eq ""'])
def test_a_filter_on_a_value_its_field_cannot_hold_is_no_server_error(scim, alice, query):
    """SQLite finds no one; PostgreSQL may refuse the comparison: an empty list or a 400."""
    reply = scim.get("Users", filter=query)

    if reply.status == 200:
        assert reply.body["totalResults"] == 0
    else:
        _error(reply, 400, "invalidFilter")


@pytest.mark.parametrize("params", [{"startIndex": "one"}, {"count": "ten"}, {"count": "1.5"}])
def test_paging_that_is_not_a_number_is_invalid_value(scim, params):
    _error(scim.get("Users", **params), 400, "invalidValue")


@pytest.mark.parametrize("path", ["Users/abc", "Users/99999999", "Users/" + "9" * 40, "Users/١٢"])
def test_an_unknown_person_is_404(scim, path):
    _error(scim.get(path), 404)
    _error(scim.patch(path, entra.disable_user()), 404)
    _error(scim.delete(path), 404)


def test_methods_the_address_does_not_take_are_405(scim, alice):
    membership_id = Membership.objects.get(user=alice).pk

    put = scim.put("Users", entra.create_user("alice@oak.example"))
    post = scim.post(f"Users/{membership_id}", entra.create_user("x@oak.example"))
    search = scim.post("Users/.search", {"schemas": ["x"]})
    head = scim("HEAD", "Users")

    for reply in (put, post, search):
        _error(reply, 405)
        assert reply.headers["Allow"]
    assert head.status == 405


@pytest.mark.parametrize("path", ["", "Bulk", "Me", ".search", "Users/1/extra"])
def test_other_addresses_are_a_scim_404(scim, path):
    _error(scim.get(path), 404)


def test_junk_in_every_attribute_never_breaks_the_endpoint(scim, alice):
    """A small fuzz: every kept attribute with values of every JSON kind, by POST and PATCH."""
    membership = Membership.objects.get(user=alice)
    junk = [None, True, 0, -1, 1.5, "", " ", "x" * 300, [], [1], {}, {"value": 1}, "False"]
    paths = ["userName", "name", "name.givenName", "title", "active", "externalId", "emails"]
    for path, value in itertools.product(paths, junk):
        reply = scim.patch(f"Users/{membership.pk}", entra.patch(entra.replace(path, value)))
        assert reply.status in (200, 400, 409), (path, value, reply.body)
        body = {"schemas": [entra.USER], "userName": "fuzz@oak.example", path: value}
        reply = scim.post("Users", body)
        assert reply.status in (201, 400, 409), (path, value, reply.body)
    for members in junk:
        reply = scim.patch(
            "Groups/coach", entra.patch({"op": "add", "path": "members", "value": members})
        )
        assert reply.status in (200, 400), (members, reply.body)


# Discovery ---------------------------------------------------------------------------------


def test_service_provider_config_says_what_is_supported(scim):
    reply = scim.get("ServiceProviderConfig")

    assert reply.status == 200
    assert reply.body["patch"] == {"supported": True}
    assert reply.body["filter"]["supported"] is True
    assert reply.body["bulk"]["supported"] is False
    assert reply.body["changePassword"]["supported"] is False
    assert reply.body["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_resource_types_are_user_and_group(scim):
    listed = scim.get("ResourceTypes")

    assert [r["id"] for r in listed.body["Resources"]] == ["Group", "User"]
    assert scim.get("ResourceTypes/User").body["endpoint"] == "/Users"
    _error(scim.get("ResourceTypes/Printer"), 404)


def test_schemas_list_only_what_coachroom_keeps(scim):
    listed = scim.get("Schemas")
    user = scim.get(f"Schemas/{entra.USER}")

    assert [s["id"] for s in listed.body["Resources"]] == [entra.GROUP, entra.USER]
    names = [a["name"] for a in user.body["attributes"]]
    assert names == ["userName", "name", "displayName", "title", "active", "emails", "groups"]
    assert "password" not in names
    _error(scim.get("Schemas/urn:example:nothing"), 404)
