from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils import timezone

from coachroom.accounts.calendar import academic_start_year
from coachroom.accounts.models import (
    AcademicYear,
    Closure,
    CoachingRelationship,
    Membership,
    Role,
    School,
    TaughtPhase,
    Term,
    User,
)
from coachroom.accounts.signin_policy import password_refusal


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your school admin.",
    }

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.strip().lower()

    def clean(self) -> dict[str, Any]:
        # A trust that signs its staff in with Microsoft or Google may turn passwords off for
        # them (integrations.sso): say so, pointing to the button, before any password is checked.
        refusal = password_refusal(self.cleaned_data.get("username") or "")
        if refusal:
            raise forms.ValidationError(refusal, code="password_off")
        return super().clean()


ROLE_CHOICES = [(r.value, r.label) for r in Role]


class StaffDetailsForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    job_title = forms.CharField(
        max_length=100, required=False, help_text="For example Head of maths"
    )
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="A person may hold several roles; coaches are often coached too.",
        error_messages={"required": "Choose at least one role."},
    )
    is_ect = forms.BooleanField(label="Early-career teacher (ECT)", required=False)
    subjects = forms.CharField(max_length=200, required=False, help_text="Separate with commas")


class StaffEditForm(StaffDetailsForm):
    """Staff details; the identity fields are left out when the admin may not change them."""

    email = forms.EmailField(
        label="Email address",
        help_text="A new address takes effect once its owner follows the link we email to it.",
    )
    phase = forms.ChoiceField(
        label="Phase taught",
        choices=[("", "Not recorded"), *TaughtPhase.choices],
        required=False,
        help_text="With subjects, lets Insights compare coaching within and across phases.",
    )
    field_order = ["first_name", "last_name", "email"]
    IDENTITY_FIELDS = ("first_name", "last_name", "email")

    def __init__(self, *args: Any, identity_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if identity_locked:
            for name in self.IDENTITY_FIELDS:
                del self.fields[name]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        return email.strip().lower()


class EmailChangeForm(forms.Form):
    """A person changes their own email address; their password proves it is them."""

    new_email = forms.EmailField(
        label="New email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We email a link to this address; your email changes once you follow it.",
    )
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_email(self) -> str:
        email: str = self.cleaned_data["new_email"].strip().lower()
        if email == self.user.email:
            raise forms.ValidationError("This is already your email address.")
        return email

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your password was entered incorrectly.")
        return password


class StaffInviteForm(StaffDetailsForm):
    email = forms.EmailField(label="Email address")
    field_order = ["email", "first_name", "last_name"]

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        self.school = school
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(user__email=email, school=self.school).exists():
            raise forms.ValidationError("This person is already on the staff list.")
        return email


class StaffSearchForm(forms.Form):
    STATUS_CHOICES = [("active", "Active"), ("inactive", "Deactivated"), ("all", "Everyone")]
    q = forms.CharField(label="Search by name or email", required=False, max_length=100)
    role = forms.ChoiceField(choices=[("", "Any role"), *ROLE_CHOICES], required=False)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)


LINE_MANAGER_MISSING = "Say whether the coach line-manages this teacher."


def line_manager_field() -> forms.TypedChoiceField:
    """Asked when pairing: it grants nothing (line management never opens coaching notes), and
    lets Insights compare line-manager pairs with the rest."""
    return forms.TypedChoiceField(
        label="Is the coach this teacher's line manager?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        help_text="It changes nothing about who sees what; it lets Insights compare pairs.",
        error_messages={"required": LINE_MANAGER_MISSING},
    )


class PairLineManagerForm(forms.Form):
    coach_is_line_manager = line_manager_field()


