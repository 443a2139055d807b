"""Lesson video pages: my clips, upload, the clip with its player and comments, sharing.

Every clip view goes through `video/access.py`; someone the teacher has not shared a clip with
gets a 404, whatever their role. Every watch by someone else is audited and listed for the
teacher on the clip's page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from coachroom.accounts.access import member_required
from coachroom.accounts.models import CoachingRelationship, Role
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest
from coachroom.video import access, services, upload
from coachroom.video.forms import (
    ME,
    ColleagueForm,
    CommentForm,
    ConsentForm,
    UploadForm,
    VideoSettingsForm,
    YesNoForm,
)
from coachroom.video.media import ranged_file_response
from coachroom.video.models import Clip, ClipShare, VideoSettings
from coachroom.video.page import clip_context, clip_fail_if_stale, comments_vtt, my_clips_context
from coachroom.video.probe_upload import refuse_if_not_video


@require_GET
@member_required()
def my_clips(request: MemberRequest) -> HttpResponse:
    return render(request, "video/mine.html", my_clips_context(request))


@require_http_methods(["GET", "POST"])
@member_required()
def upload_clip(request: MemberRequest) -> HttpResponse:
    """The upload form. Without JavaScript it posts the whole file; the chunked uploader posts
    the same fields with the file's size and gets the chunk address back as JSON."""
    school = request.membership.school
    consents = services.teachers_who_consented(request.user, school.pk)
    chunked = request.headers.get("X-Upload") == "chunked"
    form = UploadForm(
        request.POST or None, request.FILES or None, consents=consents, chunked=chunked
    )
    if request.method == "POST" and form.is_valid():
        try:
            clip = _start(request, form, chunked=chunked)
        except DomainError as refused:
            form.add_error("file", str(refused))
        else:
            if chunked:
                return JsonResponse(_upload_state(clip))
            messages.success(request, "Your clip is uploaded. It will be ready to watch shortly.")
            return redirect(clip)
    if chunked:
        return JsonResponse({"errors": _errors(form)}, status=400)
    settings = VideoSettings.for_school(school)
    return render(request, "video/upload.html", {"form": form, "settings": settings})


def _start(request: MemberRequest, form: UploadForm, *, chunked: bool) -> Clip:
    data = form.cleaned_data
    consent = form.consent() if data["owner"] != ME else None
    if not chunked:
        refuse_if_not_video(data["file"])  # before anything is kept
    clip = upload.clip_start(
        school=request.membership.school,
        owner=consent.teacher if consent else request.user,
        by=request.user,
        title=data["title"],
        size=data["size"] if chunked else data["file"].size,
        key=data["key"],
        consent=consent,
    )
    if not chunked:
        upload.clip_receive_whole(clip=clip, upload=data["file"])
    return clip


def _errors(form: UploadForm) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


def _upload_state(clip: Clip) -> dict[str, Any]:
    return {
        "clip": clip.pk,
        "chunks": reverse("video:chunks", args=[clip.pk]),
        "page": clip.get_absolute_url(),
        "offset": clip.received_bytes,
        "size": clip.size_bytes,
        "status": clip.status,
        "chunk_size": upload.CHUNK_SIZE,
    }


