"""The demo's self-reviews: a teacher has reviewed two recent lessons against her step, one
shared with her coach and one kept to herself, through the real service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship
from coachroom.coaching.demo import demo_clock
from coachroom.coaching.models import ActionStep, StepState
from coachroom.coaching.selfreview import services
from coachroom.coaching.selfreview.models import Decision, PointRating
from coachroom.coaching.step_actions import SELF_REVIEWABLE
from coachroom.core.demo import DemoContext

# Teachers who might review their own lessons, first with a step to review wins.
CANDIDATES = ("oak-t2", "oak-t4", "oak-t5", "elm-t2", "elm-t4", "elm-t5")
NOTICED = [
    "The pause worked on the second try: the back table looked up before I spoke.",
    "I rushed the scan when the visitor came in. Next time: stop, count to three, then speak.",
]


def _step_to_review(ctx: DemoContext) -> ActionStep | None:
    for key in CANDIDATES:
        teacher = ctx.people.get(key)
        if teacher is None:
            continue
        steps = ActionStep.objects.filter(
            teacher=teacher,
            state__in=SELF_REVIEWABLE,
            relationship__kind=CoachingRelationship.Kind.INSTRUCTIONAL,
        ).select_related("relationship", "school")
        # the step being practised, if there is one, else the newest secured
        step = steps.exclude(state=StepState.SECURED).order_by("-created_at", "-pk").first()
        step = step or steps.order_by("-created_at", "-pk").first()
        if step is not None and step.relationship.is_current:
            return step
    return None


def load(ctx: DemoContext) -> None:
    step = _step_to_review(ctx)
    if step is None:
        return
    today = timezone.localdate()
    calendar = step.school.calendar(from_date=today - dt.timedelta(days=40))
    taught = [
        day
        for day in (today - dt.timedelta(days=n) for n in range(1, 40))
        if calendar.is_school_day(day)
    ]
    if step.agreed_at is not None:  # lessons since the step was agreed
        taught = [day for day in taught if day > timezone.localtime(step.agreed_at).date()]
    if len(taught) < 2:
        return
    days = [taught[min(3, len(taught) - 1)], taught[0]]  # an earlier lesson, then yesterday's
    ratings = [
        [PointRating.SEEN, PointRating.PARTLY, PointRating.NOT_YET],
        [PointRating.SEEN, PointRating.SEEN, PointRating.PARTLY],
    ]
    for number, (day, marks) in enumerate(zip(days, ratings, strict=True)):
        points = [
            services.Point(criterion, marks[i % len(marks)])  # from memory: no clip, no times
            for i, criterion in enumerate(step.criteria)
        ]
        entered = services.Review(
            points=points,
            decision=Decision.CONTINUE,
            noticed=NOTICED[number],
            taught_on=day,
            shared_with_coach=number == 1,  # the later one shared; the first kept to herself
            submission=f"demo-self-review-{number}",
        )
        with demo_clock(day, 16, 20):
            step.refresh_from_db()
            services.selfreview_record(step=step, by=step.teacher, entered=entered)
