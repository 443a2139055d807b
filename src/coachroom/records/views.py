"""Data pages: exports, subject access, the school's data export and retention.

Who may do what (domain §3 and §10):
- anyone signed in: download everything held about them (`my-data`), and, if they have been
  coached, their own coaching record as a PDF (`my-record-pdf`, which takes no id: there is no
  way to ask for someone else's);
- leaders (school admin, senior leader, coaching lead): activity figures, counts only;
- the school's data protection lead: a subject access export for anyone on the school's staff
  list, and the school's whole data set. These are the only ways coaching notes leave Coachroom
  for someone other than the teacher, so no other role makes them (a school admin runs the
  school, and sees counts, never notes); each is audited against every person it covers;
- school admins: the retention period.
"""

from __future__ import annotations

import copy
import io
from typing import IO, Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from coachroom import audit
from coachroom.accounts.access import current_membership, member_required
from coachroom.accounts.models import Role
from coachroom.accounts.services import school_update_settings
from coachroom.accounts.viewer import MemberRequest
from coachroom.audit.models import AuditEvent
from coachroom.core.http import AuthedRequest
from coachroom.records import erasure, exports, research, school_data
from coachroom.records.forms import (
    ActivityExportForm,
    ResearchExportForm,
    RetentionForm,
    SchoolExportForm,
    SubjectAccessForm,
)
from coachroom.records.subject_access import subject_access_export
from coachroom.reporting.completion import CompletionQuery, default_range

LEADERS = (Role.SCHOOL_ADMIN, Role.SENIOR_LEADER, Role.COACHING_LEAD)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zip_response(out: IO[bytes], filename: str) -> HttpResponse:
    """Stream the temporary file; FileResponse closes it when the download ends."""
    response = FileResponse(
        out, as_attachment=True, filename=filename, content_type="application/zip"
    )
    # member_required is typed for HttpResponse views; a streamed response is served
    # the same way by every middleware here.
    return cast(HttpResponse, response)


def _today() -> str:
    return timezone.localdate().isoformat()


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    membership = current_membership(request)
    return render(
        request,
        "records/index.html",
        {
            "has_record": exports.has_coaching_record(request.user),
            "is_leader": membership is not None and membership.is_leader,
            "is_admin": membership is not None and membership.is_school_admin,
            "is_data_protection_lead": membership is not None
            and membership.is_data_protection_lead,
        },
    )


@require_GET
@member_required(*LEADERS)
def activity_export(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    named = request.membership.sees_named_figures
    form = ActivityExportForm(request.GET or None, default=default_range(school), named=named)
    if form.is_bound and form.is_valid() and form.cleaned_data["format"]:
        filters = form.filters()
        query = CompletionQuery(
            school=school, viewer_coach=None, filters=filters, names_visible=named
        )
        tables = exports.activity_tables(query)
        kind = form.cleaned_data["format"]
        table = form.cleaned_data["table"] or "summary"
        stem = f"activity-{slugify(school.name)}-{filters.start:%Y-%m-%d}-to-{filters.end:%Y-%m-%d}"
        if kind == "csv":
            text = io.StringIO()
            exports.write_csv(tables[table], text)
            response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
            filename = f"{stem}-{table}.csv"
        else:
            response = HttpResponse(exports.workbook_bytes(tables.values()), content_type=XLSX)
            filename = f"{stem}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        audit.record(
            actor=request.user,
            action="records.activity.exported",
            school=school,
            data={
                "format": kind,
                "table": table if kind == "csv" else "all",
                "from": filters.start.isoformat(),
                "to": filters.end.isoformat(),
            },
        )
        return response
    return render(
        request,
        "records/activity_export.html",
        {"form": form, "tables": form.table_titles, "school": school},
    )


@never_cache
@require_GET
def my_record_pdf(request: AuthedRequest) -> HttpResponse:
    """The signed-in person's own coaching record. Nobody else's: the URL takes no id."""
    if not exports.has_coaching_record(request.user):
        raise Http404("You have no coaching record yet.")
    pdf = exports.record_pdf_export(teacher=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(request.user.full_name) or "me"
    response["Content-Disposition"] = (
        f'attachment; filename="coaching-record-{name}-{_today()}.pdf"'
    )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def my_data(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        out = subject_access_export(person=request.user, by=request.user, school=None)
        return _zip_response(out, f"coachroom-my-data-{_today()}.zip")
    return render(request, "records/my_data.html")


@never_cache
@require_http_methods(["GET", "POST"])
@member_required(Role.DATA_PROTECTION_LEAD)
def subject_access(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = SubjectAccessForm(request.POST or None, school=school)
    if form.is_valid():
        person = form.cleaned_data["person"].user
        out = subject_access_export(person=person, by=request.user, school=school)
        name = slugify(person.full_name) or f"person-{person.pk}"
        return _zip_response(out, f"subject-access-{name}-{_today()}.zip")
    return render(request, "records/subject_access.html", {"form": form, "school": school})


@never_cache
@require_http_methods(["GET", "POST"])
@member_required(Role.DATA_PROTECTION_LEAD)
def school_export(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = SchoolExportForm(request.POST or None)
    if form.is_valid():
        out = school_data.school_export(
            school=school, by=request.user, reason=form.cleaned_data["reason"]
        )
        return _zip_response(out, f"school-data-{slugify(school.name)}-{_today()}.zip")
    context: dict[str, Any] = {
        "form": form,
        "school": school,
        "counts": school_data.school_counts(school),
        "people": len(school_data.covered_people(school)),
    }
    return render(request, "records/school_export.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@member_required(Role.DATA_PROTECTION_LEAD)
def research_export(request: MemberRequest) -> HttpResponse:
    """Pseudonymised steps for a researcher: no names, no text, k-anonymous (records/research)."""
    school = request.membership.school
    form = ResearchExportForm(request.POST or None)
    if form.is_valid():
        export = research.research_export(
            schools=[school], by=request.user, k=form.cleaned_data["k"]
        )
        response = HttpResponse(export.content, content_type="application/zip")
        name = f"research-{slugify(school.name)}-{_today()}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "records/research_export.html", {"form": form, "school": school})


@require_http_methods(["GET", "POST"])
@member_required(Role.SCHOOL_ADMIN)
def retention(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    # The form gets its own copy: a rejected value must not show up in the page's figures.
    form = RetentionForm(request.POST or None, instance=copy.copy(school))
    if request.method == "POST" and form.is_valid():
        months = form.cleaned_data["retention_months"]
        school_update_settings(school=school, by=request.user, retention_months=months)
        messages.success(request, f"Coaching notes are now kept for {months} months.")
        return redirect("records:retention")
    today = timezone.localdate()
    runs = AuditEvent.objects.filter(school=school, action="records.retention.applied").order_by(
        "-created_at", "-pk"
    )[:12]
    context: dict[str, Any] = {
        "form": form,
        "school": school,
        "cutoff": erasure.cutoff_for(school, today),
        "preview": erasure.preview_for_school(school, today).lines(),
        "runs": [(run, _run_lines(run.data)) for run in runs],
        "audit_months": erasure.AUDIT_KEEP_MONTHS,
    }
    return render(request, "records/retention.html", context)


def _run_lines(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [
        (label, data[name])
        for name, label in erasure.Counts.LABELS.items()
        if isinstance(data.get(name), int) and data[name]
    ]
