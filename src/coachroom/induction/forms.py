"""Adding and removing framework tags."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from coachroom.induction.framework_file import NUMBER, NUMBER_MAX
from coachroom.induction.models import FrameworkStatement, FrameworkTag, Section


class TagForm(forms.Form):
    section = forms.TypedChoiceField(
        label="Framework section",
        choices=[("", "Choose a section")] + [(s.value, f"{s.value}. {s.label}") for s in Section],
        coerce=int,
    )
    statement = forms.CharField(
        label="Statement number",
        required=False,
        max_length=NUMBER_MAX,
        help_text="For example 2.3. Leave it empty to tag the whole section.",
        widget=forms.TextInput(attrs={"list": "framework-statements", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        section = cleaned.get("section")
        statement = (cleaned.get("statement") or "").strip()
        cleaned["statement"] = statement
        if section is None or not statement:
            return cleaned
        if not NUMBER.match(statement):
            self.add_error("statement", "Use digits and letters with dots, for example 2.3.")
            return cleaned
        prefix = statement.split(".", 1)[0]
        if "." in statement and prefix.isdigit() and int(prefix) != section:
            self.add_error("statement", f"{statement} is in section {int(prefix)}, not {section}.")
            return cleaned
        loaded = FrameworkStatement.objects.filter(section=section)
        if loaded.exists() and not loaded.filter(number=statement).exists():
            self.add_error(
                "statement",
                f"Section {section} has no statement {statement} in the framework your school "
                "loaded.",
            )
        return cleaned


class RemoveTagForm(forms.Form):
    remove = forms.ModelChoiceField(queryset=FrameworkTag.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, tags: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["remove"])  # type: ignore[type-arg]
        field.queryset = tags
