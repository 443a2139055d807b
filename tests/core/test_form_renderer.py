"""The form renderer draws fields and common widgets in Python: the markup must be exactly what
components/field.html and Django's widget templates give, for every widget, value, error, hint
and choice the app uses (and the awkward ones: quotes, ampersands, safe strings, groups)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from coachroom.coaching.forms import (
    CounterProposalForm,
    DropInForm,
    MeetingForm,
    ReasonForm,
    ReflectionForm,
)
from coachroom.coaching.models import Observation, Rating
from coachroom.core.forms import CoachroomFormRenderer
from coachroom.library.models import LibraryStep


class TemplatesOnly(CoachroomFormRenderer):
    """The same renderer drawing everything with its templates: the reference."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        return TemplatesSetting.render(self, template_name, context, request)


GROUPED = [
    ("Fruit & veg", [("apple", "Apple <red>"), ("pear", "Pear")]),
    ("Other", [("1", mark_safe("<em>Safe</em> one")), ("2", 'Says "hi"')]),
    ("", "No group"),
]


class EveryWidget(forms.Form):
    text = forms.CharField(label='Name "quoted" & <b>', help_text="Hint & <more>", max_length=20)
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "wide"}))
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Lines")
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    when = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    link = forms.URLField(required=False, assume_scheme="https")
    email = forms.EmailField(required=False)
    number = forms.IntegerField(required=False, min_value=1)
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    tick = forms.BooleanField(required=False, label="Tick <me>", help_text="Why & how")
    must_tick = forms.BooleanField(label="Agree")
    choose = forms.ChoiceField(choices=GROUPED, help_text="One")
    pick = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect, help_text="Say")
    grouped = forms.ChoiceField(choices=GROUPED, widget=forms.RadioSelect, required=False)
    many = forms.MultipleChoiceField(
        choices=Rating.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    frozen = forms.CharField(required=False, disabled=True, initial="Can't <change>")


def _fields(form: forms.BaseForm) -> list[str]:
    return [form[name].as_field_group() for name in form.fields] + [str(form)]


def _both(make: Any) -> tuple[list[str], list[str]]:
    fast = _fields(make(CoachroomFormRenderer()))
    slow = _fields(make(TemplatesOnly()))
    return fast, slow


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {
            "text": 'O\'Brien & "Sons" <x>',
            "area": "Line one\nLine <two> & three",
            "day": "2026-13-40",
            "when": "2026-10-05T09:30",
            "time": "25:00",
            "link": "example.org/a?b=1&c=2",
            "email": "not an email",
            "number": "0",
            "secret": "s3cret",
            "hidden": "<h>",
            "tick": "on",
            "choose": "pear",
            "pick": "partly",
            "grouped": "1",
            "many": ["seen", "not_yet"],
        },
    ],
    ids=["unbound", "empty", "filled-with-errors"],
)
def test_every_widget_draws_as_its_template_does(data):
    def make(renderer):
        form = EveryWidget(data, renderer=renderer, initial={"day": dt.date(2026, 10, 5)})
        form.is_valid()
        return form

    fast, slow = _both(make)
    assert fast == slow


def test_the_app_forms_draw_as_their_templates_do(pairing, bob):
    steps: list[Any] = []
    observation = Observation(
        school=pairing.school, relationship=pairing, teacher=pairing.coachee, observer=bob
    )

    def drop_in(renderer):
        form = DropInForm(
            {"went_well": "<Calm> & quick"},
            instance=observation,
            steps=steps,
            submitting=True,
            renderer=renderer,
        )
        form.is_valid()
        return form

    def meeting(renderer):
        form = MeetingForm(
            {"praise": "", "round_1_feedback": "Again"},
            relationship=pairing,
            has_current_step=True,
            library=LibraryStep.objects.all,
            recent_drop_ins=Observation.objects.none,
            latest_drop_ins=[],
            renderer=renderer,
        )
        form.offer([("2026-10-05T09:00", "Monday 5 October, 09:00")])
        form.is_valid()
        return form

    def others(renderer):
        return [
            CounterProposalForm({}, library=LibraryStep.objects.none(), renderer=renderer),
            ReflectionForm({"reflection": ""}, renderer=renderer),
            ReasonForm(renderer=renderer, hint="Why <now>?"),
        ]

    for make in (drop_in, meeting):
        fast, slow = _both(make)
        assert fast == slow
    for fast_form, slow_form in zip(
        others(CoachroomFormRenderer()), others(TemplatesOnly()), strict=True
    ):
        fast_form.is_valid()
        slow_form.is_valid()
        assert _fields(fast_form) == _fields(slow_form)


def test_a_widget_it_does_not_know_goes_to_its_template():
    class Upload(forms.Form):
        file = forms.FileField(required=False, widget=forms.ClearableFileInput)
        split = forms.SplitDateTimeField(required=False)

    fast = _fields(Upload(renderer=CoachroomFormRenderer()))
    slow = _fields(Upload(renderer=TemplatesOnly()))
    assert fast == slow
    assert 'type="file"' in fast[0]


def test_fields_and_common_widgets_render_without_templates(monkeypatch):
    used: list[str] = []
    render = TemplatesSetting.render

    def spy(self: Any, template_name: str, context: Any, request: Any = None) -> str:
        used.append(template_name)
        return render(self, template_name, context, request)

    monkeypatch.setattr(TemplatesSetting, "render", spy)
    form = EveryWidget({"text": "x"}, renderer=CoachroomFormRenderer())
    form.is_valid()
    for name in form.fields:
        form[name].as_field_group()
    assert used == []
