"""Form rendering (one field template and one form template, in the GOV.UK error style), and
the small forms every query-string input goes through."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict


class CoachroomFormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


def read_query(form_class: type[forms.Form], query: QueryDict) -> dict[str, Any]:
    """The form's cleaned values; a missing or invalid value becomes the field's `initial`, so a
    mistyped or tampered link shows the default page, never an error."""
    form = form_class(query)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    return {
        name: cleaned[name] if cleaned.get(name) not in (None, "") else field.initial
        for name, field in form.fields.items()
    }


class PageQuery(forms.Form):
    page = forms.IntegerField(min_value=1, required=False, initial=1)


class FormatQuery(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV")], required=False, initial="")
