"""Pages for whole-school priorities and Impact Cycle goals.

Priorities: everyone in the school reads them; coaching leads and school admins manage them;
leaders (lead, admin, senior leader) see the report, which counts steps and names no one.

Goals: the teacher and the coach of the pair write them and add readings; the coaching lead
reads them only where the school lets leads read every coaching record. Every read by someone
other than the teacher is audited, and the teacher can see who looked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship
from coachroom.accounts.submissions import once
from coachroom.accounts.viewer import MemberRequest
from coachroom.coaching.goals import services as goal_services
from coachroom.coaching.goals.forms import GoalForm, PriorityForm, ReadingForm
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.goals.queries import (
    any_member,
    can_manage_priorities,
    get_goal_for_party,
    get_goal_for_user,
    get_pair_for_party,
    get_priority_for_manager,
    get_teacher_for_goals,
    goal_notes,
    is_goal_party,
    manager_required,
    pairs_for_new_goal,
    priority_report,
    readings_chart,
    report_chart,
    report_viewer_required,
)
from coachroom.coaching.models import ActionStep
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest
from coachroom.library.models import MAX_ACTIVE_PRIORITIES, LibraryStep, Priority, Strand

# Priorities --------------------------------------------------------------------------------------


@require_GET
@any_member
def priority_list(request: MemberRequest) -> HttpResponse:
    membership = request.membership
    school = membership.school
    manage = can_manage_priorities(membership)
    current_year = school.current_year()
    qs = (
        Priority.objects.for_school(school)
        .select_related("academic_year", "problem")
        .prefetch_related(
            Prefetch("strands", queryset=Strand.objects.order_by("order", "name")),
            Prefetch(
                "library_steps",
                queryset=LibraryStep.objects.available_to(school)
                .select_related("strand")
                .order_by("strand__order", "title", "pk"),
            ),
        )
        .order_by("-academic_year__starts_on", "created_at", "pk")
    )
    if not manage:
        qs = qs.active()
    years: dict[int, dict[str, Any]] = {}
    for priority in qs:
        year = years.setdefault(
            priority.academic_year_id,
            {"year": priority.academic_year, "active": [], "archived": []},
        )
        year["archived" if priority.is_archived else "active"].append(priority)
    if current_year is not None and current_year.pk not in years:
        years = {
            current_year.pk: {"year": current_year, "active": [], "archived": []},
            **years,
        }
    current_count = len(years[current_year.pk]["active"]) if current_year else 0
    return render(
        request,
        "coaching/priority_list.html",
        {
            "years": list(years.values()),
            "current_year": current_year,
            "can_manage": manage,
            "can_report": membership.is_leader,
            "max_priorities": MAX_ACTIVE_PRIORITIES,
            "has_room": current_count < MAX_ACTIVE_PRIORITIES,
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
@once
def priority_new(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    year = school.current_year()
    form = PriorityForm(
        request.POST or None, school=school, initial={"academic_year": year.pk if year else None}
    )
    if year is not None and form.is_valid():
        try:
            priority = goal_services.priority_create(
                school=school, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{priority.title}” is now a priority for {school.name}.")
            return redirect(priority)
    full = (
        year is not None
        and Priority.objects.for_school(school).for_year(year).active().count()
        >= MAX_ACTIVE_PRIORITIES
    )
    return render(
        request,
        "coaching/priority_form.html",
        {
            "form": form,
            "mode": "create",
            "year": year,
            "full": full,
            "max_priorities": MAX_ACTIVE_PRIORITIES,
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def priority_edit(request: MemberRequest, pk: int) -> HttpResponse:
    priority = get_priority_for_manager(request, pk)
    school = request.membership.school
    # Not `instance=priority`: a ModelForm writes the typed values onto its instance while it
    # validates, and the service compares the new values with the saved ones.
    initial = model_to_dict(priority, fields=list(PriorityForm.Meta.fields))
    linked = list(priority.library_steps.values_list("pk", flat=True))
    form = PriorityForm(request.POST or None, school=school, initial=initial, linked_steps=linked)
    if form.is_valid():
        try:
            goal_services.priority_update(priority=priority, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{priority.title}” is saved.")
            return redirect(priority)
    return render(
        request,
        "coaching/priority_form.html",
        {"form": form, "mode": "edit", "priority": priority, "year": priority.academic_year},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def priority_archive(request: MemberRequest, pk: int) -> HttpResponse:
    priority = get_priority_for_manager(request, pk)
    if request.method == "POST":
        goal_services.priority_archive(priority=priority, by=request.user)
        messages.success(
            request, f"“{priority.title}” is archived. Steps and goals that used it keep it."
        )
        return redirect("coaching:priority-list")
    return render(request, "coaching/priority_archive.html", {"priority": priority})


@manager_required
@require_POST
def priority_restore(request: MemberRequest, pk: int) -> HttpResponse:
    priority = get_priority_for_manager(request, pk)
    goal_services.priority_restore(priority=priority, by=request.user)
    messages.success(request, f"“{priority.title}” is an active priority again.")
    return redirect(priority)


@require_GET
@report_viewer_required
def priority_report_view(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    year = school.current_year()
    report = priority_report(school=school, year=year)
    chart = report_chart(report) if report.totals.total or report.priorities else None
    return render(
        request,
        "coaching/priority_report.html",
        {"report": report, "chart": chart, "school": school},
    )


# Goals -------------------------------------------------------------------------------------------


@require_GET
def goal_list(request: AuthedRequest, teacher_pk: int) -> HttpResponse:
    teacher, school = get_teacher_for_goals(request, teacher_pk)
    latest = GoalReading.objects.visible_to(request.user).filter(goal=OuterRef("pk"))
    latest = latest.order_by("-taken_on", "-pk")
    goals = list(
        Goal.objects.visible_to(request.user)
        .filter(school=school, teacher=teacher)
        .select_related("relationship", "relationship__coach", "priority")
        .annotate(
            reading_count=Count("readings", distinct=True),
            step_count=Count("steps", distinct=True),
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("taken_on")[:1]),
        )
        .order_by("-created_at", "-pk")
    )
    for goal in goals:
        goal.latest_text = goal.format_value(goal.latest_value)  # type: ignore[attr-defined]
    pairs = pairs_for_new_goal(request.user, teacher=teacher, school=school)
    audit.audit_read(
        reader=request.user, about=teacher, school=school, action="programme.goals.viewed"
    )
    return render(
        request,
        "coaching/goal_list.html",
        {
            "teacher": teacher,
            "school": school,
            "goals": goals,
            "pairs": pairs,
            "is_teacher": request.user.pk == teacher.pk,
        },
    )


def _form_data(form: GoalForm | ReadingForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "names_checked"}


def _steps_of(request: AuthedRequest, pair: CoachingRelationship) -> QuerySet[ActionStep]:
    return ActionStep.objects.visible_to(request.user).filter(relationship=pair)


@require_http_methods(["GET", "POST"])
@once
def goal_new(request: AuthedRequest, pair_pk: int) -> HttpResponse:
    pair = get_pair_for_party(request, pair_pk)
    form = GoalForm(request.POST or None, relationship=pair, pair_steps=_steps_of(request, pair))
    if form.is_valid() and not form.ask_about_names():
        try:
            goal = goal_services.goal_create(relationship=pair, by=request.user, **_form_data(form))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The goal is saved.")
            return redirect(goal)
    return render(
        request,
        "coaching/goal_form.html",
        {
            "form": form,
            "mode": "create",
            "pair": pair,
            "teacher": pair.coachee,
            "is_teacher": request.user.pk == pair.coachee_id,
        },
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_party(request, pk)
    initial = model_to_dict(goal, fields=list(GoalForm.Meta.fields))
    form = GoalForm(
        request.POST or None,
        relationship=goal.relationship,
        pair_steps=_steps_of(request, goal.relationship),
        initial=initial,
    )
    if form.is_valid() and not form.ask_about_names():
        try:
            before = goal.updated_at
            goal = goal_services.goal_update(goal=goal, by=request.user, **_form_data(form))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if goal.updated_at == before:
                messages.info(request, "Nothing had changed, so nothing was saved.")
            else:
                messages.success(request, "The goal is saved.")
            return redirect(goal)
    return render(
        request,
        "coaching/goal_form.html",
        {
            "form": form,
            "mode": "edit",
            "goal": goal,
            "pair": goal.relationship,
            "teacher": goal.teacher,
            "is_teacher": request.user.pk == goal.teacher_id,
        },
    )


def _detail_context(
    request: AuthedRequest, goal: Goal, *, reading_form: ReadingForm | None = None
) -> dict[str, Any]:
    readings = list(goal.readings.all())
    is_party = is_goal_party(goal, request.user)
    can_add = is_party and goal.has_measure
    steps = (
        ActionStep.objects.visible_to(request.user)
        .filter(goals=goal)
        .select_related("library_step")
        .order_by("-created_at", "-pk")
    )
    return {
        "goal": goal,
        "readings": [(r, goal.format_value(r.value)) for r in readings],
        "baseline": goal.format_value(goal.baseline),
        "target": goal.format_value(goal.target),
        "chart": readings_chart(goal, readings) if goal.has_measure and readings else None,
        "steps": steps,
        "is_teacher": request.user.pk == goal.teacher_id,
        "can_edit": is_party,
        "notes": goal_notes(goal) if is_party else [],
        "reading_form": reading_form or (ReadingForm(goal=goal) if can_add else None),
    }


@require_GET
def goal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = get_goal_for_user(request, pk)
    audit.audit_read(
        reader=request.user,
        about=goal.teacher,
        school=goal.school,
        target=goal,
        action="programme.goal.viewed",
    )
    return render(request, "coaching/goal_detail.html", _detail_context(request, goal))


@require_POST
@vary_on_headers("HX-Request")
@once
def goal_reading_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add a reading. With htmx, answer with the readings section; without, redirect."""
    goal = get_goal_for_party(request, pk)
    form = ReadingForm(request.POST, goal=goal)
    saved = None
    if form.is_valid() and not form.ask_about_names():
        saved = goal_services.goal_reading_add(goal=goal, by=request.user, **_form_data(form))
        if not request.htmx:
            day = saved.taken_on
            messages.success(
                request,
                f"Reading saved: {goal.format_value(saved.value)} on {day.day} {day:%B %Y}.",
            )
            return redirect(goal)
        form = ReadingForm(goal=goal)
    context = _detail_context(request, goal, reading_form=form)
    context["saved"] = saved
    context["saved_value"] = goal.format_value(saved.value) if saved else ""
    if request.htmx:
        return render(request, "coaching/goal_detail.html#readings", context)
    return render(request, "coaching/goal_detail.html", context)
