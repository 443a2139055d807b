"""Induction set-up: the school's cohort of early-career teachers, setting one up, changing
the set-up, recording absences, and the ECT's own page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from coachroom.accounts.access import member_required
from coachroom.accounts.models import Role
from coachroom.accounts.submissions import once
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import DomainError
from coachroom.core.forms import PageQuery, read_query
from coachroom.core.paging import Paginator
from coachroom.induction import reviews, setup
from coachroom.induction.access import (
    INDUCTION_MANAGERS,
    get_absence_to_manage,
    get_induction_to_manage,
    own_induction,
)
from coachroom.induction.dates import next_point, plan_for, plans_for
from coachroom.induction.entitlement import Entitlement, entitlements
from coachroom.induction.models import EarlierInductionRecord, Induction
from coachroom.induction.setup_forms import AbsenceForm, InductionForm, TimeOffForm

COHORT_PER_PAGE = 50


class NewQuery(forms.Form):
    ect = forms.IntegerField(required=False, min_value=1)


class CohortQuery(PageQuery):
    show = forms.ChoiceField(choices=[("", "All"), ("at-risk", "At risk")], required=False)


@member_required(*INDUCTION_MANAGERS)
@require_http_methods(["GET"])
def cohort(request: MemberRequest) -> HttpResponse:
    """The school's ECTs. Induction tutors and senior leaders also see each one's latest signed
    review, and can list those at risk: their latest signed review says not on track."""
    school = request.membership.school
    query = read_query(CohortQuery, request.GET)
    may_assess = reviews.may_assess(request.user, school.pk)
    inductions = (
        Induction.objects.filter(school=school)
        .select_related("ect", "mentor", "tutor")
        .prefetch_related("absences")
    )
    if may_assess:
        inductions = reviews.with_latest_outcome(
            inductions, request.viewer, at_risk_only=query["show"] == "at-risk"
        )
    page = Paginator(inductions, COHORT_PER_PAGE).get_page(query["page"])
    shown = list(page.object_list)
    plans = plans_for(shown, school)
    counts = entitlements(shown, plans, school)
    today = timezone.localdate()
    rows = [(i, plans[i.pk], next_point(plans[i.pk], today), counts[i.pk]) for i in shown]
    context = {
        "page": page,
        "rows": rows,
        "may_assess": may_assess,
        "at_risk": query["show"] == "at-risk" and may_assess,
        "totals": sum(counts.values(), Entitlement()),
        "query_string": "show=at-risk" if query["show"] == "at-risk" else "",
    }
    return render(request, "induction/cohort.html", context)


@member_required(*INDUCTION_MANAGERS)
@require_http_methods(["GET", "POST"])
@once
def new(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    ect_id = read_query(NewQuery, request.POST if request.method == "POST" else request.GET)["ect"]
    existing = Induction.objects.filter(school=school, ect_id=ect_id).first()
    if existing is not None:
        # The staff page links here for any teacher, and a double tap posts twice: both
        # open the induction already set up rather than make a second.
        if request.method == "POST":
            messages.info(request, f"{existing.ect.full_name}'s induction was already set up.")
        return redirect(existing)
    form = InductionForm(
        request.POST or None,
        school=school,
        may_allow_same_person=request.membership.is_senior_leader,
        initial={"ect": ect_id},
    )
    if form.is_valid():
        try:
            induction, made = setup.induction_set_up(
                school=school, ect=form.cleaned_data["ect"], details=form.details(), by=request.user
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            name = induction.ect.full_name
            if made:
                messages.success(request, f"{name}'s induction is set up.")
            else:
                messages.info(request, f"{name}'s induction was already set up; here it is.")
            return redirect(induction)
    return render(request, "induction/new.html", {"form": form})


@member_required(*INDUCTION_MANAGERS)
@require_http_methods(["GET", "POST"])
def detail(request: MemberRequest, pk: int) -> HttpResponse:
    induction = get_induction_to_manage(request, pk)
    form = _setup_form(request, induction, request.POST or None)
    if form.is_valid():
        try:
            problems = setup.induction_update(
                induction=induction, details=form.details(), by=request.user
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{induction.ect.full_name}'s induction is saved.")
            for problem in problems:
                messages.warning(request, problem)
            return redirect(induction)
    return _detail(request, induction, form=form, absence_form=AbsenceForm())


def _setup_form(request: MemberRequest, induction: Induction, data: Any = None) -> InductionForm:
    return InductionForm(
        data,
        school=induction.school,
        induction=induction,
        may_allow_same_person=request.viewer.has_role(Role.SENIOR_LEADER, induction.school_id),
        initial=InductionForm.initial_for(induction),
    )


def _detail(
    request: MemberRequest,
    induction: Induction,
    *,
    form: InductionForm,
    absence_form: AbsenceForm,
    time_off_form: TimeOffForm | None = None,
) -> HttpResponse:
    plan = plan_for(induction)
    may_assess = reviews.may_assess(request.user, induction.school_id)
    context: dict[str, Any] = {
        "induction": induction,
        "plan": plan,
        "review_rows": reviews.reviews_by_point(induction, plan.points, request.viewer)
        if may_assess
        else None,
        "may_assess": may_assess,
        "support_plan": reviews.open_support_plan(induction, request.viewer),
        "absences": list(induction.absences.all()),
        "form": form,
        "absence_form": absence_form,
        "time_off_form": time_off_form or TimeOffForm(),
        "counts": entitlements([induction], {induction.pk: plan}, induction.school)[induction.pk],
        "time_off": list(induction.time_off.all()[:10]),
        # Records from the ECT's earlier schools (induction/portable/), read like reviews.
        "earlier_records": list(
            EarlierInductionRecord.objects.visible_to(request.viewer).listed_for(induction)
        ),
        "may_attach_earlier": may_assess,
    }
    return render(request, "induction/detail.html", context)


@member_required(*INDUCTION_MANAGERS)
@require_POST
@once
def absence_add(request: MemberRequest, pk: int) -> HttpResponse:
    induction = get_induction_to_manage(request, pk)
    absence_form = AbsenceForm(request.POST)
    if absence_form.is_valid():
        try:
            setup.absence_add(induction=induction, by=request.user, **absence_form.cleaned_data)
        except DomainError as error:
            absence_form.add_error(None, str(error))
        else:
            messages.success(request, "Absence recorded.")
            return redirect(induction)
    form = _setup_form(request, induction)
    return _detail(request, induction, form=form, absence_form=absence_form)


@member_required(*INDUCTION_MANAGERS)
@require_http_methods(["GET", "POST"])
def absence_remove(request: MemberRequest, pk: int, absence_pk: int) -> HttpResponse:
    absence = get_absence_to_manage(request, pk, absence_pk)
    if request.method == "POST":
        setup.absence_remove(absence=absence, by=request.user)
        messages.success(request, "Absence removed.")
        return redirect(absence.induction)
    return render(request, "induction/absence_remove.html", {"absence": absence})


@member_required()
@require_http_methods(["GET"])
def mine(request: MemberRequest) -> HttpResponse:
    induction = own_induction(request)
    context: dict[str, Any] = {"induction": induction}
    if induction is not None:
        plan = plan_for(induction)
        rows = reviews.reviews_by_point(induction, plan.points, request.viewer)
        support_plan = reviews.open_support_plan(induction, request.viewer)
        context.update(plan=plan, review_rows=rows, support_plan=support_plan)
        earlier = EarlierInductionRecord.objects.visible_to(request.viewer).listed_for(induction)
        context.update(earlier_records=list(earlier))
    return render(request, "induction/mine.html", context)


@member_required(*INDUCTION_MANAGERS)
@require_POST
@once
def time_off_add(request: MemberRequest, pk: int) -> HttpResponse:
    induction = get_induction_to_manage(request, pk)
    time_off_form = TimeOffForm(request.POST)
    if time_off_form.is_valid():
        try:
            setup.time_off_record(
                induction=induction, by=request.user, **time_off_form.cleaned_data
            )
        except DomainError as error:
            time_off_form.add_error(None, str(error))
        else:
            messages.success(request, "Time off timetable recorded.")
            return redirect(induction)
    form = _setup_form(request, induction)
    return _detail(
        request, induction, form=form, absence_form=AbsenceForm(), time_off_form=time_off_form
    )
