"""`{% record_panels step %}`, `{% record_panels meeting %}` and `{% teacher_panels teacher
school %}`: the panels other apps register
in coaching/panels.py, rendered where the tag stands. Formatting only: each panel decides what
it shows and who may change it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from coachroom.accounts.models import School, User
from coachroom.coaching import panels
from coachroom.coaching.models import ActionStep, FeedbackMeeting

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context: dict[str, Any], record: ActionStep | FeedbackMeeting) -> SafeString:
    request = context["request"]
    if isinstance(record, ActionStep):
        found = panels.render_for_step(request, record)
    else:
        found = panels.render_for_meeting(request, record)
    return format_html_join("", "{}", ((html,) for html in found))


@register.simple_tag(takes_context=True)
def teacher_panels(context: dict[str, Any], teacher: User, school: School) -> SafeString:
    found = panels.render_for_teacher(context["request"], teacher, school)
    return format_html_join("", "{}", ((html,) for html in found))
