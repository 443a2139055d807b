from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachroom.accounts import services
from coachroom.accounts.access import (
    choose_school,
    get_relationship_for_lead,
    get_staff_membership_for_admin,
    get_year_for_admin,
    member_required,
)
from coachroom.accounts.forms import (
    AcademicYearCreateForm,
    ClosureForm,
    PairLineManagerForm,
    ProfileForm,
    RelationshipForm,
    SchoolSettingsForm,
    ShowQuery,
    StaffEditForm,
    StaffInviteForm,
    StaffSearchForm,
    TermFormSet,
)
from coachroom.accounts.identity import IDENTITY_LOCKED, may_change_identity
from coachroom.accounts.models import (
    ROLE_FIELDS,
    AcademicYear,
    CoachingRelationship,
    Membership,
    Role,
    Term,
)
from coachroom.accounts.submissions import once
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import DomainError
from coachroom.core.forms import PageQuery, read_query
from coachroom.core.http import AuthedRequest

STAFF_PAGE_SIZE = 25
ADMIN = Role.SCHOOL_ADMIN
LEAD = Role.COACHING_LEAD


@require_POST
def switch_school(request: HttpRequest) -> HttpResponse:
    try:
        school_id = int(request.POST.get("school", ""))
    except ValueError:
        school_id = 0
    membership = choose_school(request, school_id)
    messages.success(request, f"You are now working in {membership.school.name}.")
    return redirect("home")


