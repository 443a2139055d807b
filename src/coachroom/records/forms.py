from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from coachroom.accounts.models import Membership, School
from coachroom.records.exports import TABLE_TITLES
from coachroom.reporting.completion import NAMED_TABLES, Filters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityExportForm(forms.Form):
    from_date = forms.DateField(label="From", required=False, widget=DATE)
    to_date = forms.DateField(label="To", required=False, widget=DATE)
    table = forms.ChoiceField(
        label="Table (CSV only)",
        choices=list(TABLE_TITLES.items()),
        required=False,
        help_text="A spreadsheet (XLSX) has every table, one per sheet.",
    )
    format = forms.ChoiceField(choices=[("xlsx", "XLSX"), ("csv", "CSV")], required=False)

    def __init__(
        self, *args: Any, default: tuple[dt.date, dt.date], named: bool = True, **kwargs: Any
    ) -> None:
        """Without `named` (senior leaders, school admins) the tables by coach and by coachee
        are not offered: they see the school's counts only."""
        super().__init__(*args, **kwargs)
        self.default = default
        self.fields["from_date"].initial, self.fields["to_date"].initial = default
        self.table_titles = {
            k: v for k, v in TABLE_TITLES.items() if named or k not in NAMED_TABLES
        }
        field = cast(forms.ChoiceField, self.fields["table"])
        field.choices = list(self.table_titles.items())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and start > end:
            self.add_error("to_date", "The end date must be on or after the start date.")
        return data

    def filters(self) -> Filters:
        start, end = self.default
        data = self.cleaned_data
        return Filters(
            start=data["from_date"] or start,
            end=data["to_date"] or max(end, data["from_date"] or end),
        )


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        m = cast(Membership, obj)
        left = "" if m.is_active else " – left"
        return f"{m.user.last_name}, {m.user.first_name} ({m.user.email}){left}"


class SubjectAccessForm(forms.Form):
    person = PersonChoiceField(
        label="Whose data?",
        queryset=Membership.objects.none(),
        empty_label="Choose a person",
        help_text="Everyone who is or was on this school's staff list.",
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(PersonChoiceField, self.fields["person"])
        field.queryset = (
            Membership.objects.for_school(school)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "pk")
        )


class SchoolExportForm(forms.Form):
    REASONS = [
        ("moving", "Moving the school's coaching records to another system"),
        ("dpo", "Requested by the data protection officer"),
        ("legal", "A legal or regulatory request"),
        ("other", "Another reason agreed with the data protection officer"),
    ]
    reason = forms.ChoiceField(
        label="Why is this export needed?", choices=REASONS, widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(
        label="I understand that this file holds teachers' coaching notes, and that the access "
        "history of everyone whose records are in it will show this export.",
        error_messages={"required": "Confirm that you understand what the file holds."},
    )


class RetentionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = School
        fields = ["retention_months"]
        help_texts = {
            "retention_months": "Between 1 and 120. The IRMS toolkit suggests 12 months for "
            "coaching notes. Counts of activity are always kept, without the notes."
        }


class ResearchExportForm(forms.Form):
    k = forms.IntegerField(
        label="k: the fewest teachers behind any combination of school, year and pair features",
        min_value=5,
        max_value=50,
        initial=5,
        help_text="5 or more. Rows in rarer combinations lose those values, or are left out.",
    )
