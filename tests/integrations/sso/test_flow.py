"""Signing in through the real OpenID Connect provider on loopback, with Django's test client:
who gets in, who is refused and why, and that nothing about an account ever changes."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from coachroom.accounts.models import Membership, User
from coachroom.audit.models import AuditEvent
from coachroom.integrations.sso.models import ProviderKind
from tests.factories import MembershipFactory, SchoolFactory, UserFactory
from tests.integrations.sso.helpers import TENANT, at_provider, make_provider, sign_in, start


def _signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def _refusal(response, client) -> tuple[str, str]:
    """Follow a refusal to the page that explains it: (reason recorded, page text)."""
    assert response.status_code == 302
    assert response["Location"] == reverse("sso:refused")
    event = AuditEvent.objects.filter(action="sso.sign_in.refused").latest("pk")
    page = client.get(response["Location"])
    assert page.status_code == 200
    return event.data["reason"], page.content.decode()


# Who gets in -------------------------------------------------------------------------------


def test_a_teacher_signs_in_and_nothing_about_her_account_changes(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(
        email="Alice@Oak.example", email_verified=True, given_name="Ally", family_name="Other"
    )
    before = User.objects.values().get(pk=alice.pk)
    response = sign_in(client, provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _signed_in_as(client) == alice.pk
    assert User.objects.values().get(pk=alice.pk) | {"last_login": None} == before | {
        "last_login": None
    }
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()
    assert not EmailAddress.objects.exists()
    event = AuditEvent.objects.get(action="sso.sign_in.succeeded")
    assert (event.actor, event.subject, event.data["provider"]) == (alice, alice, provider.slug)


def test_the_request_carries_a_nonce_and_pkce(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    sign_in(client, provider)
    sent = idp.authorize_requests[-1]
    assert len(sent["nonce"]) >= 32
    assert sent["code_challenge_method"] == "S256"
    assert sorted(sent["scope"].split()) == ["email", "openid", "profile"]
    assert sent["redirect_uri"] == f"http://testserver/sign-in/with/{provider.slug}/callback/"


def test_the_page_asked_for_is_where_sign_in_lands(client, idp, alice, oak, oak_year):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    response = sign_in(client, provider, next="/account/")
    assert response["Location"] == "/account/"


def test_a_next_address_on_another_site_is_ignored(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    response = sign_in(client, provider, next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_a_trust_admin_with_no_school_signs_in_with_the_trusts_provider(client, idp, oak):
    admin = UserFactory(email="it@oak.example")
    oak.trust.admins.add(admin)
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="it@oak.example", email_verified=True)
    sign_in(client, provider)
    assert _signed_in_as(client) == admin.pk


def test_microsoft_matches_the_user_principal_name(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    idp.sign_in_as(
        oid="00000000-0000-0000-0000-00000000a11c",
        tid=TENANT,
        preferred_username="alice@oak.example",
        email="someone.else@oak.example",  # editable in Entra, never trusted on its own
        name="Alice Example",
    )
    response = sign_in(client, provider)
    assert response["Location"] == reverse("home")
    assert _signed_in_as(client) == alice.pk
    assert sorted(idp.authorize_requests[-1]["scope"].split()) == ["email", "openid", "profile"]


def test_microsoft_uses_the_email_claim_only_when_the_tenant_vouches_for_it(
    client, idp, alice, oak
):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    idp.sign_in_as(
        tid=TENANT, preferred_username="12345@oaktrust.onmicrosoft.com", email="alice@oak.example"
    )
    reason, _ = _refusal(sign_in(client, provider), client)
    assert reason == "unverified"

    idp.sign_in_as(
        tid=TENANT,
        preferred_username="12345@oaktrust.onmicrosoft.com",
        email="alice@oak.example",
        xms_edov=True,
    )
    sign_in(client, provider)
    assert _signed_in_as(client) == alice.pk


def test_a_microsoft_guest_is_refused(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    idp.sign_in_as(tid=TENANT, preferred_username="alice_oak.example#EXT#@oak.example")
    reason, _ = _refusal(sign_in(client, provider), client)
    assert reason == "unverified"
    assert _signed_in_as(client) is None


def test_google_signs_in_a_workspace_account(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.GOOGLE)
    idp.sign_in_as(email="alice@oak.example", email_verified=True, hd="oak.example")
    sign_in(client, provider)
    assert _signed_in_as(client) == alice.pk


def test_a_personal_google_account_with_a_school_address_is_refused(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.GOOGLE)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)  # no hd: not Workspace
    reason, page = _refusal(sign_in(client, provider), client)
    assert reason == "unverified"
    assert "Google did not confirm your email address" in page


# Who is refused, and told who to ask ------------------------------------------------------------


def test_an_address_at_another_domain_is_refused(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@gmail.com", email_verified=True)
    reason, page = _refusal(sign_in(client, provider), client)
    assert reason == "wrong_domain"
    assert "You signed in to Oak Login as alice@gmail.com" in page
    assert "oak.example" in page
    assert _signed_in_as(client) is None
    event = AuditEvent.objects.get(action="sso.sign_in.refused")
    assert (event.subject, event.data["email"]) == (None, "alice@gmail.com")


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_address_is_refused(client, idp, alice, oak, verified):
    provider = make_provider(idp, oak.trust)
    claims = {"email": "alice@oak.example"}
    if verified is not None:
        claims["email_verified"] = verified
    idp.sign_in_as(**claims)
    reason, page = _refusal(sign_in(client, provider), client)
    assert reason == "unverified"
    assert "Your school's IT team" in page
    assert _signed_in_as(client) is None


def test_someone_without_an_account_is_refused_and_no_account_is_made(client, idp, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="new.teacher@oak.example", email_verified=True)
    reason, page = _refusal(sign_in(client, provider), client)
    assert reason == "unknown"
    assert "There is no Coachroom account for new.teacher@oak.example" in page
    assert "Your school's Coachroom admin" in page
    assert not User.objects.exists()
    assert not Membership.objects.exists()


def test_a_deactivated_member_of_staff_is_told_to_ask_their_schools_admin(
    client, idp, alice, admin, oak
):
    Membership.objects.filter(user=alice).update(is_active=False)
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    reason, page = _refusal(sign_in(client, provider), client)
    assert reason == "inactive"
    assert "Your Coachroom account is not active" in page
    assert "At Oak School: Admin Example (Coachroom admin)" in page
    assert AuditEvent.objects.get(action="sso.sign_in.refused").subject == alice


def test_an_inactive_account_is_refused(client, idp, alice, oak):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    reason, _ = _refusal(sign_in(client, provider), client)
    assert reason == "inactive"
    assert _signed_in_as(client) is None


def test_a_schools_own_provider_does_not_sign_in_staff_of_its_sister_school(
    client, idp, alice, oak
):
    sister = SchoolFactory(trust=oak.trust, name="Ash School")
    provider = make_provider(idp, oak.trust, school=sister)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    reason, page = _refusal(sign_in(client, provider), client)
    assert reason == "inactive"
    assert "not active at Ash School" in page


def test_someone_who_also_works_in_another_trust_signs_in_with_their_password(
    client, idp, alice, oak, elm
):
    MembershipFactory(user=alice, school=elm)
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    reason, page = _refusal(sign_in(client, provider), client)
    assert reason == "not_eligible"
    assert "Sign in with your email address and password" in page


def test_django_staff_are_never_signed_in_by_a_trusts_provider(client, idp, alice, oak):
    User.objects.filter(pk=alice.pk).update(is_staff=True)
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    reason, _ = _refusal(sign_in(client, provider), client)
    assert reason == "not_eligible"


def test_another_trusts_provider_cannot_sign_in_oak_staff(client, idp, alice, oak, elm):
    provider = make_provider(idp, elm.trust, domains=("elm.example",))
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    reason, _ = _refusal(sign_in(client, provider), client)
    assert reason == "wrong_domain"


# State, nonce and token: replayed or tampered ------------------------------------------------


def test_a_callback_used_once_cannot_be_used_again(client, idp, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="nobody@oak.example", email_verified=True)
    callback = at_provider(start(client, provider))
    first, _ = _refusal(client.get(callback), client)
    assert first == "unknown"  # the state was used up by the first attempt
    UserFactory(email="nobody@oak.example")
    again, page = _refusal(client.get(callback), client)
    assert again == "failed"
    assert "did not finish" in page
    event = AuditEvent.objects.filter(action="sso.sign_in.refused").latest("pk")
    assert event.data["detail"] == "state"


def test_a_replayed_callback_signs_nobody_in_after_sign_out(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    callback = at_provider(start(client, provider))
    client.get(callback)
    assert _signed_in_as(client) == alice.pk
    client.post(reverse("logout"))
    reason, _ = _refusal(client.get(callback), client)
    assert reason == "failed"
    assert _signed_in_as(client) is None


def test_a_callback_from_another_browser_is_refused(client, idp, alice, oak):
    from django.test import Client

    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    callback = at_provider(start(Client(), provider))  # the attacker's own sign-in
    reason, _ = _refusal(client.get(callback), client)
    assert reason == "failed"
    assert _signed_in_as(client) is None


def test_a_tampered_state_is_refused(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    callback = at_provider(start(client, provider))
    path, _, query = callback.partition("?")
    tampered = "&".join(
        "state=forged-state" if part.startswith("state=") else part for part in query.split("&")
    )
    reason, _ = _refusal(client.get(f"{path}?{tampered}"), client)
    assert reason == "failed"
    assert _signed_in_as(client) is None


@pytest.mark.parametrize("tamper", ["nonce", "signature", "audience", "expired"])
def test_a_tampered_id_token_is_refused(client, idp, alice, oak, tamper):
    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    idp.tamper = tamper
    reason, _ = _refusal(sign_in(client, provider), client)
    assert reason == "failed"
    assert _signed_in_as(client) is None
    detail = AuditEvent.objects.get(action="sso.sign_in.refused").data["detail"]
    assert detail == "nonce" if tamper == "nonce" else detail.startswith("TokenRejected")


def test_a_microsoft_token_from_another_tenant_is_refused(client, idp, alice, oak):
    provider = make_provider(
        idp, oak.trust, kind=ProviderKind.MICROSOFT, tenant_id=TENANT.replace("9", "8")
    )
    idp.sign_in_as(preferred_username="alice@oak.example")
    callback = at_provider(start(client, provider))
    provider.tenant_id = TENANT  # now the token's issuer is another tenant's
    provider.save()
    reason, _ = _refusal(client.get(callback), client)
    assert reason == "failed"


def test_cancelling_at_the_provider_says_so(client, idp, oak):
    provider = make_provider(idp, oak.trust)
    callback = at_provider(start(client, provider))
    path, _, query = callback.partition("?")
    state = next(p for p in query.split("&") if p.startswith("state="))
    reason, page = _refusal(client.get(f"{path}?error=access_denied&{state}"), client)
    assert reason == "cancelled"
    assert "You did not finish signing in" in page


# When the provider cannot be used ------------------------------------------------------------


def test_an_unreadable_secret_sends_people_to_the_trust_admin(client, idp, alice, oak, settings):
    provider = make_provider(idp, oak.trust)
    settings.SSO_ENCRYPTION_KEY = "a-key-the-secret-was-not-saved-with-0123456789"
    response = client.post(reverse("sso:start", args=[provider.slug]))
    reason, page = _refusal(response, client)
    assert reason == "unavailable"
    assert "Your trust's Coachroom admin" in page


def test_an_unreachable_provider_is_refused_cleanly(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust, issuer_url="http://127.0.0.1:9/nothing-here")
    response = client.post(reverse("sso:start", args=[provider.slug]))
    reason, _ = _refusal(response, client)
    assert reason == "unavailable"


def test_a_hidden_provider_cannot_be_used(client, idp, oak):
    provider = make_provider(idp, oak.trust, is_enabled=False)
    assert client.post(reverse("sso:start", args=[provider.slug])).status_code == 404
    assert client.get(reverse("sso:callback", args=[provider.slug])).status_code == 404


def test_a_link_to_the_start_goes_to_the_sign_in_page(client, idp, oak):
    provider = make_provider(idp, oak.trust)
    response = client.get(reverse("sso:start", args=[provider.slug]))
    assert response["Location"] == reverse("login")


def test_someone_signed_in_already_is_sent_home(client, idp, alice, oak):
    provider = make_provider(idp, oak.trust)
    client.force_login(alice)
    response = client.post(reverse("sso:start", args=[provider.slug]))
    assert response["Location"] == reverse("home")
