from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Observation, Rating
from coachroom.coaching.timeline import BATCH
from coachroom.library.models import LibraryStep

REHEARSAL_SLOTS = 4
AGREE_LATER, AGREED_IN_MEETING = "later", "meeting"
AGREEMENT_CHOICES = [
    (AGREE_LATER, "The teacher agrees on their own device after the meeting"),
    (
        AGREED_IN_MEETING,
        "The teacher agreed out loud in this meeting: record their agreement for them",
    ),
]
WRITTEN_FIELDS = ("went_well", "notes", "suggested_focus")
CRITERIA_HELP = "What the coach will look for, one point per line (two to four points)"


def https_url_fields(field: Any, **kwargs: Any) -> Any:
    """Links typed without a scheme are taken as https (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class DropInForm(forms.ModelForm):  # type: ignore[type-arg]
    """The drop-in: mobile first, every field optional except the step evidence on submit."""

    class Meta:
        model = Observation
        formfield_callback = https_url_fields
        fields = [
            "observed_at",
            "year_group",
            "subject",
            "class_set",
            "went_well",
            "notes",
            "suggested_focus",
            "video_url",
        ]
        widgets = {
            "observed_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "went_well": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "suggested_focus": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"video_url": "Video link"}  # the page marks optional fields itself

    # The version of the drop-in the page was made from (or last saved as): a submit from an
    # older copy is shown as a conflict instead of overwriting what was saved since.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, steps: list[ActionStep], submitting: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.steps = steps
        self.submitting = submitting
        chosen = self.instance.draft_ratings if self.instance.pk else {}
        observed_at = cast(forms.DateTimeField, self.fields["observed_at"])
        observed_at.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        for step in steps:
            label = (
                "Did it stick? What did you see?"
                if step.stick_check_is_due
                else "What did you see?"
            )
            self.fields[f"step_{step.pk}"] = forms.ChoiceField(
                label=label,
                choices=Rating.choices,
                widget=forms.RadioSelect,
                required=submitting,
                initial=chosen.get(str(step.pk)),
                error_messages={
                    "required": "Say whether you saw the step, even if there was no opportunity."
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        written = any((data.get(name) or "").strip() for name in WRITTEN_FIELDS)
        if self.submitting and not self.steps and not written:
            # With no step to look for, words are the drop-in's only record: without them it
            # would count as held with nothing in it.
            self.add_error(
                "went_well",
                "Write what you saw, in “What went well” or “Notes”: a drop-in with no step "
                "and no notes can't be saved.",
            )
        return data

    def ratings(self) -> dict[int, str]:
        return {step.pk: self.cleaned_data[f"step_{step.pk}"] for step in self.steps}

    def observation_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def typed_so_far(self, posted: Any) -> dict[str, Any]:
        """What may be kept of a form that is not (yet) valid: each posted field that cleaned,
        and the ratings chosen so far (`ratings` for `observation_autosave`). Call after
        `is_valid()`."""
        kept: dict[str, Any] = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data and name in posted
        }
        kept["ratings"] = {
            step.pk: self.cleaned_data.get(f"step_{step.pk}") or ""
            for step in self.steps
            if f"step_{step.pk}" in posted
        }
        return kept

    @property
    def step_fields(self) -> list[tuple[ActionStep, forms.BoundField]]:
        return [(step, self[f"step_{step.pk}"]) for step in self.steps]


class StepChoiceMixin(forms.Form):
    library_step = forms.ModelChoiceField(
        queryset=LibraryStep.objects.none(),
        required=False,
        label="From the step library",
        empty_label="Choose a library step…",
    )
    new_title = forms.CharField(
        label="Or write the step",
        required=False,
        max_length=160,
        help_text="One visible teacher move, for example “Pause and scan before the key point”",
    )
    new_criteria = forms.CharField(
        label="What it looks like",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=CRITERIA_HELP,
    )

    def set_library(self, queryset: Any) -> None:
        cast(forms.ModelChoiceField, self.fields["library_step"]).queryset = queryset  # type: ignore[type-arg]

    def clean_step_choice(self, data: dict[str, Any]) -> None:
        library: LibraryStep | None = data.get("library_step")
        title = (data.get("new_title") or "").strip()
        criteria = (data.get("new_criteria") or "").strip()
        if library is None and not title:
            self.add_error("new_title", "Choose a library step or write the step.")
            return
        if title and not criteria and library is None:
            self.add_error("new_criteria", "Say what the step looks like when it is done well.")
        lines = [line for line in criteria.splitlines() if line.strip()]
        if criteria and not 1 <= len(lines) <= 6:
            self.add_error("new_criteria", "Keep it to between one and six points.")

    def step_draft(self) -> Any:
        from coachroom.coaching.services import StepDraft

        library: LibraryStep | None = self.cleaned_data.get("library_step")
        title = (self.cleaned_data.get("new_title") or "").strip()
        criteria = (self.cleaned_data.get("new_criteria") or "").strip()
        if library is not None:
            return StepDraft(
                title=title or library.title,
                criteria=criteria or library.looks_like,
                library_step=library,
            )
        return StepDraft(title=title, criteria=criteria)


class MeetingForm(StepChoiceMixin):
    # Error messages name their field: the error summary lists them out of context.
    praise = forms.CharField(
        label="Precise praise",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the teacher did well, specifically enough to repeat",
        error_messages={
            "required": "Write what the teacher did well, specifically enough to repeat."
        },
    )
    step_review = forms.CharField(
        label="How the current step went",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    decision = forms.ChoiceField(
        label="The step from here",
        choices=FeedbackMeeting.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to keep, refine or replace the step."},
    )
    teacher_proposed = forms.BooleanField(label="The teacher proposed this step", required=False)
    teacher_agreement = forms.ChoiceField(
        label="The teacher's agreement",
        required=False,
        choices=AGREEMENT_CHOICES,
        initial=AGREE_LATER,
        widget=forms.RadioSelect,
        help_text="Agreeing is always the teacher's act, even for a step they proposed.",
    )
    modelling = forms.CharField(
        label="How you modelled it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan = forms.CharField(
        label="The plan: which lesson, and what exactly",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_drop_in = forms.DateField(
        label="Next drop-in",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="We suggest the first free time within seven school days",
    )
    next_drop_in_time = forms.TimeField(
        label="Time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Booked into both your calendars, checked for clashes",
    )
    use_option = forms.ChoiceField(
        label="Find a free time", required=False, widget=forms.RadioSelect, choices=[]
    )
    clash_override = forms.BooleanField(label="Book it anyway, despite the clashes", required=False)
    clash_override_reason = forms.CharField(
        label="Why it must be this time",
        max_length=200,
        required=False,
        help_text="Kept with the session and in the audit log. No notes about people.",
    )
    observations = forms.ModelMultipleChoiceField(
        queryset=Observation.objects.none(),
        required=False,
        label="Drop-ins this meeting follows",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        relationship: CoachingRelationship,
        has_current_step: bool,
        library: Callable[[], QuerySet[LibraryStep]],
        recent_drop_ins: Callable[[], QuerySet[Observation]],
        latest_drop_ins: list[Observation],
        **kwargs: Any,
    ) -> None:
        """`library`: the steps the school may choose; `recent_drop_ins`: the pair's submitted
        drop-ins as the coach may see them; `latest_drop_ins`: the newest few of those, the
        ones the meeting may follow. The choices shown come from that list; the querysets,
        asked for only when there is something to check, validate what was posted."""
        super().__init__(*args, **kwargs)
        self.has_current_step = has_current_step
        obs_field = cast(forms.ModelMultipleChoiceField, self.fields["observations"])  # type: ignore[type-arg]
        if self.is_bound:
            self.set_library(library())
            latest = [o.pk for o in latest_drop_ins]
            obs_field.queryset = recent_drop_ins().filter(pk__in=latest)
        obs_field.widget.choices = [(o.pk, str(o)) for o in latest_drop_ins]
        if not has_current_step:
            cast(forms.ChoiceField, self.fields["decision"]).choices = [
                (FeedbackMeeting.Decision.NEW, FeedbackMeeting.Decision.NEW.label)
            ]
            self.fields["decision"].initial = FeedbackMeeting.Decision.NEW
        else:
            self.fields["decision"].initial = FeedbackMeeting.Decision.CONTINUE
        for n in range(1, REHEARSAL_SLOTS + 1):
            self.fields[f"round_{n}_attempt"] = forms.CharField(
                label=f"Round {n}: what was tried",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"round_{n}_feedback"] = forms.CharField(
                label=f"Round {n}: feedback",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean_next_drop_in(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("next_drop_in")
        if day and day < timezone.localdate():
            raise forms.ValidationError("The next drop-in can't be in the past.")
        return day

    def clean_next_drop_in_parts(self, data: dict[str, Any]) -> None:
        if data.get("next_drop_in_time") and not data.get("next_drop_in"):
            self.add_error("next_drop_in", "Give a day for the next drop-in, or clear the time.")
        if data.get("clash_override") and not (data.get("clash_override_reason") or "").strip():
            self.add_error("clash_override_reason", "Say why it must be this time.")

    def override_reason(self) -> str:
        data = self.cleaned_data
        return str(data.get("clash_override_reason") or "") if data.get("clash_override") else ""

    def offer(self, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields["use_option"]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") in (FeedbackMeeting.Decision.NEW, FeedbackMeeting.Decision.REFINE):
            self.clean_step_choice(data)
        self.clean_next_drop_in_parts(data)
        for n in range(1, REHEARSAL_SLOTS + 1):
            attempt = (data.get(f"round_{n}_attempt") or "").strip()
            feedback = (data.get(f"round_{n}_feedback") or "").strip()
            if feedback and not attempt:
                self.add_error(f"round_{n}_attempt", f"Say what was tried in round {n}.")
        if not self.rounds() and not self.has_error("round_1_attempt"):
            self.add_error(
                "round_1_attempt",
                "Add at least one rehearsal round: practising out loud is how a step sticks.",
            )
        return data

    @property
    def teacher_agreed_in_meeting(self) -> bool:
        return self.cleaned_data.get("teacher_agreement") == AGREED_IN_MEETING

    def rounds(self) -> list[tuple[str, str]]:
        data = getattr(self, "cleaned_data", {})
        found = []
        for n in range(1, REHEARSAL_SLOTS + 1):
            attempt = (data.get(f"round_{n}_attempt") or "").strip()
            if attempt:
                found.append((attempt, (data.get(f"round_{n}_feedback") or "").strip()))
        return found

    @property
    def round_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"round_{n}_attempt"], self[f"round_{n}_feedback"])
            for n in range(1, REHEARSAL_SLOTS + 1)
        ]


class CounterProposalForm(StepChoiceMixin):
    def __init__(self, *args: Any, library: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_library(library)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.clean_step_choice(data)
        return data


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label="Your reflection",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How did the meeting go? What will you try, and where?",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, required: bool = True, hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.fields["reason"].help_text = hint


class YearQuery(forms.Form):
    """The query string's ?year=; anything else shows the default."""

    year = forms.IntegerField(min_value=1, required=False, initial=None)


class TimelineQuery(YearQuery):
    """The timeline's ?year= and ?shown= (how many entries, newest first: "Show earlier
    entries" asks for a batch more; a number beyond the page's most shows the most)."""

    shown = forms.IntegerField(min_value=1, required=False, initial=BATCH)
