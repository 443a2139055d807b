"""Form rendering (one field template and one form template, in the GOV.UK error style), and
the small forms every query-string input goes through."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django import forms
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict
from django.utils.formats import localize
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

FIELD_TEMPLATE = "components/field.html"
_WIDGETS = "django/forms/widgets/"
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
    )
)
_OPTION_INPUTS = frozenset({f"{_WIDGETS}radio_option.html", f"{_WIDGETS}checkbox_option.html"})


def _text(value: Any) -> str:
    """`{{ value }}`: localised, then escaped unless already safe (`html.escape` is what
    Django's `escape` does, without its lazy-string wrapper)."""
    if type(value) is str:
        return html.escape(value)
    value = localize(template_localtime(value))
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (and the templates that only include it)."""
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'
    )


def _input_option(option: dict[str, Any]) -> str:
    """django/forms/widgets/radio_option.html and checkbox_option.html."""
    if not option["wrap_label"]:
        return _input(option) + "\n"
    option_id = option["attrs"].get("id")
    label_for = f' for="{_text(option_id)}"' if option_id else ""
    return f"<label{label_for}>{_input(option)} {_text(option['label'])}</label>\n\n"


def _multiple_input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/multiple_input.html: radio buttons and checkboxes."""
    attrs = widget["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_text(attrs["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            if option["template_name"] not in _OPTION_INPUTS:
                raise _Unknown
            out.append(f"<div>\n    {_input_option(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n")
    return "".join(out)


def _select(widget: dict[str, Any]) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f'\n  <optgroup label="{_text(group)}">')
        for option in options:
            if option["template_name"] != f"{_WIDGETS}select_option.html":
                raise _Unknown
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _field(field: BoundField) -> str:
    """components/field.html: the label (or legend), hint, errors and widget, GOV.UK style."""
    widget_type = field.widget_type
    errors = field.errors
    auto_id = _text(field.auto_id)
    label = _text(field.label)
    hint = (
        f'<p class="hint" id="{auto_id}_helptext">{_text(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    messages = "".join(
        f'<p class="error-message" id="{auto_id}_error"><span class="visually-hidden">Error:'
        f"</span> {_text(error)}</p>"
        for error in errors
    )
    optional = "" if field.field.required else ' <span class="optional">(optional)</span>'
    error_class = " field--error" if errors else ""
    out = f'<div class="field{error_class} field--{_text(widget_type)}">\n'
    if field.use_fieldset:
        described = f' aria-describedby="{auto_id}_helptext"' if field.help_text else ""
        out += (
            f"<fieldset{described}>\n  <legend>{label}{optional}</legend>\n  {hint}\n"
            f"  {messages}\n  {field}\n</fieldset>\n"
        )
    elif widget_type == "checkbox":
        out += (
            f'\n  {messages}\n  <div class="checkbox">{field} <label for='
            f'"{_text(field.id_for_label)}">{label}</label></div>\n  {hint}\n'
        )
    else:
        out += (
            f'\n  <label for="{_text(field.id_for_label)}">{label}{optional}</label>\n'
            f"  {hint}\n  {messages}\n  {field}\n"
        )
    return out + "\n</div>\n"


class _Unknown(Exception):
    """A widget this module does not draw: its template draws it."""


_WIDGET_DRAWERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **dict.fromkeys(_INPUTS, _input),
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}radio.html": _multiple_input,
    f"{_WIDGETS}checkbox_select.html": _multiple_input,
    f"{_WIDGETS}select.html": _select,
}


class CoachroomFormRenderer(TemplatesSetting):
    """Renders forms with components/form.html and components/field.html.

    The field template and Django's common widget templates are slow to render (a radio group
    includes four templates per option), so this renderer draws them in Python instead: the
    same markup, byte for byte (tests/core/test_form_renderer.py renders both ways and compares).
    Anything else, including a field with its own `template_name`, goes to its template.
    """

    form_template_name = "components/form.html"
    field_template_name = FIELD_TEMPLATE

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        try:
            if template_name == FIELD_TEMPLATE and request is None:
                return _field(context["field"]).strip()
            drawer = _WIDGET_DRAWERS.get(template_name)
            if drawer is not None and request is None:
                return drawer(context["widget"]).strip()
        except _Unknown:
            pass
        return super().render(template_name, context, request)


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
