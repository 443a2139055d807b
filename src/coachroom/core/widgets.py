"""Form widgets written in Python where Django's templates cost too much."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class QuickSelect(forms.Select):
    """A `<select>` with the same markup as Django's, written without a template.

    The stock widget includes a template for every option (and another for its attributes), so
    a filter with forty subjects costs half a millisecond; this costs a microsecond an option.
    Option groups and multiple choices are not supported: use Django's widgets for those.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        if self.allow_multiple_selected:
            raise ValueError("QuickSelect writes single choices only: use forms.SelectMultiple")
        wanted = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                raise ValueError("QuickSelect does not write option groups: use forms.Select")
            text = "" if option_value is None else str(option_value)
            selected = text in wanted
            if selected:
                wanted = set()  # as in Django's Select: only the first match is selected
            options.append((text, " selected" if selected else "", label))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )
