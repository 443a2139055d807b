"""The framework tags on the step and meeting pages: what they show, and to whom the editor
is offered. Registered with coaching's page panels (coaching/panels.py) in `apps.py`; the tag
views render the same partial after a change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from coachroom.coaching.models import ActionStep, FeedbackMeeting, StepState
from coachroom.core.http import AuthedRequest
from coachroom.induction.access import may_tag
from coachroom.induction.forms import TagForm
from coachroom.induction.models import FrameworkStatement, FrameworkTag

PANEL = "induction/tags.html#tag-panel"


@dataclass(frozen=True)
class ShownTag:
    tag: FrameworkTag
    statement: FrameworkStatement | None  # None: the wording is not loaded (or no statement)


def shown_tags(tags: list[FrameworkTag]) -> list[ShownTag]:
    """Each tag with its statement's wording where the school has loaded it (one query)."""
    keys = {(t.section, t.statement) for t in tags if t.statement}
    texts = FrameworkStatement.objects.texts_for(keys)
    return [ShownTag(t, texts.get((t.section, t.statement))) for t in tags]


def panel_context(
    request: AuthedRequest, record: ActionStep | FeedbackMeeting, form: TagForm | None = None
) -> dict[str, Any]:
    if isinstance(record, ActionStep):
        tags = FrameworkTag.objects.for_step(record)
        can_edit = may_tag(request, record.relationship) and record.state != StepState.ARCHIVED
        action = reverse("induction:step-tags", args=[record.pk])
        kind = "step"
    else:
        tags = FrameworkTag.objects.for_meeting(record)
        can_edit = may_tag(request, record.relationship)
        action = reverse("induction:meeting-tags", args=[record.pk])
        kind = "meeting"
    return {
        "record": record,
        "kind": kind,
        "tags": shown_tags(list(tags)),
        "can_edit": can_edit,
        "action": action,
        "form": (form or TagForm()) if can_edit else None,
        "statements": list(FrameworkStatement.objects.only("section", "number", "text"))
        if can_edit
        else [],
    }


def render_panel(request: AuthedRequest, context: dict[str, Any]) -> SafeString:
    return render_to_string(PANEL, context, request=request)


class FrameworkTagPanel:
    """Shown when the record has tags or the viewer may add them."""

    def _render(self, request: HttpRequest, record: ActionStep | FeedbackMeeting) -> SafeString:
        authed = cast(AuthedRequest, request)  # the step and meeting pages need sign-in
        context = panel_context(authed, record)
        if not context["tags"] and not context["can_edit"]:
            return SafeString("")
        return render_panel(authed, context)

    def for_step(self, request: HttpRequest, step: ActionStep) -> SafeString:
        return self._render(request, step)

    def for_meeting(self, request: HttpRequest, meeting: FeedbackMeeting) -> SafeString:
        return self._render(request, meeting)
