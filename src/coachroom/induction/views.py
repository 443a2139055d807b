"""Tagging a step or a meeting with the framework: one URL each answers the form on the record's
page (redirecting back without JavaScript, returning the panel to htmx) and, on GET, shows the
tags on a page of their own."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest
from coachroom.induction import services
from coachroom.induction.access import get_meeting_for_tagging, get_step_for_tagging
from coachroom.induction.forms import RemoveTagForm, TagForm
from coachroom.induction.models import FrameworkTag
from coachroom.induction.tag_panel import PANEL, panel_context


@require_http_methods(["GET", "POST"])
def step_tags(request: AuthedRequest, pk: int) -> HttpResponse:
    return _tags(request, get_step_for_tagging(request, pk))


@require_http_methods(["GET", "POST"])
def meeting_tags(request: AuthedRequest, pk: int) -> HttpResponse:
    return _tags(request, get_meeting_for_tagging(request, pk))


def _tags(request: AuthedRequest, record: ActionStep | FeedbackMeeting) -> HttpResponse:
    step = record if isinstance(record, ActionStep) else None
    meeting = record if isinstance(record, FeedbackMeeting) else None
    form: TagForm | None = None
    if request.method == "POST":
        if "remove" in request.POST:
            tags = FrameworkTag.objects.filter(step=step, meeting=meeting)
            remove = RemoveTagForm(request.POST, tags=tags)
            if remove.is_valid():
                services.tag_remove(tag=remove.cleaned_data["remove"], by=request.user)
            if not request.htmx:  # htmx swaps the panel in place, which shows the change
                if remove.is_valid():
                    messages.success(request, "Tag removed.")
                return redirect(record)
        else:
            form = TagForm(request.POST)
            if form.is_valid():
                try:
                    services.tag_add(
                        by=request.user,
                        section=form.cleaned_data["section"],
                        statement=form.cleaned_data["statement"],
                        step=step,
                        meeting=meeting,
                    )
                except DomainError as error:
                    form.add_error(None, str(error))
                else:
                    if not request.htmx:
                        messages.success(request, "Tag added.")
                        return redirect(record)
                    form = None
    context = panel_context(request, record, form)
    template = PANEL if request.htmx else "induction/tags.html"
    return render(request, template, context)
