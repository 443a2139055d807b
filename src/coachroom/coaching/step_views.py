"""Action-step pages: the step, and the teacher's and coach's moves through its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachroom import audit
from coachroom.accounts.submissions import once
from coachroom.coaching import picker, services
from coachroom.coaching.access import (
    get_step_for_party,
    get_step_for_user,
)
from coachroom.coaching.forms import (
    CounterProposalForm,
    ReasonForm,
)
from coachroom.coaching.models import (
    ActionStep,
    StepState,
)
from coachroom.coaching.selfreview.queries import reviews_of_step
from coachroom.coaching.step_actions import step_actions
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest


@require_GET
def step_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    step = get_step_for_user(request, pk)
    actions = step_actions(step, request.user)
    transitions = list(
        step.transitions.select_related("by", "recorded_by", "observation").order_by("at", "pk")
    )
    # Reasons can be narrative, so only the teacher and their coach read them; the coach's
    # read is audited, like any read of someone else's notes.
    show_reasons = actions.is_teacher or actions.is_coach
    if show_reasons and any(t.reason for t in transitions):
        audit.audit_read(reader=request.user, about=step.teacher, school=step.school, target=step)
    return render(
        request,
        "coaching/step_detail.html",
        {
            "step": step,
            "transitions": transitions,
            "show_reasons": show_reasons,
            "actions": actions,
            "is_teacher": actions.is_teacher,
            "superseded_by": ActionStep.objects.visible_to(request.user)
            .filter(supersedes=step)
            .first(),
            # the teacher's own reviews, or those they share with the viewer: counts only here
            "self_reviews": reviews_of_step(step, request.user),
        },
    )


def _step_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    step = get_step_for_party(request, pk)
    if action == "agree":
        step = services.step_confirm(step=step, by=request.user)
        if step.state == StepState.PROPOSED:
            messages.success(request, "Confirmed. The step is agreed once both of you confirm.")
        else:
            messages.success(request, f"“{step.title}” is agreed.")
    elif action == "tried":
        services.step_mark_tried(step=step, by=request.user)
        messages.success(request, "Marked as tried. Your coach will look for it next drop-in.")
    elif action == "resume":
        services.step_resume(step=step, by=request.user)
        messages.success(request, "The step is running again.")
    return redirect("coaching:step-detail", pk=pk)


@require_POST
def step_agree(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step_action(request, pk, "agree")


@require_POST
def step_tried(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step_action(request, pk, "tried")


@require_POST
def step_resume(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step_action(request, pk, "resume")


@dataclass(frozen=True)
class ReasonAction:
    title: str
    button: str
    hint: str
    required: bool
    done: str


REASON_ACTIONS = {
    "pause": ReasonAction(
        "Pause this step",
        "Pause step",
        "For example leave, a long absence or exam season. Timers stop until you resume.",
        True,
        "The step is paused.",
    ),
    "withdraw": ReasonAction(
        "Withdraw this step",
        "Withdraw step",
        "What made it the wrong step? This is about the step, not the teacher.",
        True,
        "The step has been withdrawn.",
    ),
    "reopen": ReasonAction(
        "Reopen this step",
        "Reopen step",
        "Optional: what prompted reopening it.",
        False,
        "The step is back in practice.",
    ),
}


def _reason_view(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    step = get_step_for_party(request, pk)
    spec = REASON_ACTIONS[action]
    form = ReasonForm(request.POST or None, required=spec.required, hint=spec.hint)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if action == "pause":
                services.step_pause(step=step, by=request.user, reason=reason)
            elif action == "withdraw":
                services.step_withdraw(step=step, by=request.user, reason=reason)
            else:
                services.step_reopen(step=step, by=request.user, reason=reason)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, spec.done)
            return redirect(step)
    return render(request, "coaching/step_reason.html", {"step": step, "form": form, "spec": spec})


@require_http_methods(["GET", "POST"])
def step_pause(request: AuthedRequest, pk: int) -> HttpResponse:
    return _reason_view(request, pk, "pause")


@require_http_methods(["GET", "POST"])
def step_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    return _reason_view(request, pk, "withdraw")


@require_http_methods(["GET", "POST"])
def step_reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    return _reason_view(request, pk, "reopen")


@require_http_methods(["GET", "POST"])
@once
def step_counter(request: AuthedRequest, pk: int) -> HttpResponse:
    step = get_step_for_party(request, pk)
    if step.teacher_id != request.user.pk or step.state != StepState.PROPOSED:
        raise DomainError("Only the teacher can suggest an alternative to a proposed step.")
    form = CounterProposalForm(request.POST or None, library=picker.library_for(step.school))
    if form.is_valid():
        new = services.step_counter_propose(step=step, by=request.user, draft=form.step_draft())
        messages.success(request, "Your alternative has been sent to your coach to agree.")
        return redirect(new)
    return render(request, "coaching/step_counter.html", {"step": step, "form": form})


# Timelines -------------------------------------------------------------------------------------
