"""Quality signals and recognition for coaches, as activity counts and shares.

Everything here is counted in the database with a fixed number of grouped queries, however many
coaches or meetings a school has. Coaches are listed by name: these figures help a coach and the
coaching lead see where coaching could grow, and they are never a ranking (domain §6: thank
coaches, never rank them). No note, praise or message text is read, except a coach's own thanks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from coachroom.accounts.models import School, User
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    Rating,
    RehearsalRound,
)
from coachroom.leading.models import CoachingReview, ReviewRating, Thanks

REOBSERVE_WITHIN_DAYS = 14


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.part / self.whole) if self.whole else None


@dataclass(frozen=True)
class MonthShare:
    month: dt.date  # the first of the month
    reviews: int
    seen_share: float  # the average, over the month's reviews, of items rated seen

    @property
    def percent(self) -> int:
        return round(100 * self.seen_share)


@dataclass
class CoachQuality:
    coach: User
    meetings: int = 0
    rehearsed: Share = Share(0, 0)  # at least one rehearsal round
    rehearsed_twice: Share = Share(0, 0)  # two or more rounds
    library_step: Share = Share(0, 0)  # of meetings with a step
    custom_step: Share = Share(0, 0)
    reobserved: Share = Share(0, 0)  # next submitted drop-in within 14 days
    teacher_proposed: Share = Share(0, 0)  # of agreed steps in the coach's pairs
    days_to_meeting: float | None = None  # average, from each drop-in to its meeting
    rubric: list[MonthShare] = field(default_factory=list)

    @property
    def reviews(self) -> int:
        return sum(m.reviews for m in self.rubric)


def _meeting_figures(
    school: School, ids: Sequence[int], now: dt.datetime
) -> dict[int, dict[str, int]]:
    rounds = (
        RehearsalRound.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    window = dt.timedelta(days=REOBSERVE_WITHIN_DAYS)
    reobserved = (
        Observation.objects.activity_in(school)
        .submitted()
        .filter(
            relationship=OuterRef("relationship"),
            observed_at__gt=OuterRef("held_at"),
            observed_at__lte=ExpressionWrapper(
                OuterRef("held_at") + Value(window), output_field=DateTimeField()
            ),
        )
    )
    rows = (
        FeedbackMeeting.objects.activity_in(school)
        .filter(coach__in=ids)
        .alias(
            round_count=Coalesce(Subquery(rounds, output_field=IntegerField()), 0),
            was_reobserved=Exists(reobserved),
        )
        .order_by()
        .values("coach")
        .annotate(
            meetings=Count("pk"),
            rehearsed=Count("pk", filter=Q(round_count__gte=1)),
            rehearsed_twice=Count("pk", filter=Q(round_count__gte=2)),
            with_step=Count("pk", filter=Q(step__isnull=False)),
            library=Count("pk", filter=Q(step__library_step__isnull=False)),
            reobserved=Count("pk", filter=Q(was_reobserved=True)),
            # a meeting counts once its 14 days are over, or sooner if already re-observed
            due=Count("pk", filter=Q(held_at__lte=now - window) | Q(was_reobserved=True)),
        )
    )
    return {row.pop("coach"): row for row in rows}


def _teacher_proposed(school: School, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    rows = (
        ActionStep.objects.activity_in(school)
        .filter(relationship__coach__in=ids, agreed_at__isnull=False)
        .order_by()
        .values("relationship__coach")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(proposed_by=F("teacher"))))
    )
    return {r["relationship__coach"]: (r["mine"], r["n"]) for r in rows}


def _days_to_meeting(school: School, ids: Sequence[int]) -> dict[int, float]:
    """Average days from each linked drop-in to the meeting after it (one grouped query)."""
    link = FeedbackMeeting.observations.through
    gap = ExpressionWrapper(
        F("feedbackmeeting__held_at") - F("observation__observed_at"),
        output_field=DurationField(),
    )
    rows = (
        link.objects.filter(feedbackmeeting__school=school, feedbackmeeting__coach__in=ids)
        .order_by()
        .values("feedbackmeeting__coach")
        .annotate(average=Avg(gap, output_field=DurationField()))
    )
    return {
        r["feedbackmeeting__coach"]: r["average"].total_seconds() / 86400
        for r in rows
        if r["average"] is not None
    }


def _rubric(school: School, ids: Sequence[int]) -> dict[int, list[MonthShare]]:
    rows = (
        ReviewRating.objects.filter(
            school=school, review__coach__in=ids, review__completed_at__isnull=False
        )
        .order_by()
        .values("review__coach", "review")
        .annotate(
            month=TruncMonth("review__held_on"),
            seen=Count("pk", filter=Q(rating=Rating.SEEN)),
            items=Count("pk"),
        )
    )
    shares: dict[int, dict[dt.date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if r["items"] and r["month"] is not None:
            shares[r["review__coach"]][r["month"]].append(r["seen"] / r["items"])
    return {
        coach: [
            MonthShare(month=month, reviews=len(values), seen_share=sum(values) / len(values))
            for month, values in sorted(months.items())
        ]
        for coach, months in shares.items()
    }


def quality_for(*, school: School, coaches: Sequence[User]) -> list[CoachQuality]:
    """The quality signals for each coach, in the order given (by name, never ranked)."""
    ids = [c.pk for c in coaches]
    now = timezone.now()
    meetings = _meeting_figures(school, ids, now)
    proposed = _teacher_proposed(school, ids)
    days = _days_to_meeting(school, ids)
    rubric = _rubric(school, ids)
    result = []
    for coach in coaches:
        m = meetings.get(coach.pk, {})
        n = m.get("meetings", 0)
        with_step = m.get("with_step", 0)
        library = m.get("library", 0)
        mine, agreed = proposed.get(coach.pk, (0, 0))
        result.append(
            CoachQuality(
                coach=coach,
                meetings=n,
                rehearsed=Share(m.get("rehearsed", 0), n),
                rehearsed_twice=Share(m.get("rehearsed_twice", 0), n),
                library_step=Share(library, with_step),
                custom_step=Share(with_step - library, with_step),
                reobserved=Share(m.get("reobserved", 0), m.get("due", 0)),
                teacher_proposed=Share(mine, agreed),
                days_to_meeting=days.get(coach.pk),
                rubric=rubric.get(coach.pk, []),
            )
        )
    return result


# Recognition -----------------------------------------------------------------------------------


@dataclass
class Recognition:
    coach: User
    meetings: int = 0
    drop_ins: int = 0
    secured: int = 0
    stuck: int = 0
    thanks: int = 0

    @property
    def sessions(self) -> int:
        return self.meetings + self.drop_ins


def _by_coach(rows: Iterable[dict[str, Any]], key: str) -> dict[int, int]:
    return {r[key]: r["n"] for r in rows}


def recognition_for(*, school: School, coaches: Sequence[User]) -> list[Recognition]:
    """Sessions held, steps secured and stuck, thanks received: four grouped counts."""
    ids = [c.pk for c in coaches]
    meetings = _by_coach(
        FeedbackMeeting.objects.activity_in(school)
        .filter(coach__in=ids)
        .order_by()
        .values("coach")
        .annotate(n=Count("pk")),
        "coach",
    )
    drop_ins = _by_coach(
        Observation.objects.activity_in(school)
        .submitted()
        .filter(observer__in=ids)
        .order_by()
        .values("observer")
        .annotate(n=Count("pk")),
        "observer",
    )
    steps = {
        r["relationship__coach"]: r
        for r in ActionStep.objects.activity_in(school)
        .filter(relationship__coach__in=ids, secured_at__isnull=False)
        .order_by()
        .values("relationship__coach")
        .annotate(n=Count("pk"), stuck_count=Count("pk", filter=Q(stuck_at__isnull=False)))
    }
    thanks = _by_coach(
        Thanks.objects.activity_in(school)
        .filter(coach__in=ids)
        .order_by()
        .values("coach")
        .annotate(n=Count("pk")),
        "coach",
    )
    return [
        Recognition(
            coach=c,
            meetings=meetings.get(c.pk, 0),
            drop_ins=drop_ins.get(c.pk, 0),
            secured=steps.get(c.pk, {}).get("n", 0),
            stuck=steps.get(c.pk, {}).get("stuck_count", 0),
            thanks=thanks.get(c.pk, 0),
        )
        for c in coaches
    ]


def review_counts(school: School) -> dict[str, int]:
    """For senior leaders: how much coaching-on-coaching happens, and nothing else."""
    return CoachingReview.objects.activity_in(school).aggregate(
        written=Count("pk", filter=Q(completed_at__isnull=False)),
        open=Count("pk", filter=Q(completed_at__isnull=True)),
        coaches=Count("coach", filter=Q(completed_at__isnull=False), distinct=True),
    )


# The rubric trend chart ------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 58, 16, 40, 44
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
INK, MUTED, BRAND, GRID = "#1d2327", "#4f5b62", "#0b5561", "#cfd6d3"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def rubric_chart(*, chart_id: str, title: str, months: Sequence[MonthShare]) -> SafeString:
    """A line of the seen-share per month, drawn like the programme's charts (with a table)."""
    band = PLOT_W / max(len(months), 1)

    def y(percent: int) -> float:
        return TOP + PLOT_H - PLOT_H * percent / 100

    markers = []
    points = []
    for i, m in enumerate(months):
        x, py = LEFT + band * (i + 0.5), y(m.percent)
        points.append(f"{_fmt(x)},{_fmt(py)}")
        markers.append(
            {
                "x": _fmt(x),
                "y": _fmt(py),
                "text_y": _fmt(py - 9 if m.percent < 90 else py + 20),
                "text": f"{m.percent}%",
                "tip": f"{m.month:%B %Y}: {m.percent}% of rubric items seen "
                f"({m.reviews} review{'s' if m.reviews != 1 else ''})",
            }
        )
    if months:
        desc = (
            f"The share of rubric items rated seen, each month from {months[0].month:%B %Y} "
            f"to {months[-1].month:%B %Y}: "
            + "; ".join(f"{m.month:%B %Y} {m.percent}%" for m in months)
            + ". The table that follows gives every figure."
        )
    else:
        desc = "No reviews yet, so there is no trend."
    context = {
        "id": chart_id,
        "title": title,
        "desc": desc,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + PLOT_H,
        "label_y": TOP + PLOT_H + 22,
        "colours": {"ink": INK, "muted": MUTED, "brand": BRAND, "grid": GRID},
        "line": " ".join(points) if len(points) > 1 else "",
        "markers": markers,
        "ticks": [{"y": _fmt(y(v)), "text": f"{v}%"} for v in (0, 25, 50, 75, 100)],
        "x_labels": [
            {"x": _fmt(LEFT + band * (i + 0.5)), "text": f"{m.month:%b %Y}"}
            for i, m in enumerate(months)
        ],
    }
    return render_to_string("components/chart_rubric.html", context)
