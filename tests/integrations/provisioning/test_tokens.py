"""SCIM tokens: made and revoked by a school admin on the Staff provisioning page or with
`coachroom scim-token`, stored only as a hash, shown once, audited."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from coachroom import cli
from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError
from coachroom.integrations.provisioning.models import ScimGroup, ScimToken
from coachroom.integrations.provisioning.services import scim_token_create, scim_token_revoke
from coachroom.integrations.provisioning.tokens import token_for
from tests.integrations.provisioning import entra
from tests.integrations.provisioning.entra import Scim

pytestmark = pytest.mark.django_db

PAGE = "/staff/provisioning/"


# Services ----------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(oak, admin):
    token, secret = scim_token_create(school=oak, by=admin, name="Microsoft Entra ID")

    assert secret.startswith("crscim_") and len(secret) > 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.token_hash}
    assert token.prefix == secret[:12]
    assert token_for(secret) == token
    event = AuditEvent.objects.get(action="provisioning.token.created")
    assert (event.actor, event.school, event.target_id) == (admin, oak, str(token.pk))
    assert secret not in str(event.data)


def test_making_a_token_sets_up_the_schools_groups(oak, admin):
    scim_token_create(school=oak, by=admin, name="Entra")

    assert ScimGroup.objects.filter(school=oak).count() == 8


def test_two_active_tokens_cannot_share_a_name(oak, elm, admin):
    scim_token_create(school=oak, by=admin, name="Entra")

    with pytest.raises(DomainError, match="already has a SCIM token called"):
        scim_token_create(school=oak, by=admin, name="  ENTRA ")
    scim_token_create(school=elm, by=None, name="Entra")  # another school may


def test_a_revoked_tokens_name_can_be_used_again(oak, admin):
    token, secret = scim_token_create(school=oak, by=admin, name="Entra")

    scim_token_revoke(token=token, by=admin)

    assert token_for(secret) is None
    assert scim_token_create(school=oak, by=admin, name="Entra")[0].pk != token.pk
    with pytest.raises(DomainError, match="already been revoked"):
        scim_token_revoke(token=token, by=admin)
    assert AuditEvent.objects.filter(action="provisioning.token.revoked", actor=admin).count() == 1


# The page ----------------------------------------------------------------------------------


def test_the_admin_sees_the_tenant_url_and_the_schools_tokens(client, admin, oak, elm):
    scim_token_create(school=oak, by=admin, name="Microsoft Entra ID")
    scim_token_create(school=elm, by=None, name="Elm's directory")
    client.force_login(admin)

    response = client.get(PAGE)

    assert response.status_code == 200
    content = response.content.decode()
    assert "http://testserver/scim/v2/" in content
    assert "Microsoft Entra ID" in content
    assert "Elm&#x27;s directory" not in content and "Elm's directory" not in content
    assert "by Admin Example" in content
    assert "Not yet" in content


def test_a_new_token_is_shown_once(client, admin, oak):
    client.force_login(admin)

    response = client.post(PAGE, {"name": "Microsoft Entra ID"})

    assert response.status_code == 200
    token = ScimToken.objects.get(school=oak)
    secret = response.context["created"].secret
    assert token_for(secret) == token
    assert secret in response.content.decode()
    assert "this is the only time it is shown" in response.content.decode()
    assert secret not in client.get(PAGE).content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_name_in_use_is_a_form_error(client, admin, oak):
    scim_token_create(school=oak, by=admin, name="Entra")
    client.force_login(admin)

    response = client.post(PAGE, {"name": "entra"})

    assert response.status_code == 200
    assert "There is already a token called" in response.content.decode()
    assert response.context["created"] is None
    assert ScimToken.objects.count() == 1


def test_the_admin_revokes_a_token_after_confirming(client, admin, oak_token):
    token, secret = oak_token
    client.force_login(admin)
    url = reverse("provisioning:token-revoke", args=[token.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Revoke the token “Microsoft Entra ID”?" in confirm.content.decode()

    response = client.post(url)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    assert Scim(secret, client=client).get("Users").status == 401
    assert client.get(url).status_code == 404  # already revoked


def test_another_schools_admin_gets_404_for_oaks_token(client, outsider, oak_token):
    client.force_login(outsider)
    url = reverse("provisioning:token-revoke", args=[oak_token[0].pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    oak_token[0].refresh_from_db()
    assert oak_token[0].revoked_at is None


@pytest.mark.parametrize("who", ["lead", "head", "alice"])
def test_only_school_admins_open_the_page(client, request, who, oak_token):
    client.force_login(request.getfixturevalue(who))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "Mine"}).status_code == 403
    assert ScimToken.objects.count() == 1


def test_the_staff_page_links_to_provisioning_for_admins(client, admin, lead):
    client.force_login(admin)
    assert PAGE.encode() in client.get("/staff/").content
    client.force_login(lead)
    assert PAGE.encode() not in client.get("/staff/").content


@pytest.mark.parametrize("tokens", [1, 10])
def test_the_page_queries_do_not_grow(client, admin, oak, tokens, django_assert_max_num_queries):
    for n in range(tokens):
        scim_token_create(school=oak, by=admin, name=f"Token {n}")
    client.force_login(admin)
    # session, user, memberships (3) + linked groups (1) + tokens with makers (1) + linked
    # people (1) + the layout's own reads (a few)
    with django_assert_max_num_queries(12):
        response = client.get(PAGE)
    assert response.status_code == 200


# The command line --------------------------------------------------------------------------


def test_create_prints_the_token_alone_on_stdout(oak, capsys):
    assert cli.main(["scim-token", "create", "--school", "111111", "--name", "Entra ID"]) == 0

    out, err = capsys.readouterr()
    secret = out.strip()
    assert token_for(secret).name == "Entra ID"
    assert "Copy it now" in err and "Tenant URL: " in err and secret not in err
    assert AuditEvent.objects.get(action="provisioning.token.created").actor is None


def test_create_without_a_name_picks_one(oak, capsys):
    assert cli.main(["scim-token", "create", "--school", "111111"]) == 0
    assert cli.main(["scim-token", "create", "--school", "111111"]) == 0

    names = sorted(ScimToken.objects.values_list("name", flat=True))
    assert names == ["Command line", "Command line 2"]


def test_list_and_revoke_by_name_or_number(oak, capsys):
    cli.main(["scim-token", "create", "--school", "111111", "--name", "Entra"])
    cli.main(["scim-token", "create", "--school", "111111", "--name", "Okta"])
    okta = ScimToken.objects.get(name="Okta")
    capsys.readouterr()

    assert cli.main(["scim-token", "list", "--school", "111111"]) == 0
    listing = capsys.readouterr().out
    assert "Entra" in listing and "Okta" in listing and "not used yet" in listing

    assert cli.main(["scim-token", "revoke", "--school", "111111", "entra"]) == 0
    assert cli.main(["scim-token", "revoke", "--school", "111111", str(okta.pk)]) == 0
    assert "Revoked the SCIM token “Okta”" in capsys.readouterr().out
    assert not ScimToken.objects.active().exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create", "--school", "12"], "--school takes a six-digit URN"),
        (["create", "--school", "999999"], "no school has the URN 999999"),
        (["revoke", "--school", "111111", "Nothing"], "has no active SCIM token named"),
        (["create", "--school", "111111", "--name", "x" * 61], "at most 60 characters"),
    ],
)
def test_refusals_are_one_line_and_exit_1(oak, capsys, argv, message):
    assert cli.main(["scim-token", *argv]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("coachroom: ") and message in err
    assert err.count("\n") == 1


# The audit log -----------------------------------------------------------------------------


def test_the_audit_log_names_the_token_as_who_made_a_change(client, admin, scim):
    scim.post("Users", entra.create_user("sam.lee@oak.example"))
    client.force_login(admin)

    page = client.get(reverse("audit:log")).content.decode()
    csv = b"".join(client.get(reverse("audit:log-csv")).streaming_content).decode()

    assert "SCIM token “Microsoft Entra ID”" in page
    assert "Invited a member of staff" in page
    assert "SCIM token “Microsoft Entra ID”" in csv