@require_http_methods(["GET", "POST"])
def profile(request: AuthedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user, prefix="profile")
    password_form = PasswordChangeForm(request.user, prefix="password")
    if request.method == "POST" and "password-old_password" in request.POST:
        password_form = PasswordChangeForm(request.user, request.POST, prefix="password")
        form = ProfileForm(instance=request.user, prefix="profile")
        if password_form.is_valid():
            password_form.save()
            update_session_auth_hash(request, password_form.user)
            messages.success(request, "Your password has been changed.")
            return redirect("accounts:profile")
    elif form.is_valid():
        form.save()
        messages.success(request, "Your details have been saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "password_form": password_form})


# Staff ---------------------------------------------------------------------------------------


@member_required(ADMIN, LEAD)
@require_GET
def staff_list(request: MemberRequest) -> HttpResponse:
    search = StaffSearchForm(request.GET or None)
    school = request.membership.school
    staff = Membership.objects.for_school(school).select_related("user")
    status, role, q = "active", "", ""
    if search.is_valid():
        status = search.cleaned_data["status"] or "active"
        role = search.cleaned_data["role"]
        q = search.cleaned_data["q"].strip()
    if status == "active":
        staff = staff.filter(is_active=True)
    elif status == "inactive":
        staff = staff.filter(is_active=False)
    if role:
        staff = staff.filter(**{ROLE_FIELDS[Role(role)]: True})
    for word in q.split():
        staff = staff.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    page = Paginator(staff.order_by("user__last_name", "user__first_name", "pk"), STAFF_PAGE_SIZE)
    context = {
        "search": search,
        "page": page.get_page(read_query(PageQuery, request.GET)["page"]),
        "is_filtered": bool(q or role or status != "active"),
        "can_manage": request.membership.is_school_admin,
        "query_string": _without_page(request),
    }
    template = (
        "accounts/staff_list.html#staff-results" if request.htmx else "accounts/staff_list.html"
    )
    return render(request, template, context)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
@once
def staff_invite(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = StaffInviteForm(
        request.POST or None, school=school, initial={"roles": [Role.TEACHER.value]}
    )
    if form.is_valid():
        # The same words whether or not an account was linked: an invitation never reveals
        # that an address belongs to someone outside the school (accounts/identity.py).
        services.staff_invite(school=school, by=request.user, **form.cleaned_data)
        messages.success(request, f"An invitation has been sent to {form.cleaned_data['email']}.")
        return redirect("accounts:staff-list")
    return render(request, "accounts/staff_invite.html", {"form": form})


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
def staff_edit(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_staff_membership_for_admin(request, pk)
    user = membership.user
    locked = not may_change_identity(request.user, user, school=membership.school)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": membership.job_title,
        "roles": [r.value for r in membership.roles],
        "is_ect": membership.is_ect,
        "subjects": membership.subjects,
        "phase": membership.phase,
    }
    form = StaffEditForm(request.POST or None, initial=initial, identity_locked=locked)
    if form.is_valid():
        data = dict(form.cleaned_data)
        new_email = data.pop("email", user.email)
        confirmed = request.POST.get("confirm") == "yes"
        if not confirmed and (confirmation := _role_removal(request, membership, data["roles"])):
            return confirmation
        try:
            services.staff_update(
                membership=membership, by=request.user, end_coach_pairs=confirmed, **data
            )
            if new_email != user.email:
                services.email_change_request(
                    person=user, new_email=new_email, by=request.user, school=membership.school
                )
                messages.info(
                    request,
                    f"A link to confirm the new address has been sent to {new_email}. "
                    "The email address changes once it is followed.",
                )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{user.full_name}'s details have been saved.")
            return redirect("accounts:staff-list")
    return render(
        request,
        "accounts/staff_edit.html",
        {
            "form": form,
            "staff": membership,
            "pairs": services.pairs_of(membership),
            "identity_locked": locked,
            "locked_reason": IDENTITY_LOCKED,
        },
    )


def _role_removal(
    request: AuthedRequest, membership: Membership, roles: list[str]
) -> HttpResponse | None:
    """Taking away Coach ends the person's pairs, and Coaching lead their reads: say so and
    ask first. The confirmation page posts the same form again with `confirm=yes`."""
    coach_pairs = (
        services.coach_pairs_of(membership)
        if membership.is_coach and Role.COACH.value not in roles
        else []
    )
    loses_lead = membership.is_coaching_lead and Role.COACHING_LEAD.value not in roles
    if not coach_pairs and not loses_lead:
        return None
    posted = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirm")
        for value in values
    ]
    return render(
        request,
        "accounts/staff_role_remove.html",
        {"staff": membership, "pairs": coach_pairs, "loses_lead": loses_lead, "posted": posted},
    )


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
def staff_deactivate(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_staff_membership_for_admin(request, pk)
    if request.method == "POST":
        try:
            services.staff_deactivate(membership=membership, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("accounts:staff-edit", pk=pk)
        messages.success(
            request,
            f"{membership.user.full_name} has been deactivated. Their coaching history is kept.",
        )
        return redirect("accounts:staff-list")
    return render(
        request,
        "accounts/staff_deactivate.html",
        {"staff": membership, "pairs": services.pairs_of(membership)},
    )


@member_required(ADMIN)
@require_POST
def staff_reactivate(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_staff_membership_for_admin(request, pk)
    services.staff_reactivate(membership=membership, by=request.user)
    messages.success(request, f"{membership.user.full_name} is active again.")
    return redirect("accounts:staff-edit", pk=pk)


@member_required(ADMIN)
@require_POST
def staff_resend_invitation(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_staff_membership_for_admin(request, pk)
    if not membership.is_active:
        messages.error(request, "Reactivate this person before sending an invitation.")
    else:
        services.send_invitation(membership=membership, by=request.user)
        messages.success(request, f"A new invitation has been sent to {membership.user.email}.")
    return redirect("accounts:staff-edit", pk=pk)


# Coaching pairs ------------------------------------------------------------------------------


@member_required(ADMIN, LEAD)
@require_http_methods(["GET", "POST"])
@once
def pair_list(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = RelationshipForm(request.POST or None, school=school)
    if form.is_valid():
        try:
            pair = services.relationship_create(school=school, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"{pair.coach.full_name} now coaches {pair.coachee.full_name}."
            )
            return redirect("accounts:pair-list")
    show_ended = read_query(ShowQuery, request.GET)["show"] == "ended"
    pairs = CoachingRelationship.objects.for_school(school).select_related(
        "coach", "coachee", "academic_year"
    )
    pairs = pairs.exclude(ended_on=None) if show_ended else pairs.current()
    paginator = Paginator(pairs.order_by("coach__last_name", "coachee__last_name", "pk"), 50)
    return render(
        request,
        "accounts/pair_list.html",
        {
            "form": form,
            "page": paginator.get_page(read_query(PageQuery, request.GET)["page"]),
            "show_ended": show_ended,
            "has_year": AcademicYear.objects.filter(school=school).exists(),
        },
    )


@member_required(ADMIN, LEAD)
@require_http_methods(["GET", "POST"])
def pair_end(request: MemberRequest, pk: int) -> HttpResponse:
    pair = get_relationship_for_lead(request, pk)
    if request.method == "POST":
        services.relationship_end(relationship=pair, by=request.user)
        messages.success(
            request, f"{pair.coach.full_name} no longer coaches {pair.coachee.full_name}."
        )
        return redirect("accounts:pair-list")
    return render(request, "accounts/pair_end.html", {"pair": pair})


@member_required(ADMIN, LEAD)
@require_POST
def pair_line_manager(request: MemberRequest, pk: int) -> HttpResponse:
    """Set or correct whether the coach line-manages the teacher, from the pairs list."""
    pair = get_relationship_for_lead(request, pk)
    form = PairLineManagerForm(request.POST)
    if form.is_valid():
        services.relationship_set_line_manager(
            relationship=pair, by=request.user, **form.cleaned_data
        )
        messages.success(request, f"Saved for {pair.coach.full_name} and {pair.coachee.full_name}.")
    else:
        messages.error(request, "Choose yes or no.")
    return redirect("accounts:pair-list")


# School calendar and settings -----------------------------------------------------------------


@member_required(ADMIN, LEAD)
@require_http_methods(["GET", "POST"])
def year_list(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = AcademicYearCreateForm(request.POST or None)
    can_edit = request.membership.is_school_admin
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only a school admin can add academic years.")
    if form.is_valid():
        try:
            year = services.academic_year_create(
                school=school, by=request.user, start_year=form.cleaned_data["start_year"]
            )
        except DomainError as error:
            form.add_error("start_year", str(error))
        else:
            messages.success(request, f"{year.name} has been created with typical term dates.")
            return redirect(year)
    years = AcademicYear.objects.filter(school=school).prefetch_related("terms")
    return render(
        request, "accounts/year_list.html", {"form": form, "years": years, "can_edit": can_edit}
    )


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
@once
def year_detail(request: MemberRequest, pk: int) -> HttpResponse:
    year = get_year_for_admin(request, pk)
    terms = Term.objects.filter(academic_year=year)
    is_terms = request.method == "POST" and "terms-TOTAL_FORMS" in request.POST
    formset = TermFormSet(request.POST if is_terms else None, queryset=terms, prefix="terms")
    closure_form = ClosureForm(
        request.POST if request.method == "POST" and not is_terms else None,
        year=year,
        prefix="closure",
    )
    if is_terms and formset.is_valid():
        for term in formset.save(commit=False):
            term.school = year.school
            term.academic_year = year
            term.save()
        for term in formset.deleted_objects:
            term.delete()
        _fit_year_to_terms(year)
        messages.success(request, "Term dates saved.")
        return redirect(year)
    if closure_form.is_valid():
        closure = closure_form.save(commit=False)
        closure.school = year.school
        closure.academic_year = year
        closure.save()
        messages.success(request, f"{closure.date:%d/%m/%Y} added as a closure day.")
        return redirect(year)
    return render(
        request,
        "accounts/year_detail.html",
        {"year": year, "formset": formset, "closure_form": closure_form},
    )


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
def year_close(request: MemberRequest, pk: int) -> HttpResponse:
    """End the year's pairs, after a page that lists them; their open steps are archived."""
    year = get_year_for_admin(request, pk)
    if request.method == "POST":
        ended = services.academic_year_close(year=year, by=request.user)
        messages.success(
            request, f"{year.name} is closed: {ended} coaching pair(s) ended, steps archived."
        )
        return redirect(year)
    context = {
        "year": year,
        "pairs": services.year_pairs(year),
        "ends_on": min(timezone.localdate(), year.ends_on),
    }
    return render(request, "accounts/year_close.html", context)


def _fit_year_to_terms(year: AcademicYear) -> None:
    terms = list(Term.objects.filter(academic_year=year).order_by("starts_on"))
    if terms:
        year.starts_on = min(year.starts_on, terms[0].starts_on)
        year.ends_on = max(year.ends_on, terms[-1].ends_on)
        year.save(update_fields=["starts_on", "ends_on"])


@member_required(ADMIN)
@require_POST
def closure_delete(request: MemberRequest, pk: int, closure_pk: int) -> HttpResponse:
    year = get_year_for_admin(request, pk)
    deleted, _ = year.closures.filter(pk=closure_pk).delete()
    if deleted:
        messages.success(request, "Closure day removed.")
    return redirect(year)


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
def school_settings(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = SchoolSettingsForm(request.POST or None, instance=school)
    if form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if changed:
            services.school_update_settings(school=school, by=request.user, **changed)
        messages.success(request, "School settings saved.")
        return redirect("accounts:school-settings")
    return render(request, "accounts/school_settings.html", {"form": form, "school": school})


@require_POST
def pair_sharing(request: AuthedRequest, pk: int) -> HttpResponse:
    """The coachee chooses whether this coach may see their earlier coaching history."""
    qs = CoachingRelationship.objects.current().filter(coachee=request.user)
    pair = get_object_or_404(qs, pk=pk)
    shared = request.POST.get("shared") == "yes"
    services.relationship_set_history_sharing(relationship=pair, by=request.user, shared=shared)
    if shared:
        messages.success(request, f"{pair.coach.full_name} can now see your earlier coaching.")
    else:
        messages.success(request, f"{pair.coach.full_name} no longer sees your earlier coaching.")
    return redirect("home")
