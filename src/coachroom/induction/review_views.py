"""The induction tutor's reviews: starting one from the plan, writing and signing it, the PDF
for the appropriate body, and the cohort's review status as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coachroom import audit
from coachroom.accounts.access import member_required
from coachroom.accounts.models import Role
from coachroom.accounts.submissions import once
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import DomainError
from coachroom.induction import reviews
from coachroom.induction.access import get_induction_to_manage
from coachroom.induction.dates import plan_for, plans_for
from coachroom.induction.entitlement import Entitlement, entitlements
from coachroom.induction.models import Induction, InductionReview
from coachroom.induction.review_forms import STANDARDS, EctSignForm, ReviewForm
from coachroom.induction.review_pdf import review_pdf as render_review_pdf

ASSESSORS = (Role.INDUCTION_TUTOR, Role.SENIOR_LEADER)


class PointForm(forms.Form):
    point = forms.IntegerField(min_value=0)


@member_required(*ASSESSORS)
@require_POST
@once
def review_start(request: MemberRequest, pk: int) -> HttpResponse:
    induction = get_induction_to_manage(request, pk)
    if not reviews.may_assess(request.user, induction.school_id):
        raise PermissionDenied("Reviews are held by induction tutors and senior leaders.")
    form = PointForm(request.POST)
    points = plan_for(induction).points
    if not form.is_valid() or form.cleaned_data["point"] >= len(points):
        messages.error(request, "Choose a review or assessment from the list of dates.")
        return redirect(induction)
    point = points[form.cleaned_data["point"]]
    review = reviews.review_start(induction=induction, point=point, by=request.user)
    return redirect(review)


def _get_review(request: MemberRequest, pk: int) -> InductionReview:
    visible = InductionReview.objects.visible_to(request.viewer).select_related(
        "induction__ect", "induction__tutor", "induction__mentor", "school"
    )
    review = get_object_or_404(visible, pk=pk)
    audit.audit_read(
        reader=request.user,
        about=review.induction.ect,
        school=review.school,
        target=review,
        action="induction.review.viewed",
    )
    return review


@member_required()
@require_http_methods(["GET", "POST"])
def review(request: MemberRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    user = request.user
    may_write = review.tutor_signed_at is None and reviews.may_assess(
        user, review.school_id, tutor_only=True
    )
    form = ReviewForm(initial=ReviewForm.initial_for(review))
    ect_form = EctSignForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _act(request, review, action, may_write)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(review)
        if isinstance(done, ReviewForm):
            form = done
        else:
            messages.success(request, done)
            return redirect(review)
    context: dict[str, Any] = {
        "review": review,
        "form": form,
        "ect_form": ect_form,
        "may_write": may_write,
        "is_ect": user.pk == review.induction.ect_id,
        "may_sign_as_tutor": reviews.may_assess(user, review.school_id, tutor_only=True),
        "may_sign_as_head": request.viewer.has_role(Role.SENIOR_LEADER, review.school_id),
        "concerns": [dict(STANDARDS)[n] for n in review.standards_of_concern],
    }
    return render(request, "induction/review.html", context)


def _act(
    request: MemberRequest, review: InductionReview, action: str, may_write: bool
) -> str | ReviewForm:
    """Carry out one button of the review page: a message to show, or the form with errors."""
    by = request.user
    if action == "save":
        if not may_write:
            raise PermissionDenied("Only an induction tutor writes a review, until it is signed.")
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return form
        reviews.review_write(review=review, by=by, **form.cleaned_data)
        return "Review saved."
    if action == "sign-tutor":
        reviews.review_sign_as_tutor(review=review, by=by)
        return "Signed as the induction tutor."
    if action == "sign-head":
        reviews.review_sign_as_head(review=review, by=by)
        return "Signed for the headteacher."
    if action == "sign-ect":
        ect_form = EctSignForm(request.POST)
        comments = ect_form.cleaned_data["comments"] if ect_form.is_valid() else ""
        reviews.review_sign_as_ect(review=review, by=by, comments=comments.strip())
        return "Signed. Thank you."
    raise Http404("No such action.")


@member_required()
@require_http_methods(["GET"])
def review_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    audit.record(
        actor=request.user,
        action="induction.review.exported",
        school=review.school,
        target=review,
        subject=review.induction.ect,
    )
    response = HttpResponse(render_review_pdf(review), content_type="application/pdf")
    name = f"{review.induction.ect.full_name} {review.title}".replace(" ", "-").replace(",", "")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@member_required(*ASSESSORS)
@require_http_methods(["GET"])
def cohort_csv(request: MemberRequest) -> HttpResponse:
    """Every ECT's reviews and assessments, by date: status and outcome, never the text."""
    school = request.membership.school
    inductions = list(
        Induction.objects.filter(school=school)
        .select_related("ect", "tutor", "mentor")
        .prefetch_related("absences")
    )
    plans = plans_for(inductions, school)
    counts = entitlements(inductions, plans, school)
    held = {
        (r.induction_id, r.kind, r.period): r
        for r in InductionReview.objects.visible_to(request.viewer).filter(school=school)
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "ect_email",
            "ect_name",
            "induction_start",
            "fte",
            "appropriate_body",
            "induction_tutor",
            "review",
            "due_on",
            "status",
            "outcome",
            "mentor_meetings_held",
            "mentor_meetings_planned",
            "time_off_hours",
            "time_off_hours_due",
        ]
    )
    for induction in inductions:
        for point in plans[induction.pk].points:
            found = held.get((induction.pk, str(point.kind), reviews.period_of(point)))
            writer.writerow(
                [
                    induction.ect.email,
                    induction.ect.full_name,
                    induction.starts_on.isoformat(),
                    induction.fte,
                    induction.appropriate_body,
                    induction.tutor.full_name if induction.tutor else "",
                    point.label,
                    point.due_on.isoformat(),
                    _status(found),
                    found.outcome if found else "",
                    *_counts(counts[induction.pk]),
                ]
            )
    audit.record(actor=request.user, action="induction.cohort.exported", school=school)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="induction-reviews.csv"'
    return response


def _counts(counts: Entitlement) -> list[object]:
    due = counts.time_off_due
    return [
        counts.meetings_held,
        counts.meetings_planned,
        counts.time_off_hours,
        due if due is not None else "",
    ]


def _status(review: InductionReview | None) -> str:
    if review is None:
        return "not started"
    if review.is_complete:
        return "signed by all"
    if review.tutor_signed_at is not None:
        return "signed by the tutor"
    return "draft"
