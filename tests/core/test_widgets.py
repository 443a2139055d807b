"""QuickSelect writes the same <select> as Django's template-rendered widget."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from coachroom.core.widgets import QuickSelect

CHOICES = [
    ("", "Any subject"),
    ("Art & Design", "Art & Design"),
    ("RE", "RE <religious education>"),
    (3, "Three"),
    ("Art & Design", "The same value twice"),
]


def pair(**field_options) -> tuple[forms.Form, forms.Form]:
    class Stock(forms.Form):
        subject = forms.ChoiceField(choices=CHOICES, **field_options)

    class Quick(forms.Form):
        subject = forms.ChoiceField(choices=CHOICES, widget=QuickSelect, **field_options)

    return Stock, Quick


@pytest.mark.parametrize("data", [None, {}, {"subject": "Art & Design"}, {"subject": "3"}])
@pytest.mark.parametrize("required", [True, False])
def test_quick_select_writes_what_django_writes(data, required):
    stock, quick = pair(required=required)
    stock_html = str(stock(data)["subject"])
    quick_html = str(quick(data)["subject"])
    assert parse_html(quick_html) == parse_html(stock_html)
    assert quick_html.count(" selected") == stock_html.count(" selected")


def test_quick_select_escapes_values_and_labels():
    _, quick = pair(required=False)
    html = str(quick({"subject": "RE"})["subject"])
    assert '<option value="Art &amp; Design">Art &amp; Design</option>' in html
    assert '<option value="RE" selected>RE &lt;religious education&gt;</option>' in html


def test_quick_select_refuses_option_groups():
    widget = QuickSelect(choices=[("Group", [("a", "A")])])
    with pytest.raises(ValueError, match="option groups"):
        widget.render("x", None)
