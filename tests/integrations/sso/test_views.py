"""The sign-in page's buttons, and a trust admin's pages for setting sign-in up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.integrations.sso import crypto
from coachroom.integrations.sso.models import IdentityProvider, ProviderKind
from tests.factories import TrustFactory, UserFactory
from tests.integrations.sso.helpers import TENANT, make_provider


def _directives(header: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in header.split(";") if p.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.fixture
def trust_admin(oak):
    person = UserFactory(first_name="Trusty", email="trusty@oak.example")
    oak.trust.admins.add(person)
    return person


# The sign-in page ------------------------------------------------------------------------------


def test_the_sign_in_page_shows_each_enabled_provider(client, idp, oak):
    make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    make_provider(idp, oak.trust, kind=ProviderKind.GOOGLE, is_enabled=False)
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert "Sign in with Microsoft" in html
    assert "Sign in with Google" not in html
    assert 'action="/sign-in/with/' in html
    assert "Or with your email address and a password" in html
    form_action = _directives(response["Content-Security-Policy"])["form-action"].split()
    assert form_action == ["'self'", idp.base_url]


def test_without_providers_the_sign_in_page_is_unchanged(client, db):
    response = client.get(reverse("login"))
    assert "Sign in with" not in response.content.decode()
    assert _directives(response["Content-Security-Policy"])["form-action"] == "'self'"


def test_buttons_that_would_read_the_same_say_whose_they_are(client, idp, oak, elm):
    make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    make_provider(idp, elm.trust, kind=ProviderKind.MICROSOFT, domains=("elm.example",))
    html = client.get(reverse("login")).content.decode()
    assert f"Sign in with Microsoft ({oak.trust.name})" in html
    assert f"Sign in with Microsoft ({elm.trust.name})" in html


def test_the_sign_in_page_queries_do_not_grow_with_providers(
    client, idp, oak, django_assert_max_num_queries
):
    for n in range(5):
        make_provider(idp, TrustFactory(), slug=f"p{n}", domains=(f"s{n}.example",))
    # session (1), providers joined to trust and school (1)
    with django_assert_max_num_queries(2):
        assert client.get(reverse("login")).status_code == 200


def test_the_refused_page_without_a_refusal_gives_general_advice(client, db):
    response = client.get(reverse("sso:refused"))
    assert response.status_code == 200
    assert "You are not signed in" in response.content.decode()


# A trust admin's pages ------------------------------------------------------------------------


def test_a_trust_admin_lists_their_trusts_providers(client, idp, trust_admin, oak, elm):
    make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT, passwords_allowed=False)
    make_provider(idp, elm.trust, kind=ProviderKind.GOOGLE, domains=("elm.example",))
    client.force_login(trust_admin)
    html = client.get(reverse("sso:list")).content.decode()
    assert "Sign in with Microsoft" in html
    assert "Turned off" in html
    assert "Sign in with Google" not in html  # Elm's trust is not theirs
    assert reverse("sso:create", args=[oak.trust.pk, "google"]) in html


def test_someone_who_administers_no_trust_may_not(client, admin):
    client.force_login(admin)
    assert client.get(reverse("sso:list")).status_code == 403


def test_the_create_page_shows_the_redirect_uri_to_paste(client, trust_admin, oak):
    client.force_login(trust_admin)
    response = client.get(reverse("sso:create", args=[oak.trust.pk, "microsoft"]))
    html = response.content.decode()
    slug = f"{oak.trust.name.lower().replace(' ', '-')}-microsoft"
    assert f"http://testserver/sign-in/with/{slug}/callback/" in html
    assert "Accounts in this organizational directory only (single tenant)" in html


def test_a_trust_admin_sets_up_microsoft(client, idp, trust_admin, oak):
    client.force_login(trust_admin)
    response = client.post(
        reverse("sso:create", args=[oak.trust.pk, "microsoft"]),
        {
            "tenant_id": TENANT,
            "client_id": "app-id",
            "client_secret": "the-secret-value",
            "allowed_domains": "oak.example",
            "school": "",
            "passwords": "off",
            "is_enabled": "on",
        },
    )
    provider = IdentityProvider.objects.get()
    assert response["Location"] == provider.get_absolute_url()
    assert (provider.kind, provider.tenant_id, provider.passwords_allowed) == (
        "microsoft",
        TENANT,
        False,
    )
    assert crypto.client_secret(provider) == "the-secret-value"
    event = AuditEvent.objects.get(action="sso.provider.created")
    assert event.actor == trust_admin
    assert "the-secret-value" not in str(event.data)


def test_editing_keeps_the_secret_and_audits_what_changed(client, idp, trust_admin, oak):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    client.force_login(trust_admin)
    page = client.get(provider.get_absolute_url()).content.decode()
    assert crypto.client_secret(provider) not in page
    response = client.post(
        provider.get_absolute_url(),
        {
            "tenant_id": TENANT,
            "client_id": provider.client_id,
            "client_secret": "",
            "allowed_domains": "oak.example\nstaff.oak.example",
            "passwords": "allowed",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.allowed_domains == ["oak.example", "staff.oak.example"]
    assert crypto.client_secret(provider) == "s3cret-from-the-provider"
    event = AuditEvent.objects.get(action="sso.provider.updated")
    assert event.data["changed"] == "allowed_domains"


def test_the_edit_page_lists_recent_sign_ins(client, idp, trust_admin, alice, oak):
    from tests.integrations.sso.helpers import sign_in

    provider = make_provider(idp, oak.trust)
    idp.sign_in_as(email="alice@oak.example", email_verified=True)
    sign_in(client, provider)
    idp.sign_in_as(email="stranger@oak.example", email_verified=True)
    client.post(reverse("logout"))
    sign_in(client, provider)
    client.force_login(trust_admin)
    html = client.get(provider.get_absolute_url()).content.decode()
    assert "Alice Example" in html
    assert "stranger@oak.example" in html
    assert "Refused: no Coachroom account with that address" in html


def test_an_unreadable_secret_is_flagged(client, idp, trust_admin, oak, settings):
    provider = make_provider(idp, oak.trust)
    settings.SSO_ENCRYPTION_KEY = "not-the-key-it-was-saved-with-0123456789"
    client.force_login(trust_admin)
    assert "Needs its client secret again" in client.get(reverse("sso:list")).content.decode()
    page = client.get(provider.get_absolute_url()).content.decode()
    assert "The client secret can no longer be read" in page


def test_a_trust_admin_removes_a_provider(client, idp, trust_admin, oak):
    provider = make_provider(idp, oak.trust, passwords_allowed=False)
    client.force_login(trust_admin)
    page = client.get(reverse("sso:remove", args=[provider.pk])).content.decode()
    assert "Passwords are turned off for these staff" in page
    response = client.post(reverse("sso:remove", args=[provider.pk]))
    assert response["Location"] == reverse("sso:list")
    assert not IdentityProvider.objects.exists()
    assert AuditEvent.objects.filter(action="sso.provider.removed").exists()


def test_another_trusts_admin_gets_404_for_oaks_settings(client, idp, oak, elm):
    provider = make_provider(idp, oak.trust)
    elm_admin = UserFactory()
    elm.trust.admins.add(elm_admin)
    client.force_login(elm_admin)
    for url in (
        reverse("sso:edit", args=[provider.pk]),
        reverse("sso:remove", args=[provider.pk]),
        reverse("sso:create", args=[oak.trust.pk, "google"]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("sso:remove", args=[provider.pk])).status_code == 404
    assert IdentityProvider.objects.filter(pk=provider.pk).exists()
    assert client.get(reverse("sso:list")).status_code == 200


def test_an_unknown_kind_of_provider_is_404(client, trust_admin, oak):
    client.force_login(trust_admin)
    url = reverse("sso:create", args=[oak.trust.pk, "facebook"])
    assert client.get(url).status_code == 404
