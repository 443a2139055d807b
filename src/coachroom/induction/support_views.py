"""An ECT's support plan: induction tutors and senior leaders open, change and close it; the
ECT reads it. Anyone else gets the 404 of a page that is not there."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from coachroom import audit
from coachroom.accounts.access import member_required
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import DomainError
from coachroom.induction import support
from coachroom.induction.models import Induction, SupportPlan
from coachroom.induction.reviews import may_assess
from coachroom.induction.setup_forms import DATE


class SupportPlanForm(forms.Form):
    concerns = forms.CharField(
        label="The concerns",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Which Teachers' Standards, and what the evidence shows. No pupil names.",
    )
    support = forms.CharField(
        label="The support and actions agreed",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text="Who does what, by when: the mentor's focus, observations, training.",
    )
    review_on = forms.DateField(label="Look at the plan again on", widget=DATE)


class CloseForm(forms.Form):
    note = forms.CharField(
        label="How it ended",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: back on track at the spring progress review.",
    )


@member_required()
@require_http_methods(["GET", "POST"])
def support_plan(request: MemberRequest, pk: int) -> HttpResponse:
    induction = get_object_or_404(
        Induction.objects.select_related("school", "ect"),
        pk=pk,
        school_id__in=request.viewer.school_ids,
    )
    is_ect = induction.ect_id == request.user.pk
    may_edit = may_assess(request.user, induction.school_id)
    if not (is_ect or may_edit):
        raise Http404("No such support plan.")
    plans = list(SupportPlan.objects.visible_to(request.viewer).filter(induction=induction))
    current = next((p for p in plans if p.closed_at is None), None)
    if current is not None and not is_ect:
        audit.audit_read(
            reader=request.user,
            about=induction.ect,
            school=induction.school,
            target=induction,
            action="induction.support_plan.viewed",
        )
    initial = (
        {"concerns": current.concerns, "support": current.support, "review_on": current.review_on}
        if current
        else {}
    )
    form = SupportPlanForm(initial=initial)
    close_form = CloseForm()
    if request.method == "POST":
        if not may_edit:
            raise Http404("No such support plan.")
        done = _act(request, induction, current)
        if isinstance(done, str):
            messages.success(request, done)
            return redirect("induction:support-plan", pk=induction.pk)
        form, close_form = done
    context: dict[str, Any] = {
        "induction": induction,
        "current": current,
        "closed": [p for p in plans if p.closed_at is not None],
        "form": form,
        "close_form": close_form,
        "may_edit": may_edit,
        "is_ect": is_ect,
    }
    return render(request, "induction/support_plan.html", context)


def _act(
    request: MemberRequest, induction: Induction, current: SupportPlan | None
) -> str | tuple[SupportPlanForm, CloseForm]:
    """One button of the page: a message, or the forms with their errors."""
    by = request.user
    if request.POST.get("action") == "close" and current is not None:
        close_form = CloseForm(request.POST)
        if not close_form.is_valid():
            return SupportPlanForm(initial={}), close_form
        support.support_plan_close(plan=current, by=by, note=close_form.cleaned_data["note"])
        return "Support plan closed."
    form = SupportPlanForm(request.POST)
    if not form.is_valid():
        return form, CloseForm()
    try:
        if current is None:
            support.support_plan_open(induction=induction, by=by, **form.cleaned_data)
            return "Support plan opened."
        support.support_plan_update(plan=current, by=by, **form.cleaned_data)
    except DomainError as error:
        form.add_error(None, str(error))
        return form, CloseForm()
    return "Support plan saved."
