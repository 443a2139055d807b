"""A trust admin's provider settings: what the form accepts, and how the secret is kept."""

from __future__ import annotations

import pytest

from coachroom.integrations.sso import crypto
from coachroom.integrations.sso.forms import ProviderForm
from coachroom.integrations.sso.models import ProviderKind
from tests.integrations.sso.helpers import TENANT, make_provider

ENTRA = {
    "tenant_id": TENANT,
    "client_id": "11111111-2222-3333-4444-555555555555",
    "client_secret": "a-fresh-secret",
    "allowed_domains": "oak.example",
    "passwords": "allowed",
    "is_enabled": "on",
}


def _form(trust, kind=ProviderKind.MICROSOFT, provider=None, **data):
    return ProviderForm({**ENTRA, **data}, trust=trust, kind=kind, provider=provider)


def test_a_complete_entra_form_is_valid(oak):
    form = _form(oak.trust)
    assert form.is_valid(), form.errors
    assert form.values() == {
        "client_id": ENTRA["client_id"],
        "allowed_domains": ["oak.example"],
        "school": None,
        "passwords_allowed": True,
        "is_enabled": True,
        "tenant_id": TENANT,
    }


def test_domains_are_tidied(oak):
    form = _form(oak.trust, allowed_domains="@Oak.Example, staff.oak.example\noak.example")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["allowed_domains"] == ["oak.example", "staff.oak.example"]


@pytest.mark.parametrize(
    ("domains", "error"),
    [
        ("oak", "oak is not a domain"),
        ("alice@oak.example", "alice@oak.example is not a domain"),
        ("gmail.com", "gmail.com is a personal email service"),
        (" , ", "Enter at least one email domain."),
    ],
)
def test_bad_domains_are_refused(oak, domains, error):
    form = _form(oak.trust, allowed_domains=domains)
    assert not form.is_valid()
    assert error in form.errors["allowed_domains"][0]


def test_a_domain_belongs_to_one_trust(idp, oak, elm):
    make_provider(idp, elm.trust, domains=("elm.example",))
    form = _form(oak.trust, allowed_domains="oak.example\nelm.example")
    assert not form.is_valid()
    assert (
        "elm.example is already used by another trust's sign-in"
        in form.errors["allowed_domains"][0]
    )


def test_a_trust_may_list_its_domain_on_several_providers(idp, oak):
    make_provider(idp, oak.trust, kind=ProviderKind.GOOGLE)
    assert _form(oak.trust).is_valid()


@pytest.mark.parametrize(
    ("tenant", "error"),
    [
        ("common", "lets people from any organisation sign in"),
        ("organizations", "lets people from any organisation sign in"),
        ("oakfield.onmicrosoft.com", "Enter the directory (tenant) ID"),
    ],
)
def test_the_tenant_must_be_the_schools_own_directory(oak, tenant, error):
    form = _form(oak.trust, tenant_id=tenant)
    assert not form.is_valid()
    assert error in form.errors["tenant_id"][0]


def test_the_school_must_be_one_of_the_trusts(oak, elm):
    form = _form(oak.trust, school=str(elm.pk))
    assert not form.is_valid()
    assert "school" in form.errors
    assert _form(oak.trust, school=str(oak.pk)).is_valid()


def test_google_needs_no_tenant_and_oidc_needs_its_issuer(oak):
    assert "tenant_id" not in ProviderForm(trust=oak.trust, kind=ProviderKind.GOOGLE).fields
    fields = ProviderForm(trust=oak.trust, kind=ProviderKind.OIDC).fields
    assert {"issuer_url", "display_name"} <= set(fields)
    assert "tenant_id" not in fields


# The issuer of any other OpenID Connect provider --------------------------------------------


def _oidc(trust, **data):
    base = {**ENTRA, "display_name": "Oak Login", "issuer_url": "", **data}
    return ProviderForm(base, trust=trust, kind=ProviderKind.OIDC)


def test_the_issuers_discovery_document_is_read_and_kept(idp, oak):
    form = _oidc(oak.trust, issuer_url=f"{idp.base_url}/")
    assert form.is_valid(), form.errors
    values = form.values()
    assert values["issuer_url"] == idp.base_url
    assert values["authorization_endpoint"] == f"{idp.base_url}/authorize"


