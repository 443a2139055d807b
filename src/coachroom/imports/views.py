"""Web imports for school admins: upload → dry run → import for real, with progress."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachroom.accounts.access import member_required
from coachroom.accounts.models import Role
from coachroom.accounts.viewer import MemberRequest
from coachroom.imports import services, staff_csv
from coachroom.imports.access import get_run_for_admin
from coachroom.imports.common import megabytes
from coachroom.imports.forms import UploadForm
from coachroom.imports.models import ImportRun

ADMIN = Role.SCHOOL_ADMIN
RECENT_RUNS = 10


@member_required(ADMIN)
@require_http_methods(["GET", "POST"])
def upload(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_valid():
        file = form.cleaned_data["file"]
        run = services.upload_check(
            school=school,
            by=request.user,
            kind=form.cleaned_data["kind"],
            filename=file.name or "upload",
            data=file.read(),
            submission=form.cleaned_data["submission"],
        )
        return redirect(run)
    runs = (
        ImportRun.objects.for_school(school)
        .select_related("upload")
        .defer("upload__content")[:RECENT_RUNS]
    )
    context = {"form": form, "runs": runs, "max_size": megabytes(services.max_upload_bytes())}
    return render(request, "imports/upload.html", context)


@member_required(ADMIN)
@require_GET
def run_detail(request: MemberRequest, pk: int) -> HttpResponse:
    run = get_run_for_admin(request, pk)
    applied = None
    if run.dry_run:
        applied = (
            run.applied_by.exclude(status__in=[ImportRun.Status.FAILED, ImportRun.Status.INVALID])
            .order_by("-created_at")
            .first()
        )
    context = {
        "run": run,
        "applied": applied,
        "can_apply": (
            run.dry_run
            and run.status == ImportRun.Status.DONE
            and run.change_count > 0
            and applied is None
            and run.upload.cleared_at is None
        ),
        **services.result_context(run),
    }
    template = "imports/run_detail.html#run-status" if request.htmx else "imports/run_detail.html"
    return render(request, template, context)


@member_required(ADMIN)
@require_POST
def run_apply(request: MemberRequest, pk: int) -> HttpResponse:
    run = get_run_for_admin(request, pk)
    return redirect(services.run_apply(run=run, by=request.user))


@member_required(ADMIN)
@require_GET
def staff_template(request: MemberRequest) -> HttpResponse:
    response = HttpResponse(staff_csv.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coachroom-staff-template.csv"'
    return response
