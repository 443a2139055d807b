"""Forms for learning walks, reviews of coaching and thanks. Nothing here is a grade."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.coaching.forms import CRITERIA_HELP, StepChoiceMixin
from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.leading.models import CoachingReview, SightingResult
from coachroom.leading.walks import MEETING_RUBRIC, MESSAGE_MAX, RUBRIC_RATINGS, RubricItem
from coachroom.library.models import Strand

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE_MAX = 500
WHAT_SEEN_MAX = 1000


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return cast(User, obj).full_name


class WalkPlanForm(forms.Form):
    walked_on = forms.DateField(label="Date of the walk", widget=DATE_INPUT)
    strand = forms.ModelChoiceField(
        label="Focus from the step library",
        queryset=Strand.objects.order_by("order", "name"),
        required=False,
        empty_label="Choose a strand…",
    )
    focus = forms.CharField(
        label="Or describe the focus",
        max_length=200,
        required=False,
        help_text="For example “pupils start work within two minutes of arriving”",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("strand") and not (data.get("focus") or "").strip():
            self.add_error("focus", "Choose a strand or describe the focus.")
        return data


class WalkTeacherForm(forms.Form):
    """The first step of recording a visit: whose classroom. Read from the query string."""

    teacher = PersonChoiceField(
        label="Whose classroom?", queryset=User.objects.none(), empty_label="Choose a teacher…"
    )

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["teacher"]).queryset = teachers  # type: ignore[type-arg]


class WalkVisitForm(forms.Form):
    focus_seen = forms.ChoiceField(
        label="Was the walk's focus seen?",
        choices=SightingResult.choices,
        widget=forms.RadioSelect,
    )
    what_seen = forms.CharField(
        label="What you saw of the focus",
        max_length=WHAT_SEEN_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Describe the practice, not the person. Describe pupils by role, never by name.",
    )
    note = forms.CharField(
        label="A short note for the teacher",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"The teacher reads this, and everything else here. Up to {NOTE_MAX} characters.",
    )

    def __init__(self, *args: Any, steps: list[ActionStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = steps
        for step in steps:
            secured = step.state == "secured"
            self.fields[f"step_{step.pk}"] = forms.ChoiceField(
                label="Still there?" if secured else "Did you see it?",
                choices=SightingResult.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Say seen, not seen or no opportunity."},
            )

    @property
    def step_fields(self) -> list[tuple[ActionStep, forms.BoundField]]:
        return [(step, self[f"step_{step.pk}"]) for step in self.steps]

    def sightings(self) -> dict[int, str]:
        return {step.pk: self.cleaned_data[f"step_{step.pk}"] for step in self.steps}


class ReviewAssignForm(forms.Form):
    coach = PersonChoiceField(
        label="Whose coaching?", queryset=User.objects.none(), empty_label="Choose a coach…"
    )
    reviewer = PersonChoiceField(
        label="Who reviews it?",
        queryset=User.objects.none(),
        empty_label=None,
        help_text="You, or a coach you ask to coach this coach",
    )

    def __init__(
        self, *args: Any, coaches: QuerySet[User], reviewers: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["coach"]).queryset = coaches  # type: ignore[type-arg]
        cast(forms.ModelChoiceField, self.fields["reviewer"]).queryset = reviewers  # type: ignore[type-arg]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        coach, reviewer = data.get("coach"), data.get("reviewer")
        if coach is not None and coach == reviewer:
            self.add_error("reviewer", "Choose someone other than the coach being reviewed.")
        return data


class MeetingChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        meeting = cast(FeedbackMeeting, obj)
        held = timezone.localtime(meeting.held_at)
        return f"{held:%a %-d %b %Y}, with {meeting.teacher.full_name}"


class ReviewForm(StepChoiceMixin):
    held_on = forms.DateField(label="Date of the review", widget=DATE_INPUT)
    mode = forms.ChoiceField(
        label="How did you see the meeting?",
        choices=CoachingReview.Mode.choices,
        widget=forms.RadioSelect,
    )
    meeting = MeetingChoiceField(
        label="Which meeting",
        queryset=FeedbackMeeting.objects.none(),
        required=False,
        empty_label="A meeting I attended (no record chosen)",
        help_text="Meetings the coach submitted for review, so the teacher knows",
    )
    notes = forms.CharField(
        label="Notes for the coach",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Precise praise first, then the one thing that would help most",
    )

    def __init__(
        self,
        *args: Any,
        meetings: QuerySet[FeedbackMeeting],
        current_step: ActionStep | None,
        library: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current_step = current_step
        self.set_library(library)
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = meetings  # type: ignore[type-arg]
        self.fields["new_criteria"].help_text = CRITERIA_HELP.replace("the coach", "you")
        self.fields["held_on"].initial = timezone.localdate()
        if current_step is not None:
            self.fields[
                "new_title"
            ].help_text = f"Leave blank to keep working on “{current_step.title}”"
        for item in MEETING_RUBRIC:
            self.fields[f"rubric_{item.key}"] = forms.ChoiceField(
                label=item.label,
                help_text=item.hint,
                choices=[(r.value, r.label) for r in RUBRIC_RATINGS],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose seen, partly or not yet."},
            )

    def clean_held_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The review can't be in the future.")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == CoachingReview.Mode.RECORD and not data.get("meeting"):
            self.add_error("meeting", "Choose the meeting whose record you reviewed.")
        wants_new = data.get("library_step") or (data.get("new_title") or "").strip()
        if self.current_step is None or wants_new:
            self.clean_step_choice(data)
        return data

    @property
    def rubric_fields(self) -> list[tuple[RubricItem, forms.BoundField]]:
        return [(item, self[f"rubric_{item.key}"]) for item in MEETING_RUBRIC]

    def ratings(self) -> dict[str, str]:
        return {item.key: self.cleaned_data[f"rubric_{item.key}"] for item in MEETING_RUBRIC}

    def new_step(self) -> Any:
        data = self.cleaned_data
        if data.get("library_step") or (data.get("new_title") or "").strip():
            return self.step_draft()
        return None


class ReviewSharingForm(forms.Form):
    share = forms.BooleanField(required=False)


class CoachChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        pair = cast(CoachingRelationship, obj)
        return f"{pair.coach.full_name} ({pair.get_kind_display().lower()})"


class ThanksForm(forms.Form):
    relationship = CoachChoiceField(
        label="Which coach?", queryset=CoachingRelationship.objects.none(), empty_label=None
    )
    message = forms.CharField(
        label="A message",
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Only your coach reads it. Up to {MESSAGE_MAX} characters.",
    )

    def __init__(self, *args: Any, pairs: QuerySet[CoachingRelationship], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["relationship"]).queryset = pairs  # type: ignore[type-arg]


class MeetingQuery(forms.Form):
    """The query string's ?meeting=; anything else shows the default."""

    meeting = forms.IntegerField(min_value=1, required=False, initial=None)
