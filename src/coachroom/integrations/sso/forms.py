"""A trust admin's settings for one provider. The fields depend on the kind: Microsoft needs
the tenant, any other OpenID Connect provider its issuer (whose discovery document is read and
checked before saving); Google needs neither.

The client secret is never shown again: the field is always empty, and left empty it keeps the
saved secret.
"""

from __future__ import annotations

import os
import re
from typing import Any

from django import forms

from coachroom.accounts.models import School, Trust
from coachroom.integrations.sso import crypto, endpoints
from coachroom.integrations.sso.models import BRAND, IdentityProvider, ProviderKind

DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MULTI_TENANT = {"common", "organizations", "consumers"}
# Anyone can make an address at these, so none can say who works at a school.
PERSONAL_DOMAINS = frozenset(
    {
        "aol.com",
        "btinternet.com",
        "gmail.com",
        "gmx.com",
        "googlemail.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.co.uk",
        "live.com",
        "mac.com",
        "mail.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "sky.com",
        "talktalk.net",
        "virginmedia.com",
        "yahoo.co.uk",
        "yahoo.com",
        "yandex.com",
        "zoho.com",
    }
)
CLIENT_ID_HELP = {
    ProviderKind.MICROSOFT: "The Application (client) ID on the app registration's Overview page.",
    ProviderKind.GOOGLE: "From Google Cloud console: APIs & Services → Credentials → your OAuth "
    "client. It ends in .apps.googleusercontent.com.",
    ProviderKind.OIDC: "The client (application) ID your provider gave Coachroom.",
}
PASSWORDS_ALLOWED, PASSWORDS_OFF = "allowed", "off"


def parse_domains(text: str) -> list[str]:
    return [d.strip().lstrip("@").lower() for d in re.split(r"[\s,;]+", text) if d.strip()]


