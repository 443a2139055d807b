"""Self-review pages: start one for your current step, read one, share or unshare it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachroom import audit
from coachroom.accounts.viewer import viewer_of
from coachroom.coaching import picker
from coachroom.coaching.access import get_step_for_party
from coachroom.coaching.selfreview import queries, services
from coachroom.coaching.selfreview.forms import SelfReviewForm
from coachroom.coaching.selfreview.models import Decision, SelfReview
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest

DONE = {
    Decision.CONTINUE: "Your self-review is saved. Keep going with the step.",
    Decision.REFINE: "Your self-review is saved, and your refined step has gone to your coach "
    "to confirm.",
    Decision.NEXT: "Your self-review is saved, and your next step has gone to your coach to "
    "confirm.",
}


class ShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=[("1", "Share"), ("0", "Stop sharing")], coerce=lambda v: v == "1"
    )


@require_http_methods(["GET", "POST"])
def self_review_new(request: AuthedRequest, pk: int) -> HttpResponse:
    step = get_step_for_party(request, pk)
    if step.teacher_id != request.user.pk:
        raise PermissionDenied("A self-review is the teacher's own.")
    if not services.may_self_review(step, request.user):
        raise DomainError(
            f"“{step.title}” is {step.get_state_display().lower()}: you can review a lesson "
            "against a step once it is agreed, while you practise it and once it is secured."
        )
    form = SelfReviewForm(
        request.POST or None,
        step=step,
        library=picker.library_for(step.school),
        clips=queries.own_clip_choices(request.user, step.school),
        coach_name=step.relationship.coach.full_name,
    )
    if form.is_valid():
        try:
            review = services.selfreview_record(step=step, by=request.user, entered=form.review())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, DONE[Decision(review.decision)])
            return redirect(review)
    return render(request, "coaching/self_review_form.html", {"step": step, "form": form})


def _get_review(request: AuthedRequest, pk: int) -> SelfReview:
    qs = SelfReview.objects.visible_to(viewer_of(request)).select_related(
        "school", "teacher", "step", "relationship__coach", "clip"
    )
    return get_object_or_404(qs, pk=pk)


@require_GET
def self_review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    is_teacher = review.teacher_id == request.user.pk
    # the coach reads what the teacher shared: recorded, and shown to the teacher
    audit.audit_read(reader=request.user, about=review.teacher, school=review.school, target=review)
    return render(
        request,
        "coaching/self_review_detail.html",
        {
            "review": review,
            "points": list(review.points.order_by("number")),
            "is_teacher": is_teacher,
            "clip_url": review.clip.get_absolute_url() if review.clip else "",
        },
    )


@require_POST
def self_review_share(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    if review.teacher_id != request.user.pk:
        raise PermissionDenied("Only the teacher decides who reads their self-review.")
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to share the review or stop sharing it.")
        return redirect(review)
    shared = form.cleaned_data["shared"]
    services.selfreview_share(review=review, by=request.user, shared=shared)
    coach = review.relationship.coach.full_name
    messages.success(
        request,
        f"{coach} can now read this review."
        if shared
        else f"{coach} can no longer read this review.",
    )
    return redirect(review)
