"""Framework coverage on an ECT's timeline: how often their mentoring has touched each of the
framework's eight sections, as a picture of emphasis.

Never a checklist: no statement is ticked off, no "n of m" and no per cent, because the
framework is an entitlement to learn from, not an assessment. The counts come from the
framework tags on the steps and meetings the viewer may see (`visible_to`), so the picture
shows no more than the timeline beside it. Registered as a timeline panel
(coaching/panels.py) in `apps.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.accounts.viewer import Viewer, viewer_of
from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.induction.models import FrameworkTag, Section

BAR_W = 100  # the longest bar, as a percentage of the room it has
BAR_STEP = 5  # bars are drawn in steps of 5% (one CSS class each: no inline styles under the CSP)


@dataclass(frozen=True)
class SectionCoverage:
    number: int
    title: str
    steps: int
    meetings: int
    width: int  # of the bar: 0 to BAR_W, in steps of BAR_STEP

    @property
    def touched(self) -> int:
        return self.steps + self.meetings


def section_counts(viewer: Viewer, teacher: User, school: School) -> dict[int, tuple[int, int]]:
    """Steps and meetings tagged with each section, among the teacher's mentoring records at
    this school that the viewer may see: one query."""
    mentoring = Q(school=school, relationship__kind=CoachingRelationship.Kind.ECF)
    steps = ActionStep.objects.visible_to(viewer, about=teacher).filter(mentoring)
    meetings = FeedbackMeeting.objects.visible_to(viewer, about=teacher).filter(mentoring)
    rows = (
        FrameworkTag.objects.filter(
            Q(step__in=steps.values("pk")) | Q(meeting__in=meetings.values("pk"))
        )
        .values("section")
        .annotate(steps=Count("step", distinct=True), meetings=Count("meeting", distinct=True))
    )
    return {row["section"]: (row["steps"], row["meetings"]) for row in rows}


def coverage(counts: dict[int, tuple[int, int]]) -> list[SectionCoverage]:
    """Every section, in framework order, with its bar: the longest bar is the section touched
    most, so the picture shows where the emphasis lies, whatever the total."""
    most = max((s + m for s, m in counts.values()), default=0) or 1
    rows = []
    for section in Section:
        steps, meetings = counts.get(section.value, (0, 0))
        rows.append(
            SectionCoverage(
                number=section.value,
                title=str(section.label),
                steps=steps,
                meetings=meetings,
                width=_bar_width(steps + meetings, most),
            )
        )
    return rows


def _bar_width(touched: int, most: int) -> int:
    """The bar's length in steps of `BAR_STEP`, never zero for a section that came up."""
    if not touched:
        return 0
    return max(BAR_STEP, BAR_STEP * round(BAR_W * touched / most / BAR_STEP))


def _description(rows: list[SectionCoverage]) -> str:
    touched = [r for r in rows if r.touched]
    if not touched:
        return "No step or meeting has been tagged with a framework section yet."
    most = max(touched, key=lambda r: r.touched)
    sections = (
        "1 of the eight sections has"
        if len(touched) == 1
        else f"{len(touched)} of the eight sections have"
    )
    return f"{sections} come up in mentoring so far; most often {most.number}, {most.title}."


class FrameworkCoveragePanel:
    """On the timeline of a teacher with ECT mentoring at the school."""

    def for_teacher(self, request: HttpRequest, teacher: User, school: School) -> SafeString:
        mentored = CoachingRelationship.objects.filter(
            school=school, coachee=teacher, kind=CoachingRelationship.Kind.ECF
        ).exists()
        if not mentored:
            return SafeString("")
        rows = coverage(section_counts(viewer_of(request), teacher, school))
        context = {
            "rows": rows,
            "description": _description(rows),
            "is_teacher": cast(User, request.user).pk == teacher.pk,
            "teacher": teacher,
        }
        return render_to_string("induction/coverage.html", context, request=request)
