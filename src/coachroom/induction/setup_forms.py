"""The induction set-up form and the absence form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from coachroom.accounts.models import Membership, School, User
from coachroom.induction.models import Induction
from coachroom.induction.setup import SAME_PERSON, InductionDetails

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


def _staff(school: School, **roles: bool) -> QuerySet[User]:
    members = Membership.objects.active().filter(school=school, **roles)
    return User.objects.filter(pk__in=members.values("user")).order_by(
        "last_name", "first_name", "pk"
    )


class InductionForm(forms.Form):
    ect = PersonChoice(
        label="Early-career teacher",
        queryset=User.objects.none(),
        empty_label="Choose a teacher",
        help_text="Teachers already in induction here are not listed.",
    )
    starts_on = forms.DateField(label="Induction start date", widget=DATE)
    fte = forms.DecimalField(
        label="FTE",
        min_value=Decimal("0.1"),
        max_value=Decimal("1"),
        max_digits=3,
        decimal_places=2,
        initial=Decimal("1"),
        help_text="1 is full time; 0.6 is three days a week. Part-time induction lasts longer.",
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    timetable_hours = forms.DecimalField(
        label="Teaching hours a week",
        required=False,
        min_value=Decimal("1"),
        max_value=Decimal("40"),
        max_digits=4,
        decimal_places=1,
        help_text="On their timetable. Time off timetable is 10% of it in year 1, 5% in year 2.",
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    appropriate_body = forms.CharField(
        label="Appropriate body", max_length=200, help_text="The body that quality-assures it"
    )
    appropriate_body_contact = forms.CharField(
        label="Appropriate body contact",
        max_length=200,
        required=False,
        help_text="A name, email or phone number",
    )
    mentor = PersonChoice(
        queryset=User.objects.none(),
        required=False,
        empty_label="Not chosen yet",
        help_text="Coaches on the staff list. They mentor the ECT through the coaching cycle.",
    )
    tutor = PersonChoice(
        label="Induction tutor",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not chosen yet",
        help_text="Staff with the induction tutor role. They hold the reviews and assessments.",
    )
    left_on = forms.DateField(
        label="Last day at this school (if leaving part-way)",
        required=False,
        widget=DATE,
        help_text="An interim assessment falls due on that day.",
    )
    same_person_reason = forms.CharField(
        label="Why one person is both mentor and induction tutor",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only a senior leader can allow this.",
    )

    def __init__(
        self,
        *args: Any,
        school: School,
        may_allow_same_person: bool,
        induction: Induction | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.may_allow_same_person = may_allow_same_person
        if not may_allow_same_person:
            del self.fields["same_person_reason"]
        if induction is not None:
            del self.fields["ect"]
        else:
            del self.fields["left_on"]  # a new induction: nobody is leaving yet
            taken = Induction.objects.filter(school=school).values("ect")
            self._choices("ect").queryset = _staff(school).exclude(pk__in=taken)
        self._choices("mentor").queryset = _staff(school, is_coach=True)
        self._choices("tutor").queryset = _staff(school, is_induction_tutor=True)

    def _choices(self, name: str) -> PersonChoice:
        return cast(PersonChoice, self.fields[name])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ect, mentor, tutor = cleaned.get("ect"), cleaned.get("mentor"), cleaned.get("tutor")
        if ect is not None and mentor == ect:
            self.add_error("mentor", "The ECT cannot mentor themselves.")
        if ect is not None and tutor == ect:
            self.add_error("tutor", "The ECT cannot be their own induction tutor.")
        left_on, starts_on = cleaned.get("left_on"), cleaned.get("starts_on")
        if left_on and starts_on and left_on < starts_on:
            self.add_error("left_on", "The last day cannot be before induction started.")
        if mentor is not None and mentor == tutor:
            if not self.may_allow_same_person:
                self.add_error("tutor", SAME_PERSON.format(name=mentor.full_name))
            elif not (cleaned.get("same_person_reason") or "").strip():
                self.add_error(
                    "same_person_reason",
                    "Say why one person will be both mentor and induction tutor.",
                )
        return cleaned

    def details(self) -> InductionDetails:
        data = self.cleaned_data
        return InductionDetails(
            starts_on=data["starts_on"],
            fte=data["fte"],
            appropriate_body=data["appropriate_body"].strip(),
            appropriate_body_contact=data["appropriate_body_contact"].strip(),
            mentor=data["mentor"],
            tutor=data["tutor"],
            same_person_reason=data.get("same_person_reason", "").strip(),
            left_on=data.get("left_on"),
            timetable_hours=data.get("timetable_hours"),
        )

    @classmethod
    def initial_for(cls, induction: Induction) -> dict[str, Any]:
        return {
            "starts_on": induction.starts_on,
            "fte": induction.fte,
            "appropriate_body": induction.appropriate_body,
            "appropriate_body_contact": induction.appropriate_body_contact,
            "mentor": induction.mentor_id,
            "tutor": induction.tutor_id,
            "same_person_reason": induction.same_person_reason,
            "left_on": induction.left_on,
            "timetable_hours": induction.timetable_hours,
        }


class AbsenceForm(forms.Form):
    first_day = forms.DateField(label="First day absent", widget=DATE)
    last_day = forms.DateField(label="Last day absent", widget=DATE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day must be on or after the first day.")
        return cleaned


class TimeOffForm(forms.Form):
    week_of = forms.DateField(label="Week beginning", widget=DATE)
    hours = forms.DecimalField(
        label="Hours off timetable that week",
        min_value=Decimal("0"),
        max_value=Decimal("40"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
