"""The portable record's pages: the ECT's download of their own record; the upload, preview
and attaching of an earlier record at the new school; and an earlier record, read-only, with
its original PDF.

Downloading is for the ECT alone, at their current school (everyone else: 404). Attaching is
for the school's induction tutors and senior leaders (others at the school: 403; other schools:
404). An earlier record is read like a review: the ECT, induction tutors and senior leaders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from coachroom import audit
from coachroom.accounts.access import member_required
from coachroom.accounts.viewer import MemberRequest
from coachroom.induction import reviews
from coachroom.induction.access import get_induction_to_manage, own_induction
from coachroom.induction.models import EarlierInductionRecord, Induction
from coachroom.induction.portable.display import shown
from coachroom.induction.portable.forms import ConfirmForm, UploadForm
from coachroom.induction.portable.services import (
    earlier_record_attach,
    record_archive,
    record_exported,
)
from coachroom.induction.review_views import ASSESSORS


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_required()
@require_http_methods(["GET", "POST"])
def mine_record(request: MemberRequest) -> HttpResponse:
    """The ECT's own record as a zip, to take to their next school."""
    induction = own_induction(request)
    if induction is None:
        raise Http404("You have no induction at this school.")
    export = record_archive(induction=induction, reader=request.viewer)
    record_exported(induction=induction, export=export, by=request.user)
    return _download(export.content, "application/zip", export.filename)


def _induction_to_attach_to(request: MemberRequest, pk: int) -> Induction:
    induction = get_induction_to_manage(request, pk)
    if not reviews.may_assess(request.user, induction.school_id):
        raise PermissionDenied(
            "Earlier records are attached by induction tutors and senior leaders."
        )
    return induction


@member_required(*ASSESSORS)
@require_http_methods(["GET", "POST"])
def earlier_import(request: MemberRequest, pk: int) -> HttpResponse:
    """Upload (GET, then POST the file), preview, then attach (POST `action=attach`)."""
    induction = _induction_to_attach_to(request, pk)
    context: dict[str, Any] = {"induction": induction, "form": UploadForm()}
    if request.method == "POST" and request.POST.get("action") == "attach":
        confirm = ConfirmForm(request.POST)
        if confirm.is_valid():
            record, made = earlier_record_attach(
                induction=induction, reading=confirm.reading, by=request.user
            )
            if made:
                messages.success(request, f"{record} is attached to this induction.")
            else:
                messages.info(request, f"{record} was already attached; it is attached once.")
            return redirect(record)
        context["confirm_form"] = confirm
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            context.update(_preview(request, induction, form))
    return render(request, "induction/earlier_import.html", context)


def _preview(request: MemberRequest, induction: Induction, form: UploadForm) -> dict[str, Any]:
    data = form.reading.data
    ect = induction.ect
    warnings = []
    if data["ect"]["email"].strip().lower() != ect.email.lower():
        warnings.append(
            f"The record is for {data['ect']['email']}, not {ect.email}. Attach it only if "
            f"it is {ect.full_name}'s."
        )
    if " ".join(data["ect"]["name"].split()).casefold() != ect.full_name.casefold():
        warnings.append(
            f"The record's name, {data['ect']['name']}, is not {ect.full_name}: check it is "
            "the same person (a changed surname, say)."
        )
    already = (
        EarlierInductionRecord.objects.visible_to(request.viewer)
        .filter(induction=induction, sha256=form.reading.sha256)
        .exists()
    )
    return {
        "preview": shown(data),
        "warnings": warnings,
        "already_attached": already,
        "confirm_form": form.confirmation(),
    }


def _get_earlier(request: MemberRequest, pk: int, *, with_pdf: bool) -> EarlierInductionRecord:
    visible = EarlierInductionRecord.objects.visible_to(request.viewer).select_related(
        "induction__ect", "school", "imported_by"
    )
    return get_object_or_404(visible if with_pdf else visible.defer("pdf"), pk=pk)


@member_required()
@require_http_methods(["GET"])
def earlier(request: MemberRequest, pk: int) -> HttpResponse:
    record = _get_earlier(request, pk, with_pdf=False)
    ect = record.induction.ect
    audit.audit_read(
        reader=request.user,
        about=ect,
        school=record.school,
        target=record,
        action="induction.earlier_record.viewed",
    )
    context = {"record": record, "data": shown(record.data), "is_ect": request.user.pk == ect.pk}
    return render(request, "induction/earlier_record.html", context)


@member_required()
@require_http_methods(["GET"])
def earlier_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    """The PDF as it came from the earlier school, unchanged."""
    record = _get_earlier(request, pk, with_pdf=True)
    audit.record(
        actor=request.user,
        action="induction.earlier_record.exported",
        school=record.school,
        target=record,
        subject=record.induction.ect,
    )
    name = slugify(record.previous_school) or "earlier-school"
    return _download(bytes(record.pdf), "application/pdf", f"induction-record-{name}.pdf")
