"""The pair's rhythm: propose meeting less often, agree or decline, or step back up."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from coachroom.accounts.models import CoachingRelationship
from coachroom.accounts.viewer import viewer_of
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest
from coachroom.scheduling.tapering import services
from coachroom.scheduling.tapering.models import Cadence, CadenceChange


class RhythmForm(forms.Form):
    to = forms.ChoiceField(choices=Cadence.choices)


def _party_pair(request: AuthedRequest, pk: int) -> CoachingRelationship:
    """A current pair the signed-in person is in: its teacher, or its coach (with the Coach
    role). Anyone else: 404."""
    pairs = CoachingRelationship.objects.current().select_related("school", "coach", "coachee")
    pair = get_object_or_404(pairs, pk=pk)
    if pair.coachee_id != request.user.pk and not viewer_of(request).coaches(pair):
        raise Http404("No such pair.")
    return pair


def _back(pair: CoachingRelationship) -> HttpResponse:
    return redirect("coaching:timeline", teacher_pk=pair.coachee_id)


def _other(pair: CoachingRelationship, request: AuthedRequest) -> str:
    return pair.coach.full_name if request.user.pk == pair.coachee_id else pair.coachee.full_name


@require_POST
def rhythm_change(request: AuthedRequest, pair_pk: int) -> HttpResponse:
    pair = _party_pair(request, pair_pk)
    form = RhythmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how often you would like to meet.")
        return _back(pair)
    to = form.cleaned_data["to"]
    label = str(Cadence(to).label).lower()
    try:
        if services.is_less_often(pair.cadence, to):
            services.cadence_propose(pair=pair, by=request.user, to=to)
            messages.success(
                request, f"Proposed: {label}. It starts once {_other(pair, request)} agrees."
            )
        else:
            services.cadence_step_up(pair=pair, by=request.user, to=to)
            messages.success(request, f"Done: from today you meet {label}.")
    except DomainError as error:
        messages.error(request, str(error))
    return _back(pair)


def _answer(request: AuthedRequest, pk: int, agree: bool) -> HttpResponse:
    change = get_object_or_404(CadenceChange, pk=pk)
    pair = _party_pair(request, change.relationship_id)
    try:
        if agree:
            change = services.cadence_agree(change=change, by=request.user)
            messages.success(request, f"Agreed: from today you meet {change.to_label.lower()}.")
        else:
            change = services.cadence_decline(change=change, by=request.user)
            messages.success(request, "Nothing changes: you keep meeting as you do now.")
    except DomainError as error:
        messages.error(request, str(error))
    return _back(pair)


@require_POST
def rhythm_agree(request: AuthedRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, agree=True)


@require_POST
def rhythm_decline(request: AuthedRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, agree=False)
