"""The step library: browse and search for everyone in a school; curate for coaching leads and
school admins."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from coachroom.accounts.models import CoachingRelationship
from coachroom.accounts.submissions import once
from coachroom.accounts.viewer import MemberRequest, coached_pairs
from coachroom.core.errors import DomainError
from coachroom.core.forms import PageQuery, read_query
from coachroom.core.links import pk_links
from coachroom.core.offline import offline_page
from coachroom.core.paging import Paginator
from coachroom.library import services
from coachroom.library.access import (
    any_member,
    curator_required,
    get_own_step_for_curator,
    get_step_for_member,
    is_curator,
    steps_for,
)
from coachroom.library.forms import (
    ITTECF_SECTIONS,
    CopyStepForm,
    LibrarySearchForm,
    LibraryStepForm,
)
from coachroom.library.models import LibraryStep, LibraryStepQuerySet, Phase, Problem, Strand

PAGE_SIZE = 20
LIST_FIELDS = (
    "title",
    "school",
    "trust",
    "strand__name",
    "strand__order",
    "substrand__name",
    "substrand__order",
    "phase",
    "subjects",
    "is_archived",
)


@any_member
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def step_list(request: MemberRequest) -> HttpResponse:
    # htmx asks for the whole page when it restores history it no longer has cached.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "library/step_list.html#step-results", _list_context(request))
    return render(request, "library/step_list.html", _list_context(request))


def _list_context(request: MemberRequest) -> dict[str, Any]:
    membership = request.membership
    school = membership.school
    curator = is_curator(membership)
    visible = steps_for(membership)
    problems = list(Problem.objects.order_by("pk"))
    search = LibrarySearchForm(
        request.GET or None,
        strands=list(Strand.objects.order_by("order", "name")),
        problems=problems,
        subjects=_subjects(visible),
        can_see_archived=curator,
    )
    filters: dict[str, Any] = {}
    if search.is_valid():
        filters = {k: v for k, v in search.cleaned_data.items() if v}
    steps = _filter(visible, filters, school_id=school.pk, curator=curator)
    # What the table shows, and no more: the long texts stay in the database.
    steps = steps.only(*LIST_FIELDS).select_related("strand", "substrand")
    ordered = steps.order_by(
        "strand__order", F("substrand__order").asc(nulls_last=True), Lower("title"), "pk"
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(read_query(PageQuery, request.GET)["page"])
    link = pk_links("library:step-detail")
    on_page = list(page.object_list)
    tags = _problem_tags(on_page, problems)
    return {
        "search": search,
        "page": page,
        "rows": [(step, link(step.pk), tags.get(step.pk, [])) for step in on_page],
        "is_filtered": bool(filters),
        "can_curate": curator,
        "query_string": _without_page(request),
    }


def _problem_tags(steps: list[LibraryStep], problems: list[Problem]) -> dict[int, list[Problem]]:
    """Each step's persistent problems, from its links alone: the problems themselves are the
    ones the filter has loaded already (prefetch_related would read them again)."""
    by_pk = {problem.pk: problem for problem in problems}
    links = LibraryStep.problems.through.objects.filter(librarystep__in=[s.pk for s in steps])
    tags: dict[int, list[Problem]] = {}
    for step_id, problem_id in links.order_by("problem_id").values_list(
        "librarystep_id", "problem_id"
    ):
        tags.setdefault(step_id, []).append(by_pk[problem_id])
    return tags


def _subjects(visible: LibraryStepQuerySet) -> list[str]:
    """The subjects named on the steps this school can see, for the subject filter."""
    names: set[str] = set()
    values = visible.exclude(subjects="").order_by().values_list("subjects", flat=True)
    for value in values.distinct():
        names.update(s.strip() for s in value.split(",") if s.strip())
    return sorted(names, key=str.lower)


def _filter(
    steps: LibraryStepQuerySet, filters: dict[str, Any], *, school_id: int, curator: bool
) -> LibraryStepQuerySet:
    for word in filters.get("q", "").split():
        steps = steps.filter(Q(title__icontains=word) | Q(looks_like__icontains=word))
    if "strand" in filters:
        steps = steps.filter(strand__slug=filters["strand"])
    if "phase" in filters:
        # A primary teacher looking for steps wants the all-phase ones too.
        steps = steps.filter(phase__in=[Phase.ALL, filters["phase"]])
    if "subject" in filters:
        # Subjects are stored as "A, B, C": match whole names, not fragments ("RE" in "Art").
        subject = filters["subject"]
        steps = steps.filter(
            Q(subjects__iexact=subject)
            | Q(subjects__istartswith=f"{subject},")
            | Q(subjects__iendswith=f", {subject}")
            | Q(subjects__icontains=f", {subject},")
        )
    if "problem" in filters:
        steps = steps.filter(problems__slug=filters["problem"])
    if filters.get("owner") == "ours":
        steps = steps.filter(school_id=school_id)
    elif filters.get("owner") == "starter":
        steps = steps.filter(school__isnull=True, trust__isnull=True)
    # `is_hidden_here` is annotated by steps_for(); only curators' querysets include such rows
    # (for anyone else steps_for() has left them out already).
    if curator:
        retired = Q(is_archived=True) | Q(is_hidden_here=True)
        steps = steps.filter(retired if filters.get("status") == "archived" else ~retired)
    return steps


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@offline_page  # a step the coach opened, to hand in a classroom with no signal
@any_member
@require_http_methods(["GET"])
def step_detail(request: MemberRequest, pk: int) -> HttpResponse:
    step = get_step_for_member(request, pk)
    school = request.membership.school
    curator = is_curator(request.membership)
    is_own = step.school_id == school.pk
    our_copies: list[LibraryStep] = []
    if not is_own:
        our_copies = list(
            LibraryStep.objects.available_to(school).filter(copied_from=step, school=school)
        )
    # A teacher may not open an original their school has hidden: name it, without a link.
    original_visible = (
        step.copied_from_id is not None
        and steps_for(request.membership).filter(pk=step.copied_from_id).exists()
    )
    return render(
        request,
        "library/step_detail.html",
        {
            "step": step,
            "original_visible": original_visible,
            "is_own": is_own,
            "is_shared": not is_own,
            "is_retired": step.is_archived or getattr(step, "is_hidden_here", False),
            "ittecf": [
                (int(n), ITTECF_SECTIONS[int(n)])
                for n in step.ittecf_sections.split(",")
                if n.strip().isdigit() and int(n) in ITTECF_SECTIONS
            ],
            "our_copies": our_copies,
            "can_curate": curator,
            "can_edit": curator and is_own,
            "meeting_pairs": _meeting_pairs(request, step),
        },
    )


def _meeting_pairs(request: MemberRequest, step: LibraryStep) -> list[CoachingRelationship]:
    """The coach's current pairs here, to take a live step into one of their meetings."""
    if (
        not request.membership.is_coach
        or step.is_archived
        or getattr(step, "is_hidden_here", False)
    ):
        return []
    return list(
        coached_pairs(request.user)
        .filter(school=request.membership.school)
        .select_related("coachee")
        .order_by("coachee__last_name", "coachee__first_name", "pk")
    )


