"""The review form (the tutor's part) and the ECT's comments."""

from __future__ import annotations

from typing import Any

from django import forms

from coachroom.induction.models import InductionReview, ReviewOutcome, Section

STANDARDS = [(s.value, f"{s.value}. {s.label}") for s in Section]


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Against the Teachers' Standards, is the ECT",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
    )
    standards_of_concern = forms.TypedMultipleChoiceField(
        label="Standards not on track",
        choices=STANDARDS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only when not on track.",
    )
    evidence = forms.CharField(
        label="Evidence summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        help_text="What the evidence shows against the Teachers' Standards. No pupil names.",
    )
    targets = forms.CharField(
        label="Development targets",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("outcome") == ReviewOutcome.NOT_ON_TRACK and not cleaned.get(
            "standards_of_concern"
        ):
            self.add_error("standards_of_concern", "Choose the standards that are not on track.")
        return cleaned

    @classmethod
    def initial_for(cls, review: InductionReview) -> dict[str, Any]:
        return {
            "outcome": review.outcome,
            "standards_of_concern": review.standards_of_concern,
            "evidence": review.evidence,
            "targets": review.targets,
        }


class EctSignForm(forms.Form):
    comments = forms.CharField(
        label="Your comments",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )
