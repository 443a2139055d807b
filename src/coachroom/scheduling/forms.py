from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.scheduling.models import ScheduledSlot, SessionKind, SessionOccurrence, Weekday

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ClashOverrideForm(forms.Form):
    """Fields shown beside a list of clashes: take a free time, or go ahead with a reason."""

    use_option = forms.ChoiceField(
        label="Find a free time", required=False, widget=forms.RadioSelect, choices=[]
    )
    clash_override = forms.BooleanField(
        label="Go ahead anyway, despite the clashes", required=False
    )
    clash_override_reason = forms.CharField(
        label="Why it must be this time",
        max_length=200,
        required=False,
        help_text="Kept with the booking and in the audit log. No notes about people.",
    )
    override_fields = ("use_option", "clash_override", "clash_override_reason")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("clash_override") and not (data.get("clash_override_reason") or "").strip():
            self.add_error("clash_override_reason", "Say why it must be this time.")
        return data

    def override_reason(self) -> str:
        data = self.cleaned_data
        return str(data.get("clash_override_reason") or "") if data.get("clash_override") else ""

    def main_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in self.override_fields]

    def offer(self, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields["use_option"]).choices = choices


class SlotFieldsForm(ClashOverrideForm):
    kind = forms.ChoiceField(choices=SessionKind.choices, widget=forms.RadioSelect)
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    start_time = forms.TimeField(label="Start time", widget=TIME)
    minutes = forms.IntegerField(
        label="Length in minutes",
        required=False,
        min_value=5,
        max_value=120,
        help_text="Blank: 15 for a drop-in, 30 for a meeting",
    )
    cadence = forms.ChoiceField(
        choices=[("", "The pair's rhythm"), *ScheduledSlot.Cadence.choices],
        required=False,
        label="How often",
    )
    period = forms.CharField(max_length=30, required=False, help_text="For example Period 3")
    room = forms.CharField(max_length=60, required=False)
    starts_on = forms.DateField(label="From", widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()

    def slot_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "weekday": data["weekday"],
            "start_time": data["start_time"],
            "minutes": data["minutes"],
            "cadence": data["cadence"] or None,
            "period": data["period"],
            "room": data["room"],
            "starts_on": data["starts_on"],
        }


class PairChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: CoachingRelationship) -> str:
        return f"{obj.coach.full_name} → {obj.coachee.full_name}"


class TeamSlotForm(SlotFieldsForm):
    pairs = PairChoiceField(
        queryset=CoachingRelationship.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Coaching pairs",
        error_messages={"required": "Choose at least one coaching pair."},
    )
    field_order = ["pairs"]

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["pairs"])  # type: ignore[type-arg]
        field.queryset = (
            CoachingRelationship.objects.for_school(school)
            .current()
            .select_related("coach", "coachee")
            .order_by("coach__last_name", "coachee__last_name")
        )


class MoveSeriesForm(ClashOverrideForm):
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    start_time = forms.TimeField(label="Start time", widget=TIME)
    minutes = forms.IntegerField(label="Length in minutes", min_value=5, max_value=120)
    period = forms.CharField(max_length=30, required=False)
    room = forms.CharField(max_length=60, required=False)
    from_date = forms.DateField(
        label="Move sessions from", widget=DATE, help_text="Earlier sessions keep their times"
    )


class MissedForm(ClashOverrideForm):
    reason = forms.ChoiceField(
        choices=SessionOccurrence.Reason.choices, widget=forms.RadioSelect, label="Why not?"
    )
    note = forms.CharField(
        max_length=200, required=False, help_text="Needed for “Other”. No notes about people."
    )
    reschedule_on = forms.DateField(
        label="Book it again on", required=False, widget=DATE, help_text="Leave blank to skip"
    )
    reschedule_at = forms.TimeField(label="At", required=False, widget=TIME)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == SessionOccurrence.Reason.OTHER and not data.get("note"):
            self.add_error("note", "Add a short note when the reason is “Other”.")
        if bool(data.get("reschedule_on")) != bool(data.get("reschedule_at")):
            self.add_error("reschedule_at", "Give both a day and a time to book it again.")
        day = data.get("reschedule_on")
        if day and day < timezone.localdate():
            self.add_error("reschedule_on", "Choose today or a later day.")
        return data

    def reschedule_to(self) -> dt.datetime | None:
        day, time = self.cleaned_data.get("reschedule_on"), self.cleaned_data.get("reschedule_at")
        if day and time:
            return timezone.make_aware(dt.datetime.combine(day, time))
        return None


class RescheduleForm(ClashOverrideForm):
    on = forms.DateField(label="New day", widget=DATE)
    at = forms.TimeField(label="New time", widget=TIME)
    room = forms.CharField(max_length=60, required=False)

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        if day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return day

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["on"], self.cleaned_data["at"])
        )


class CoverForm(ClashOverrideForm):
    coach = forms.ModelChoiceField(queryset=User.objects.none(), label="Covering coach")

    def __init__(self, *args: Any, session: SessionOccurrence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coaches = Membership.objects.active().for_school(session.school).filter(is_coach=True)
        field = cast(forms.ModelChoiceField, self.fields["coach"])  # type: ignore[type-arg]
        field.queryset = (
            User.objects.filter(memberships__in=coaches)
            .exclude(pk=session.coach_id)
            .order_by("last_name", "first_name")
        )


class HeldForm(forms.Form):
    filmed = forms.BooleanField(label="Filmed for later review", required=False)


class WeekQuery(forms.Form):
    """The query string's ?week=; anything else shows the default."""

    week = forms.DateField(required=False, initial=None)
