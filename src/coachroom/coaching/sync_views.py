"""Drop-ins that survive a classroom with no signal (docs/data.md, "On the coach's phone").

- `drop_in_new`: a blank drop-in form for a pair, which creates nothing until it is sent. The
  device keeps a copy of it, so a drop-in can be started with no network; without JavaScript
  its Save creates the drop-in (once, by the form's device id) as the edit page's Save does.
- `drop_in_sync`: where the device's outbox sends each save (coaching/offline.py), answered in
  JSON: saved, submitted, a conflict with the server's copy, or what is missing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from coachroom.accounts.submissions import posted_key
from coachroom.coaching import offline, services
from coachroom.coaching.access import get_own_observation, get_pair_for_coach
from coachroom.coaching.forms import DropInForm
from coachroom.coaching.models import Observation
from coachroom.coaching.views import drop_in_form_page
from coachroom.core.http import AuthedRequest
from coachroom.core.offline import offline_page


class SyncForm(forms.Form):
    """Which drop-in a save is for, and what it is based on; the drop-in's own fields are read
    by `DropInForm` from the same post."""

    client_id = forms.UUIDField()
    pair = forms.IntegerField(required=False, min_value=1)
    id = forms.IntegerField(required=False, min_value=1)
    base_version = forms.IntegerField(min_value=1)
    save_key = forms.RegexField(regex=r"^[0-9A-Za-z-]{8,64}$")
    previous_key = forms.RegexField(regex=r"^[0-9A-Za-z-]{8,64}$", required=False)
    submit = forms.BooleanField(required=False)


class NewDropInForm(forms.Form):
    client_id = forms.UUIDField()


@offline_page
@require_http_methods(["GET", "POST"])
def drop_in_new(request: AuthedRequest, pair_pk: int) -> HttpResponse:
    pair = get_pair_for_coach(request, pair_pk)
    services.require_current(pair)
    if request.method == "POST":
        return _send_new(request, pair)
    blank = Observation(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        observer=request.user,
        observed_at=timezone.now(),
    )
    steps = services.steps_to_look_for(pair)
    return render(
        request,
        "coaching/drop_in_edit.html",
        {
            "form": DropInForm(instance=blank, steps=steps),
            "observation": blank,
            "steps": steps,
            "pair": pair,
            "new_client_id": offline.new_client_id(),
        },
    )


def _send_new(request: AuthedRequest, pair: Any) -> HttpResponse:
    """The blank form's Save (or Save draft) without JavaScript: the drop-in is made once,
    by its device id, then saved as the edit page saves it."""
    sent = NewDropInForm(request.POST)
    if not sent.is_valid():
        return redirect("coaching:drop-in-new", pair_pk=pair.pk)
    observation = offline.find_or_start(
        by=request.user, relationship=pair, client_id=sent.cleaned_data["client_id"]
    )
    if observation is None or observation.relationship_id != pair.pk:
        return redirect("coaching:drop-in-new", pair_pk=pair.pk)
    if not observation.is_draft:
        return redirect(observation)
    if "draft" in request.POST:
        steps = services.steps_to_look_for(pair)
        form = DropInForm(request.POST, instance=observation, steps=steps)
        form.is_valid()
        services.observation_autosave(
            observation=observation,
            by=request.user,
            save_key=posted_key(request),
            **form.typed_so_far(request.POST),
        )
        messages.success(request, f"Draft saved at {timezone.localtime():%H:%M}.")
        return redirect("coaching:drop-in-edit", pk=observation.pk)
    return drop_in_form_page(request, observation)


@require_POST
def drop_in_sync(request: AuthedRequest) -> JsonResponse:
    meta = SyncForm(request.POST)
    if not meta.is_valid():
        return JsonResponse({"outcome": "refused", "errors": meta.errors}, status=400)
    data = meta.cleaned_data
    if data["id"]:
        observation: Observation | None = get_own_observation(request, data["id"])
    else:
        pair = get_pair_for_coach(request, data["pair"]) if data["pair"] else None
        observation = offline.find_or_start(
            by=request.user, relationship=pair, client_id=data["client_id"]
        )
    if observation is None:
        refused = {"outcome": "refused", "errors": {"pair": ["No such pair."]}}
        return JsonResponse(refused, status=400)
    result = offline.drop_in_sync(
        observation=observation,
        by=request.user,
        sent=offline.SyncRequest(
            client_id=data["client_id"],
            base_version=data["base_version"],
            save_key=data["save_key"],
            submit=data["submit"],
            data=request.POST,
            previous_key=data["previous_key"],
        ),
    )
    if result.outcome == "submitted" and data["submit"]:
        name = observation.teacher.full_name
        messages.success(request, f"Drop-in for {name} saved. Next: the feedback meeting.")
    return JsonResponse(_answer(result), status=STATUS[result.outcome])


STATUS = {"saved": 200, "submitted": 200, "conflict": 409, "invalid": 422}


def _answer(result: offline.SyncResult) -> dict[str, Any]:
    observation = result.observation
    answer: dict[str, Any] = {
        "outcome": result.outcome,
        "id": observation.pk,
        "version": observation.version,
        "saved_at": f"{timezone.localtime(observation.updated_at):%H:%M}",
        "edit_url": reverse("coaching:drop-in-edit", args=[observation.pk]),
        "detail_url": observation.get_absolute_url(),
    }
    if result.outcome == "conflict":
        answer["server"] = offline.server_copy(observation)
    if result.errors:
        answer["errors"] = result.errors
    return answer
