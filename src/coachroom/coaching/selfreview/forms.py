"""The self-review form: one rating (and an optional time in the clip) for each "what it looks
like" point of the step, then the decision and, for refine or next, the step."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django import forms
from django.utils import timezone

from coachroom.coaching.forms import StepChoiceMixin
from coachroom.coaching.models import ActionStep, StepState
from coachroom.coaching.selfreview.models import Decision, PointRating
from coachroom.coaching.selfreview.services import Point, Review

_MM_SS = re.compile(r"^(\d{1,3}):([0-5]\d)$")


def seconds_from(text: str) -> int | None:
    """ "12:05" → 725; "" → None. Anything else is a ValidationError."""
    text = text.strip()
    if not text:
        return None
    found = _MM_SS.match(text)
    if not found:
        raise forms.ValidationError("Write the time as minutes:seconds, for example 4:05.")
    return int(found[1]) * 60 + int(found[2])


class SelfReviewForm(StepChoiceMixin):
    taught_on = forms.DateField(
        label="The lesson's date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Give the lesson's date.", "invalid": "Give a real date."},
    )
    clip = forms.TypedChoiceField(
        label="Your clip of the lesson", required=False, coerce=int, empty_value=None
    )
    noticed = forms.CharField(
        label="What I noticed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Describe pupils by role or seat, never by name.",
    )
    decision = forms.ChoiceField(
        label="What next for this step",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to keep going, refine or move on."},
    )
    shared_with_coach = forms.BooleanField(required=False)
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        *args: Any,
        step: ActionStep,
        library: Any,
        clips: list[tuple[int, str]],
        coach_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        self.set_library(library)
        self.fields["taught_on"].initial = timezone.localdate()
        self.fields["submission"].initial = uuid.uuid4().hex  # a double tap is one review
        self.fields["shared_with_coach"].label = f"Share this review with my coach, {coach_name}"
        self.fields[
            "shared_with_coach"
        ].help_text = (
            "Off unless you tick it; you can share or unshare it later. Nobody else ever reads it."
        )
        self.fields["library_step"].label = "From the step library"
        self.fields["new_title"].label = "Or write the step"
        clip_field = self.fields["clip"]
        if clips:
            clip_field.choices = [("", "No clip: I'm reviewing from memory"), *clips]  # type: ignore[attr-defined]
        else:
            del self.fields["clip"]
        if step.state == StepState.SECURED:  # a secured step is kept or followed, not refined
            self.fields["decision"].choices = [  # type: ignore[attr-defined]
                c for c in Decision.choices if c[0] != Decision.REFINE
            ]
        for number, criterion in enumerate(step.criteria, start=1):
            self.fields[f"rating_{number}"] = forms.ChoiceField(
                label=criterion,
                choices=PointRating.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Mark point {number}: seen, partly or not yet."},
            )
            self.fields[f"at_{number}"] = forms.CharField(
                label=f"Where in the clip (mm:ss) for point {number}",
                required=False,
                max_length=7,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
            )

    def point_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each point's rating and time, for the template to lay out side by side."""
        return [
            (self[f"rating_{n}"], self[f"at_{n}"]) for n in range(1, len(self.step.criteria) + 1)
        ]

    def clean_taught_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["taught_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                "Review a lesson you have taught: the date is in the future."
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for number in range(1, len(self.step.criteria) + 1):
            try:
                data[f"seconds_{number}"] = seconds_from(data.get(f"at_{number}") or "")
            except forms.ValidationError as error:
                self.add_error(f"at_{number}", error)
        decision = data.get("decision")
        if decision in (Decision.REFINE, Decision.NEXT):
            self.clean_step_choice(data)
            if decision == Decision.NEXT and data.get("library_step") is None:
                self.add_error("library_step", "Choose your next step from the library.")
        return data

    def review(self) -> Review:
        data = self.cleaned_data
        points = [
            Point(criterion, data[f"rating_{n}"], data.get(f"seconds_{n}"))
            for n, criterion in enumerate(self.step.criteria, start=1)
        ]
        moving = data["decision"] in (Decision.REFINE, Decision.NEXT)
        return Review(
            points=points,
            decision=data["decision"],
            noticed=data.get("noticed") or "",
            taught_on=data["taught_on"],
            shared_with_coach=bool(data.get("shared_with_coach")),
            next_step=self.step_draft() if moving else None,
            clip_id=data.get("clip"),
            submission=data.get("submission") or "",
        )
