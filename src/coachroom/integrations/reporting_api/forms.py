from __future__ import annotations

from typing import Any

from django import forms

from coachroom.accounts.models import Trust, User
from coachroom.integrations.reporting_api.models import TRUST_SCOPES, Scope
from coachroom.integrations.reporting_api.services import EXPIRY_DAYS, MAX_ACTIVE, active_count

PERSONAL = "personal"


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What it is for, so you can tell your tokens apart: “Power BI completion”.",
    )
    reads = forms.ChoiceField(
        label="Whose figures it reads",
        widget=forms.RadioSelect,
        initial=PERSONAL,
    )
    scopes = forms.MultipleChoiceField(
        label="What it may read",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.REPORTING.value],
        help_text="Figures still follow your roles: a token never reads more than you can.",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        choices=[(days, f"{days} days") for days in EXPIRY_DAYS],
        coerce=int,
        initial=90,
    )

    def __init__(self, *args: Any, owner: User, trusts: list[Trust], **kwargs: Any) -> None:
        """Trust admins may also make a token for their trust's reporting."""
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.trusts = {str(trust.pk): trust for trust in trusts}
        field: Any = self.fields["reads"]
        if trusts:
            field.choices = [
                (PERSONAL, "Yours: it acts as you, with your roles in each of your schools"),
                *[
                    (pk, f"{trust.name}: counts and patterns across the trust's schools")
                    for pk, trust in self.trusts.items()
                ],
            ]
        else:
            del self.fields["reads"]

    def trust(self) -> Trust | None:
        return self.trusts.get(self.cleaned_data.get("reads") or PERSONAL)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if active_count(self.owner) >= MAX_ACTIVE:
            raise forms.ValidationError(
                f"You already have {MAX_ACTIVE} tokens. Revoke one you no longer use first."
            )
        trust_scopes = "scopes" not in data or set(data["scopes"]) <= TRUST_SCOPES
        if self.trust() is not None and not trust_scopes:
            self.add_error(
                "scopes",
                "A trust token reads counts and patterns, never anyone's coaching record: "
                "untick “Your own coaching timeline”.",
            )
        return data