class RelationshipForm(forms.Form):
    coach = forms.ModelChoiceField(queryset=User.objects.none())
    coachee = forms.ModelChoiceField(queryset=User.objects.none(), label="Teacher being coached")
    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.none())
    kind = forms.ChoiceField(
        choices=CoachingRelationship.Kind.choices, initial=CoachingRelationship.Kind.INSTRUCTIONAL
    )
    cadence = forms.ChoiceField(
        choices=CoachingRelationship.Cadence.choices, initial=CoachingRelationship.Cadence.WEEKLY
    )
    coach_is_line_manager = line_manager_field()

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data.get("kind") == CoachingRelationship.Kind.SELF:
            # self-coaching: nobody else in the pair, so nothing to ask (clean() stores None)
            self.fields["coach_is_line_manager"].required = False
        active = Membership.objects.active().for_school(school)
        coach_field = cast(forms.ModelChoiceField, self.fields["coach"])  # type: ignore[type-arg]
        coachee_field = cast(forms.ModelChoiceField, self.fields["coachee"])  # type: ignore[type-arg]
        year_field = cast(forms.ModelChoiceField, self.fields["academic_year"])  # type: ignore[type-arg]
        coach_field.queryset = User.objects.filter(
            memberships__in=active.filter(is_coach=True)
        ).order_by("last_name", "first_name")
        coachee_field.queryset = User.objects.filter(memberships__in=active).order_by(
            "last_name", "first_name"
        )
        year_field.queryset = AcademicYear.objects.filter(school=school)
        current = school.current_year()
        if current is not None:
            year_field.initial = current.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        coach, coachee = data.get("coach"), data.get("coachee")
        if coach and coachee and coach == coachee and data.get("kind") != "self":
            self.add_error("coachee", "Choose a different person from the coach.")
        if data.get("kind") == CoachingRelationship.Kind.SELF:
            data["coach_is_line_manager"] = None
        return data


class AcademicYearCreateForm(forms.Form):
    start_year = forms.IntegerField(
        label="Year starting in September",
        min_value=2000,
        max_value=2100,
        help_text="Half-terms and INSET days are filled in with typical dates for you to edit.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_year"].initial = academic_start_year(timezone.localdate())


class BaseTermFormSet(BaseModelFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        spans: list[tuple[dt.date, dt.date, str]] = []
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            start, end = form.cleaned_data.get("starts_on"), form.cleaned_data.get("ends_on")
            name = form.cleaned_data.get("name", "")
            if start and end:
                if end < start:
                    form.add_error("ends_on", "A term must end on or after the day it starts.")
                spans.append((start, end, name))
        spans.sort()
        for (_s1, e1, n1), (s2, _e2, n2) in itertools.pairwise(spans):
            if s2 <= e1:
                raise forms.ValidationError(f"{n1} and {n2} overlap. Holidays are the gaps.")


TermFormSet = modelformset_factory(  # type: ignore[var-annotated]
    Term,
    fields=["name", "starts_on", "ends_on"],
    formset=BaseTermFormSet,
    extra=1,
    can_delete=True,
    widgets={
        "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    },
)


class ClosureForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Closure
        fields = ["date", "reason"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, year: AcademicYear, **kwargs: Any) -> None:
        self.year = year
        super().__init__(*args, **kwargs)

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if not self.year.starts_on <= day <= self.year.ends_on:
            raise forms.ValidationError(
                f"Choose a day inside {self.year.name} "
                f"({self.year.starts_on:%d/%m/%Y} to {self.year.ends_on:%d/%m/%Y})."
            )
        if Closure.objects.filter(academic_year=self.year, date=day).exists():
            raise forms.ValidationError("That day is already marked as a closure.")
        return day


class SchoolSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = School
        fields = [
            "lead_note_access",
            "drop_in_visibility",
            "sightings_to_secure",
            "streak_allows_same_day",
            "stick_check_weeks",
            "active_steps_per_pair",
            "unseen_weeks_alert",
            "taper_after_steps",
            "insights_min_steps",
        ]
        widgets = {
            "lead_note_access": forms.RadioSelect,
            "drop_in_visibility": forms.RadioSelect,
        }


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ["first_name", "last_name"]


class ShowQuery(forms.Form):
    """The query string's ?show=; anything else shows the default."""

    show = forms.ChoiceField(choices=[("ended", "Ended pairs too")], required=False, initial="")
