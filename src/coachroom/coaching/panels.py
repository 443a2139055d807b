"""Extra sections on the step and meeting pages, and on a teacher's timeline, offered by apps
above coaching.

Coaching never imports those apps, so an app (induction, for the framework tags) registers a
panel here in its `AppConfig.ready()`; the step and meeting pages render every registered panel
with `{% record_panels step %}` (coaching/templatetags/record_panels.py), and the timeline every
registered teacher panel with `{% teacher_panels teacher school %}`. The page has already
fetched the record through `visible_to`, so a panel is only ever asked about a record the
viewer may see; it decides for itself what the viewer may change. With nothing registered
(coaching on its own), the pages show no panels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.safestring import SafeString

    from coachroom.accounts.models import School, User
    from coachroom.coaching.models import ActionStep, FeedbackMeeting


class RecordPanel(Protocol):
    def for_step(self, request: HttpRequest, step: ActionStep) -> SafeString:
        """HTML for the step page, or an empty string."""

    def for_meeting(self, request: HttpRequest, meeting: FeedbackMeeting) -> SafeString:
        """HTML for the meeting page, or an empty string."""


class TeacherPanel(Protocol):
    def for_teacher(self, request: HttpRequest, teacher: User, school: School) -> SafeString:
        """HTML for the teacher's timeline (the viewer may open it), or an empty string. What
        it shows of the teacher's records it reads through their `visible_to`."""


_panels: list[RecordPanel] = []
_teacher_panels: list[TeacherPanel] = []


def register(panel: RecordPanel) -> None:
    if not any(type(p) is type(panel) for p in _panels):
        _panels.append(panel)


def register_for_teacher(panel: TeacherPanel) -> None:
    if not any(type(p) is type(panel) for p in _teacher_panels):
        _teacher_panels.append(panel)


def render_for_teacher(request: HttpRequest, teacher: User, school: School) -> list[SafeString]:
    return [
        html for panel in _teacher_panels if (html := panel.for_teacher(request, teacher, school))
    ]


def render_for_step(request: HttpRequest, step: ActionStep) -> list[SafeString]:
    return [html for panel in _panels if (html := panel.for_step(request, step))]


def render_for_meeting(request: HttpRequest, meeting: FeedbackMeeting) -> list[SafeString]:
    return [html for panel in _panels if (html := panel.for_meeting(request, meeting))]
