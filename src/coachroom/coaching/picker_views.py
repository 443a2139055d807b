"""The meeting's step picker as you type, and "Use in a meeting" from the step library."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from coachroom.coaching import picker, services
from coachroom.coaching.access import get_pair_for_coach
from coachroom.core.http import AuthedRequest


@require_GET
def step_picker(request: AuthedRequest, pair_pk: int) -> HttpResponse:
    """The picker's results for htmx; without JavaScript, the meeting page with the same query."""
    pair = get_pair_for_coach(request, pair_pk)
    if not request.htmx:
        url = reverse("coaching:meeting-new", args=[pair.pk])
        return redirect(f"{url}?{request.GET.urlencode()}#step-choice-title")
    step_picker = picker.picker_from(
        request.GET,
        relationship=pair,
        suggest=lambda: picker.suggested_steps(pair, services.active_step(pair)),
    )
    return render(
        request, "coaching/meeting_new.html#step-picker", {"pair": pair, "picker": step_picker}
    )


class UseInMeetingForm(forms.Form):
    pair = forms.IntegerField(min_value=1)
    library_step = forms.IntegerField(min_value=1)


@require_GET
def meeting_with_step(request: AuthedRequest) -> HttpResponse:
    """From a library step: the meeting form for the chosen coachee, with the step chosen."""
    form = UseInMeetingForm(request.GET)
    if not form.is_valid():
        raise Http404("Choose a coachee and a step.")
    pair = get_pair_for_coach(request, form.cleaned_data["pair"])
    query = urlencode({"library_step": form.cleaned_data["library_step"]})
    url = reverse("coaching:meeting-new", args=[pair.pk])
    return redirect(f"{url}?{query}#step-choice-title")
