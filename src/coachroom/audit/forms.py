"""Filters for the audit log: every query-string input goes through a form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from coachroom.audit.labels import KIND_CHOICES, kind_q

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label="Person (name or email)",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="What happened", choices=[("", "Anything"), *KIND_CHOICES], required=False
    )
    from_date = forms.DateField(label="From", required=False, widget=DATE)
    to_date = forms.DateField(label="To", required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from_date"), cleaned.get("to_date")
        if start and end and start > end:
            self.add_error("to_date", "The end date must be on or after the start date.")
        return cleaned

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def filter_q(self) -> Q:
        """The Q for the filters: everything when unbound, nothing when invalid."""
        if not self.is_bound:
            return Q()
        if not self.is_valid():
            return Q(pk__in=[])
        data = self.cleaned_data
        q = Q()
        words = data["q"].split()
        if words:
            as_actor, as_subject = Q(), Q()
            for word in words:
                as_actor &= (
                    Q(actor__first_name__icontains=word)
                    | Q(actor__last_name__icontains=word)
                    | Q(actor__email__icontains=word)
                )
                as_subject &= (
                    Q(subject__first_name__icontains=word)
                    | Q(subject__last_name__icontains=word)
                    | Q(subject__email__icontains=word)
                )
            q &= as_actor | as_subject
        if data["kind"]:
            q &= kind_q(data["kind"])
        if data["from_date"]:
            q &= Q(created_at__gte=start_of(data["from_date"]))
        if data["to_date"]:
            q &= Q(created_at__lt=start_of(data["to_date"] + dt.timedelta(days=1)))
        return q


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the school's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