def test_an_issuer_whose_document_names_another_issuer_is_refused(idp, oak):
    form = _oidc(oak.trust, issuer_url=f"{idp.base_url}/impostor")
    assert not form.is_valid()
    assert f"names its issuer as '{idp.base_url}'" in form.errors["issuer_url"][0]


def test_an_issuer_must_use_https(oak):
    form = _oidc(oak.trust, issuer_url="http://login.example.org/realms/staff")
    assert not form.is_valid()
    assert form.errors["issuer_url"] == ["The issuer URL must start with https://."]


def test_an_unreachable_issuer_is_explained(oak):
    form = _oidc(oak.trust, issuer_url="http://127.0.0.1:9/realms/staff")
    assert not form.is_valid()
    assert (
        "Coachroom could not read http://127.0.0.1:9/realms/staff/.well-known"
        in (form.errors["issuer_url"][0])
    )


# The client secret ---------------------------------------------------------------------------


def test_a_new_provider_needs_a_secret(oak):
    form = _form(oak.trust, client_secret="")
    assert not form.is_valid()
    assert form.errors["client_secret"] == ["Enter the client secret."]


def test_a_saved_secret_is_kept_when_the_field_is_left_empty(idp, oak):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    form = _form(oak.trust, provider=provider, client_secret="")
    assert form.is_valid(), form.errors
    assert "is never shown" in form.fields["client_secret"].help_text


def test_the_secret_is_never_shown_again(idp, oak):
    provider = make_provider(idp, oak.trust, kind=ProviderKind.MICROSOFT)
    unsaved = _form(oak.trust, provider=provider, client_secret="typed-but-bad", tenant_id="x")
    assert not unsaved.is_valid()
    html = str(unsaved) + str(ProviderForm(trust=oak.trust, kind="microsoft", provider=provider))
    assert "typed-but-bad" not in html
    assert crypto.client_secret(provider) not in html


def test_a_secret_from_the_environment(oak, monkeypatch):
    monkeypatch.setenv("COACHROOM_SSO_SECRET_OAK", "from-the-environment")
    form = _form(oak.trust, client_secret="", secret_env_var="COACHROOM_SSO_SECRET_OAK")
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("SECRET_KEY", "must start with COACHROOM_SSO_SECRET_"),
        ("COACHROOM_SSO_SECRET_UNSET", "is not set on this server"),
    ],
)
def test_only_coachroom_sso_variables_can_hold_the_secret(oak, name, error):
    form = _form(oak.trust, client_secret="", secret_env_var=name)
    assert not form.is_valid()
    assert error in form.errors["secret_env_var"][0]


def test_a_secret_and_a_variable_together_are_refused(oak, monkeypatch):
    monkeypatch.setenv("COACHROOM_SSO_SECRET_OAK", "x")
    form = _form(oak.trust, secret_env_var="COACHROOM_SSO_SECRET_OAK")
    assert not form.is_valid()
    assert "not both" in form.errors["secret_env_var"][0]


def test_secrets_are_stored_encrypted_under_a_key_from_the_environment(idp, oak, settings):
    provider = make_provider(idp, oak.trust)
    assert "s3cret" not in provider.secret_encrypted
    assert crypto.client_secret(provider) == "s3cret-from-the-provider"
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-entirely-0123456789"
    assert not crypto.secret_readable(provider)
    settings.SECRET_KEY_FALLBACKS = [old_key]  # the old key, kept while rotating
    assert crypto.client_secret(provider) == "s3cret-from-the-provider"


def test_a_dedicated_encryption_key_takes_over_from_the_secret_key(settings):
    settings.SSO_ENCRYPTION_KEY = "dedicated-key-0123456789-0123456789"
    token = crypto.encrypt("hello")
    settings.SECRET_KEY = "changed-0123456789"
    assert crypto.decrypt(token) == "hello"
    settings.SSO_ENCRYPTION_KEY = ""
    with pytest.raises(crypto.SecretUnavailable):
        crypto.decrypt(token)
