from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachroom.accounts.access import member_required
from coachroom.accounts.models import Membership, Role, School
from coachroom.accounts.viewer import MemberRequest
from coachroom.reporting.capacity import Assumptions, build_plan
from coachroom.scheduling.services import SchoolDays

RHYTHMS = [
    ("as-paired", "As each pair is set up"),
    ("weekly", "Everyone weekly"),
    ("fortnightly", "Everyone fortnightly"),
]


class WhatIfForm(forms.Form):
    drop_in_minutes = forms.IntegerField(label="Drop-in (minutes)", min_value=5, max_value=60)
    meeting_minutes = forms.IntegerField(label="Meeting (minutes)", min_value=10, max_value=90)
    write_up_minutes = forms.IntegerField(label="Write-up (minutes)", min_value=0, max_value=60)
    rhythm = forms.ChoiceField(choices=RHYTHMS, label="Rhythm")
    extra_coaches = forms.IntegerField(label="Extra coaches", min_value=0, max_value=50)
    school_weeks = forms.IntegerField(label="School weeks a year", min_value=1, max_value=45)
    hourly_cost = forms.DecimalField(
        label="Hourly cost of staff time (£)", min_value=Decimal(0), max_digits=6, decimal_places=2
    )

    def __init__(self, *args: Any, coaches: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coach_field_names = {}
        for coach in coaches:
            name = f"available_{coach.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{coach.full_name}: minutes a week",
                min_value=0,
                max_value=2400,
                required=False,
            )
            self.coach_field_names[coach.pk] = name

    def assumptions(self) -> Assumptions:
        data = self.cleaned_data
        return Assumptions(
            drop_in_minutes=data["drop_in_minutes"],
            meeting_minutes=data["meeting_minutes"],
            write_up_minutes=data["write_up_minutes"],
            rhythm=data["rhythm"],
            extra_coaches=data["extra_coaches"],
            school_weeks=data["school_weeks"],
            hourly_cost=data["hourly_cost"],
        )

    def available(self) -> dict[int, int]:
        return {
            pk: self.cleaned_data[name]
            for pk, name in self.coach_field_names.items()
            if self.cleaned_data.get(name) is not None
        }


def _school_weeks(school: School) -> int:
    """Weeks with at least one school day in the current year's terms."""
    year = school.current_year()
    if year is None:
        return Assumptions.school_weeks
    days = SchoolDays(year)
    weeks: set[tuple[int, int]] = set()
    for start, end in days.terms:
        day = start
        while day <= end:
            if day in days:
                weeks.add(day.isocalendar()[:2])
            day += dt.timedelta(days=1)
    return len(weeks) or Assumptions.school_weeks


@member_required(Role.COACHING_LEAD, Role.SCHOOL_ADMIN, Role.SENIOR_LEADER)
@require_GET
def capacity(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    coaches = [
        m.user
        for m in Membership.objects.active()
        .for_school(school)
        .filter(is_coach=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]
    defaults = Assumptions(school_weeks=_school_weeks(school))
    initial = {
        "drop_in_minutes": defaults.drop_in_minutes,
        "meeting_minutes": defaults.meeting_minutes,
        "write_up_minutes": defaults.write_up_minutes,
        "rhythm": defaults.rhythm,
        "extra_coaches": defaults.extra_coaches,
        "school_weeks": defaults.school_weeks,
        "hourly_cost": defaults.hourly_cost,
    }
    form = WhatIfForm(request.GET or None, coaches=coaches, initial=initial)
    if form.is_bound and form.is_valid():
        plan = build_plan(school, form.assumptions(), form.available())
    else:
        plan = build_plan(school, defaults)
    return render(
        request,
        "reporting/capacity.html",
        {
            "form": form,
            "plan": plan,
            "is_what_if": form.is_bound and form.is_valid(),
            "coach_fields": [form[name] for name in form.coach_field_names.values()],
        },
    )
