from __future__ import annotations

from typing import Any

from django import forms

from coachroom.accounts.models import School
from coachroom.integrations.provisioning.services import NAME_MAX, name_taken


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text=(
            "What the token is for, so that you can tell tokens apart later: "
            "for example “Microsoft Entra ID”."
        ),
        error_messages={"required": "Give the token a name, for example “Microsoft Entra ID”."},
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if name_taken(self.school, name):
            raise forms.ValidationError(
                f"There is already a token called “{name}”. Choose another name, or revoke that "
                "token first."
            )
        return name