@curator_required
@require_http_methods(["GET", "POST"])
@once
def step_create(request: MemberRequest) -> HttpResponse:
    form = LibraryStepForm(request.POST or None)
    if form.is_valid():
        step = services.library_step_create(
            school=request.membership.school, by=request.user, **form.cleaned_data
        )
        messages.success(request, f"“{step.title}” has been added to your school's library.")
        return redirect(step)
    return render(request, "library/step_form.html", {"form": form, "mode": "create"})


@curator_required
@require_http_methods(["GET", "POST"])
def step_copy(request: MemberRequest, pk: int) -> HttpResponse:
    original = get_step_for_member(request, pk)
    school = request.membership.school
    can_hide = original.school_id is None and not getattr(original, "is_hidden_here", False)
    initial = model_to_dict(original, fields=list(LibraryStepForm.Meta.fields))
    form = CopyStepForm(request.POST or None, initial=initial, can_hide=can_hide)
    if form.is_valid():
        data = dict(form.cleaned_data)
        hide = bool(data.pop("hide_original", False))
        copy = services.library_step_copy(
            step=original, school=school, by=request.user, hide_original=hide, **data
        )
        messages.success(
            request,
            f"Your copy of “{original.title}” is saved in {school.name}'s library."
            + (" The original is now hidden from your school." if hide else ""),
        )
        return redirect(copy)
    return render(
        request,
        "library/step_form.html",
        {"form": form, "mode": "copy", "original": original},
    )


@curator_required
@require_http_methods(["GET", "POST"])
def step_edit(request: MemberRequest, pk: int) -> HttpResponse:
    step = get_own_step_for_curator(request, pk)
    version = step.version
    # Not `instance=step`: a ModelForm writes the typed values onto its instance while it
    # validates, and the service compares the new values with the saved ones.
    initial = model_to_dict(step, fields=list(LibraryStepForm.Meta.fields))
    form = LibraryStepForm(request.POST or None, initial=initial)
    if form.is_valid():
        step = services.library_step_update(step=step, by=request.user, **form.cleaned_data)
        if step.version == version:
            messages.info(request, "Nothing had changed, so nothing was saved.")
        else:
            messages.success(request, f"“{step.title}” is saved as version {step.version}.")
        return redirect(step)
    return render(request, "library/step_form.html", {"form": form, "mode": "edit", "step": step})


@curator_required
@require_http_methods(["GET", "POST"])
def step_archive(request: MemberRequest, pk: int) -> HttpResponse:
    step = get_step_for_member(request, pk)
    school = request.membership.school
    if request.method == "POST":
        try:
            services.library_step_archive(step=step, school=school, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(step)
        if step.school_id == school.pk:
            messages.success(request, f"“{step.title}” has been archived.")
        else:
            messages.success(request, f"“{step.title}” is now hidden from {school.name}.")
        return redirect("library:step-list")
    return render(
        request,
        "library/step_archive.html",
        {"step": step, "is_own": step.school_id == school.pk},
    )


@curator_required
@require_POST
def step_restore(request: MemberRequest, pk: int) -> HttpResponse:
    step = get_step_for_member(request, pk)
    school = request.membership.school
    try:
        services.library_step_restore(step=step, school=school, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if step.school_id == school.pk:
            messages.success(request, f"“{step.title}” is back in your school's library.")
        else:
            messages.success(request, f"“{step.title}” is showing in {school.name} again.")
    return redirect(step)