class ProviderForm(forms.Form):
    display_name = forms.CharField(
        label="Name on the button",
        max_length=40,
        help_text="The button reads “Sign in with” and this name, for example Okta or Jumpcloud.",
    )
    tenant_id = forms.CharField(
        label="Directory (tenant) ID",
        max_length=36,
        help_text="On the app registration's Overview page: 36 characters, such as "
        "9188040d-6c67-4c5b-b112-36a304b66dad.",
    )
    issuer_url = forms.URLField(
        label="Issuer URL",
        max_length=300,
        assume_scheme="https",
        help_text="The address your provider names as its issuer, for example "
        "https://login.example.org/realms/staff. Coachroom reads its "
        "/.well-known/openid-configuration when you save.",
    )
    client_id = forms.CharField(label="Client ID", max_length=255)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    secret_env_var = forms.CharField(
        label="Or: the environment variable that holds the secret",
        required=False,
        max_length=100,
        help_text=f"For servers that keep secrets out of the database: a variable set for "
        f"Coachroom whose name starts with {crypto.ENV_PREFIX}. Leave empty to use the "
        "secret above.",
    )
    allowed_domains = forms.CharField(
        label="Email domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, for example oakfield.sch.uk. Only addresses at these domains "
        "can sign in this way; a subdomain needs its own line.",
    )
    school = forms.ModelChoiceField(
        label="Whose staff sign in this way",
        queryset=School.objects.none(),
        required=False,
    )
    passwords = forms.ChoiceField(
        label="Can these staff still sign in with a Coachroom password?",
        widget=forms.RadioSelect,
        initial=PASSWORDS_ALLOWED,
    )
    is_enabled = forms.BooleanField(
        label="Show the button on the sign-in page", required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        trust: Trust,
        kind: str,
        provider: IdentityProvider | None = None,
        **kwargs: Any,
    ) -> None:
        if provider is not None:
            kwargs.setdefault("initial", self.initial_for(provider))
        super().__init__(*args, **kwargs)
        self.trust, self.kind, self.provider = trust, ProviderKind(kind), provider
        unused = {
            ProviderKind.MICROSOFT: ("display_name", "issuer_url"),
            ProviderKind.GOOGLE: ("display_name", "issuer_url", "tenant_id"),
            ProviderKind.OIDC: ("tenant_id",),
        }[self.kind]
        for name in unused:
            del self.fields[name]
        brand = BRAND.get(self.kind, "your provider")
        self.fields["client_id"].help_text = CLIENT_ID_HELP[self.kind]
        school_field: Any = self.fields["school"]
        school_field.queryset = School.objects.filter(trust=trust).order_by("name")
        school_field.empty_label = f"Every school in {trust.name}"
        passwords_field: Any = self.fields["passwords"]
        passwords_field.choices = [
            (PASSWORDS_ALLOWED, f"Yes: they may use a password or {brand}"),
            (PASSWORDS_OFF, f"No: only {brand} (trust admins always keep their password)"),
        ]
        if provider is not None and provider.has_secret:
            self.fields["client_secret"].help_text = (
                "A secret is saved and is never shown. Leave this empty to keep it; enter a "
                "new one when you renew it."
            )

    @staticmethod
    def initial_for(provider: IdentityProvider) -> dict[str, Any]:
        return {
            "display_name": provider.display_name,
            "tenant_id": provider.tenant_id,
            "issuer_url": provider.issuer_url,
            "client_id": provider.client_id,
            "secret_env_var": provider.secret_env_var,
            "allowed_domains": "\n".join(provider.allowed_domains),
            "school": provider.school_id,
            "passwords": PASSWORDS_ALLOWED if provider.passwords_allowed else PASSWORDS_OFF,
            "is_enabled": provider.is_enabled,
        }

    def clean_tenant_id(self) -> str:
        tenant = str(self.cleaned_data["tenant_id"]).strip().lower()
        if tenant in MULTI_TENANT:
            raise forms.ValidationError(
                f"“{tenant}” lets people from any organisation sign in. Enter your own "
                "directory (tenant) ID."
            )
        if not GUID.match(tenant):
            raise forms.ValidationError(
                "Enter the directory (tenant) ID: 36 characters, such as "
                "9188040d-6c67-4c5b-b112-36a304b66dad."
            )
        return tenant

    def clean_issuer_url(self) -> str:
        issuer = endpoints.normalise_issuer(self.cleaned_data["issuer_url"])
        if not endpoints.secure_enough(issuer):
            raise forms.ValidationError("The issuer URL must start with https://.")
        if "?" in issuer or "#" in issuer:
            raise forms.ValidationError("The issuer URL has no ? or # part.")
        return issuer

    def clean_allowed_domains(self) -> list[str]:
        domains = list(dict.fromkeys(parse_domains(self.cleaned_data["allowed_domains"])))
        bad = [d for d in domains if not DOMAIN.match(d)]
        if bad:
            raise forms.ValidationError(f"{bad[0]} is not a domain, such as oakfield.sch.uk.")
        personal = [d for d in domains if d in PERSONAL_DOMAINS]
        if personal:
            raise forms.ValidationError(
                f"{personal[0]} is a personal email service: anyone can have an address there."
            )
        others = IdentityProvider.objects.exclude(trust=self.trust).values_list(
            "allowed_domains", flat=True
        )
        claimed = {d for listed in others for d in listed}
        taken = [d for d in domains if d in claimed]
        if taken:
            raise forms.ValidationError(
                f"{taken[0]} is already used by another trust's sign-in. A domain belongs to "
                "one trust."
            )
        if not domains:
            raise forms.ValidationError("Enter at least one email domain.")
        return domains

    def clean_secret_env_var(self) -> str:
        name = str(self.cleaned_data["secret_env_var"]).strip()
        if not name:
            return ""
        if not crypto.ENV_NAME.match(name):
            raise forms.ValidationError(
                f"The name must start with {crypto.ENV_PREFIX} and use only capital letters, "
                "digits and underscores."
            )
        if not os.environ.get(name):
            raise forms.ValidationError(f"{name} is not set on this server.")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        secret, env_var = cleaned.get("client_secret"), cleaned.get("secret_env_var")
        if secret and env_var:
            self.add_error("secret_env_var", "Paste the secret or name a variable, not both.")
        elif not secret and not env_var and not (self.provider and self.provider.has_secret):
            self.add_error("client_secret", "Enter the client secret.")
        issuer = cleaned.get("issuer_url")
        if self.kind == ProviderKind.OIDC and issuer:
            try:
                cleaned["authorization_endpoint"] = endpoints.discover(issuer)[
                    "authorization_endpoint"
                ]
            except endpoints.DiscoveryError as error:
                self.add_error("issuer_url", str(error))
        return cleaned

    def values(self) -> dict[str, Any]:
        """The settings for services.provider_create / provider_update."""
        data = self.cleaned_data
        values = {
            "client_id": data["client_id"].strip(),
            "allowed_domains": data["allowed_domains"],
            "school": data["school"],
            "passwords_allowed": data["passwords"] == PASSWORDS_ALLOWED,
            "is_enabled": data["is_enabled"],
        }
        for name in ("display_name", "tenant_id", "issuer_url", "authorization_endpoint"):
            if name in data:
                values[name] = data[name]
        return values