@require_http_methods(["GET", "PUT"])
def chunks(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: how far the upload has got (to resume). PUT: the next chunk, starting at the
    `Upload-Offset` header; the wrong offset gets 409 and the right one."""
    clip = get_object_or_404(Clip.objects.filter(uploaded_by=request.user), pk=pk)
    if request.method == "PUT":
        try:
            offset = int(request.headers.get("Upload-Offset", ""))
        except ValueError:
            return JsonResponse({"error": "Upload-Offset is missing."}, status=400)
        try:
            clip = upload.clip_receive(
                clip=clip, offset=offset, chunks=iter(lambda: request.read(64 * 1024), b"")
            )
        except upload.WrongOffset as wrong:
            return JsonResponse({"error": str(wrong), "offset": wrong.offset}, status=409)
        except DomainError as refused:
            return JsonResponse({"error": str(refused)}, status=400)
    return JsonResponse(_upload_state(clip))


@require_GET
def clip_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    clip = access.get_clip_for_user(request.user, pk)
    clip_fail_if_stale(clip)
    services.record_view(clip=clip, by=request.user)
    return render(request, "video/clip.html", clip_context(request, clip))


@require_GET
def clip_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The status region, polled by htmx every few seconds while the clip is processing. Once
    it is ready, the page reloads to show the player."""
    clip = access.get_clip_for_user(request.user, pk)
    clip_fail_if_stale(clip)
    if not request.htmx:
        return redirect(clip)
    response = render(request, "video/clip.html#status", {"clip": clip})
    if clip.is_ready:
        response["HX-Refresh"] = "true"
    return response


@require_safe
def clip_video(request: AuthedRequest, pk: int) -> HttpResponseBase:
    clip = access.get_clip_for_user(request.user, pk)
    if not clip.is_ready or not clip.mp4:
        return HttpResponse(status=404)
    etag = f'"{clip.key}-{clip.ready_at:%s}"' if clip.ready_at else f'"{clip.key}"'
    return ranged_file_response(request, clip.mp4, content_type="video/mp4", etag=etag)


@require_safe
def clip_poster(request: AuthedRequest, pk: int) -> HttpResponseBase:
    clip = access.get_clip_for_user(request.user, pk)
    if not clip.poster:
        return HttpResponse(status=404)
    return ranged_file_response(
        request, clip.poster, content_type="image/jpeg", etag=f'"{clip.key}-p"'
    )


@require_GET
def comment_track(request: AuthedRequest, pk: int) -> HttpResponse:
    """The comments as a WebVTT track, so the player shows each at its time."""
    clip = access.get_clip_for_user(request.user, pk)
    return HttpResponse(
        comments_vtt(list(clip.comments.select_related("author"))),
        content_type="text/vtt; charset=utf-8",
    )


@require_POST
def comment_add(request: AuthedRequest, pk: int) -> HttpResponse:
    clip = access.get_clip_for_user(request.user, pk)
    form = CommentForm(request.POST, steps=services.steps_to_tag(clip))
    if form.is_valid():
        try:
            services.comment_add(
                clip=clip,
                by=request.user,
                at_seconds=form.cleaned_data["at"],
                text=form.cleaned_data["text"],
                key=form.cleaned_data["key"],
                **form.tagged(),
            )
        except DomainError as refused:
            form.add_error("at", str(refused))
        else:
            if not request.htmx:
                return redirect(f"{clip.get_absolute_url()}#comments")
            form = CommentForm(steps=services.steps_to_tag(clip))
    context = clip_context(request, clip, comment_form=form)
    template = "video/clip.html#comments" if request.htmx else "video/clip.html"
    return render(
        request, template, context, status=200 if form.is_bound is False or form.is_valid() else 400
    )


@require_POST
def share_coach(request: AuthedRequest, pk: int) -> HttpResponse:
    clip = access.get_own_clip(request.user, pk)
    form = YesNoForm(request.POST)
    if form.is_valid():
        services.clip_share_with_coach(clip=clip, by=request.user, on=form.cleaned_data["on"])
        messages.success(
            request,
            "Your coach can watch this clip."
            if clip.shared_with_coach
            else "Your coach can no longer watch this clip.",
        )
    return redirect(f"{clip.get_absolute_url()}#sharing")


@require_POST
def share_add(request: AuthedRequest, pk: int) -> HttpResponse:
    clip = access.get_own_clip(request.user, pk)
    form = ColleagueForm(request.POST, school=clip.school, owner=request.user)
    if form.is_valid():
        colleague = form.cleaned_data["colleague"]
        services.clip_share_add(clip=clip, by=request.user, colleague=colleague)
        messages.success(request, f"{colleague.full_name} can watch this clip and comment on it.")
        return redirect(f"{clip.get_absolute_url()}#sharing")
    return render(
        request, "video/clip.html", clip_context(request, clip, colleague_form=form), status=400
    )


@require_POST
def share_revoke(request: AuthedRequest, pk: int, share_pk: int) -> HttpResponse:
    clip = access.get_own_clip(request.user, pk)
    share = get_object_or_404(
        ClipShare.objects.filter(clip=clip).select_related("colleague", "clip"), pk=share_pk
    )
    services.clip_share_revoke(share=share, by=request.user)
    messages.success(request, f"{share.colleague.full_name} can no longer watch this clip.")
    return redirect(f"{clip.get_absolute_url()}#sharing")


@require_POST
def keep(request: AuthedRequest, pk: int) -> HttpResponse:
    clip = access.get_own_clip(request.user, pk)
    form = YesNoForm(request.POST)
    if form.is_valid():
        services.clip_keep(clip=clip, by=request.user, keep=form.cleaned_data["on"])
    return redirect(clip)


@require_http_methods(["GET", "POST"])
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    clip = access.get_own_clip(request.user, pk)
    if request.method == "POST":
        services.clip_delete(clip=clip, by=request.user)
        messages.success(request, "The clip, its comments and its files are deleted.")
        return redirect("video:mine")
    return render(request, "video/delete.html", {"clip": clip})


@require_POST
@member_required()
def consent(request: MemberRequest) -> HttpResponse:
    """The teacher lets their coach upload clips of their lessons for them, or stops it."""
    form = ConsentForm(request.POST)
    if form.is_valid():
        pairs = CoachingRelationship.objects.current().filter(
            school=request.membership.school, coachee=request.user
        )
        pair = get_object_or_404(
            pairs.select_related("coach", "school"), pk=form.cleaned_data["pair"]
        )
        if form.cleaned_data["on"]:
            services.consent_give(pair=pair, by=request.user)
            messages.success(
                request, f"{pair.coach.full_name} can upload clips of your lessons for you."
            )
        else:
            services.consent_withdraw(pair=pair, by=request.user, now=timezone.now())
            messages.success(request, f"{pair.coach.full_name} can no longer upload clips for you.")
    return redirect("video:mine")


@require_http_methods(["GET", "POST"])
@member_required(Role.SCHOOL_ADMIN)
def school_settings(request: MemberRequest) -> HttpResponse:
    """The filming protocol and limits. Settings only: the admin never sees a clip."""
    current = VideoSettings.for_school(request.membership.school)
    form = VideoSettingsForm(request.POST or None, instance=current)
    if form.is_valid():
        form.save()
        messages.success(request, "Video settings saved.")
        return redirect("video:settings")
    return render(request, "video/settings.html", {"form": form})
