"""Retention: erase coaching narrative that schools no longer need, keeping anonymous counts.

Domain §10. Each school keeps coaching notes for `School.retention_months` (default 12) after
a coaching pair ends or a person leaves (their membership is deactivated). After that:

- narrative text is blanked: drop-in notes, what went well, suggested focus and video links;
  meeting praise, step review, modelling, plan and reflection; rehearsal attempts and
  feedback; the free-text reasons in step histories and missed-session notes; the success
  criteria of their steps; what a learning-walk visit saw and its note for the teacher; the
  notes of a review of someone's coaching; thanks messages; a goal's statement, measure and
  method, and the notes on its readings; what a teacher noticed in a self-review, and the
  points it copied from the step. The rows stay, with their dates, states and ratings
  (walk sightings, review ratings, reading values), so completion figures and step counts are
  unchanged. Step titles stay.
- a person who has left every school they belonged to, each past its retention period, is
  anonymised: "Former member of staff", `former-<id>@invalid`, no password, inactive.
- audit events older than 24 months are deleted, in every school.

`retention_apply(dry_run=True)` counts what would go and writes nothing. A real run is one
transaction and writes one audit event per school that had anything erased. Rerunning it
erases nothing more: only rows that still have text, and people not yet anonymised, count.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import logging
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.audit.models import AuditEvent
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepTransition,
)
from coachroom.coaching.selfreview.models import SelfReview, SelfReviewPoint
from coachroom.leading.models import CoachingReview, Thanks, WalkVisit
from coachroom.reporting import counters
from coachroom.scheduling.models import CalendarFeed, NotificationPreferences, SessionOccurrence
from coachroom.video.models import Clip
from coachroom.video.tasks import clip_delete_files

logger = logging.getLogger(__name__)

AUDIT_KEEP_MONTHS = 24
FORMER_NAME = "Former member of staff"
ANONYMOUS_DOMAIN = "invalid"  # RFC 2606: never a real address

OBSERVATION_TEXT = ("went_well", "notes", "suggested_focus", "video_url")
MEETING_TEXT = ("praise", "step_review", "modelling", "plan", "reflection")
ROUND_TEXT = ("attempt", "feedback")
WALK_VISIT_TEXT = ("what_seen", "note")
GOAL_TEXT = ("statement", "measure", "method")
# These step events keep a rating (seen / partly / …) in `reason`, not narrative.
RATING_EVENTS = ("observed", "secured", "stuck")


@dataclass
class Counts:
    drop_ins: int = 0
    meetings: int = 0
    rehearsal_rounds: int = 0
    step_histories: int = 0
    step_criteria: int = 0
    session_notes: int = 0
    walk_visits: int = 0
    coaching_reviews: int = 0
    thanks: int = 0
    goals: int = 0
    goal_readings: int = 0
    self_reviews: int = 0
    self_review_points: int = 0
    people: int = 0
    audit_events: int = 0

    LABELS = {
        "drop_ins": "drop-ins with notes blanked",
        "meetings": "feedback meetings with notes blanked",
        "rehearsal_rounds": "rehearsal rounds blanked",
        "step_histories": "step history reasons blanked",
        "step_criteria": "step success criteria blanked",
        "session_notes": "missed-session notes blanked",
        "walk_visits": "learning-walk visits with notes blanked",
        "coaching_reviews": "reviews of coaching with notes blanked",
        "thanks": "thanks messages blanked",
        "goals": "goals with statement and measure blanked",
        "goal_readings": "goal reading notes blanked",
        "self_reviews": "self-reviews with notes blanked",
        "self_review_points": "self-review points blanked",
        "people": "people anonymised",
        "audit_events": "audit events older than 24 months deleted",
    }

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def total(self) -> int:
        return sum(self.as_dict().values())

    def lines(self) -> list[tuple[str, int]]:
        return [(self.LABELS[name], value) for name, value in self.as_dict().items()]

    def __iadd__(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


@dataclass
class SchoolResult:
    school: School | None  # None: rows that belong to no school (old audit events)
    cutoff: dt.date | None
    counts: Counts = field(default_factory=Counts)

    @property
    def label(self) -> str:
        return self.school.name if self.school else "Not tied to a school"


@dataclass
class RetentionReport:
    today: dt.date
    dry_run: bool
    schools: list[SchoolResult]

    @property
    def totals(self) -> Counts:
        totals = Counts()
        for result in self.schools:
            totals += result.counts
        return totals


# Dates ---------------------------------------------------------------------------------------


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def _end_of(day: dt.date) -> dt.datetime:
    """Midnight after `day`, school time: `< _end_of(day)` means "on or before day"."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def cutoff_for(school: School, today: dt.date) -> dt.date:
    """Pairs that ended, and people who left, on or before this day are past retention."""
    return months_before(today, school.retention_months)


# What is past retention, per school ------------------------------------------------------------


class Expired:
    """The querysets of one school's records past retention that still hold narrative."""

    def __init__(self, school: School, cutoff: dt.date) -> None:
        self.school = school
        self.pairs = CoachingRelationship.objects.filter(
            school=school, ended_on__isnull=False, ended_on__lte=cutoff
        ).values("pk")
        self.leavers = Membership.objects.filter(
            school=school, is_active=False, deactivated_at__lt=_end_of(cutoff)
        ).values("user")
        self.records = Q(school=school) & (
            Q(relationship__in=self.pairs) | Q(teacher__in=self.leavers)
        )

    def observations(self) -> QuerySet[Observation]:
        return Observation.objects.filter(self.records).filter(_any_text(OBSERVATION_TEXT))

    def meetings(self) -> QuerySet[FeedbackMeeting]:
        return FeedbackMeeting.objects.filter(self.records).filter(_any_text(MEETING_TEXT))

    def rounds(self) -> QuerySet[RehearsalRound]:
        meetings = FeedbackMeeting.objects.filter(self.records).values("pk")
        return RehearsalRound.objects.filter(school=self.school, meeting__in=meetings).filter(
            _any_text(ROUND_TEXT)
        )

    def _steps(self) -> QuerySet[ActionStep]:
        """A step belongs to its pair: once the pair has ended it is read-only, whatever its
        state (coaching/services.py refuses changes to an ended pair's steps)."""
        return ActionStep.objects.filter(self.records)

    def step_criteria(self) -> QuerySet[ActionStep]:
        return self._steps().exclude(success_criteria="")

    def step_histories(self) -> QuerySet[StepTransition]:
        return (
            StepTransition.objects.filter(school=self.school, step__in=self._steps().values("pk"))
            .exclude(event__in=RATING_EVENTS)
            .exclude(reason="")
        )

    def session_notes(self) -> QuerySet[SessionOccurrence]:
        expired = Q(relationship__in=self.pairs) | Q(relationship__coachee__in=self.leavers)
        return (
            SessionOccurrence.objects.filter(school=self.school)
            .filter(expired)
            .exclude(reason_note="")
        )

    def walk_visits(self) -> QuerySet[WalkVisit]:
        """A visit is filed under the teacher's pair at the time; one made while the teacher
        had no coach expires only when they leave."""
        return WalkVisit.objects.filter(self.records).filter(_any_text(WALK_VISIT_TEXT))

    def coaching_reviews(self) -> QuerySet[CoachingReview]:
        """The reviewer→coach pair ended (it ends when either leaves), or the coach left."""
        expired = Q(relationship__in=self.pairs) | Q(coach__in=self.leavers)
        return CoachingReview.objects.filter(school=self.school).filter(expired).exclude(notes="")

    def thanks(self) -> QuerySet[Thanks]:
        return Thanks.objects.filter(self.records).exclude(message="")

    def _goals(self) -> QuerySet[Goal]:
        return Goal.objects.filter(self.records)

    def goals(self) -> QuerySet[Goal]:
        return self._goals().filter(_any_text(GOAL_TEXT))

    def self_reviews(self) -> QuerySet[SelfReview]:
        return SelfReview.objects.filter(self.records).exclude(noticed="")

    def self_review_points(self) -> QuerySet[SelfReviewPoint]:
        reviews = SelfReview.objects.filter(self.records).values("pk")
        return SelfReviewPoint.objects.filter(school=self.school, review__in=reviews).exclude(
            criterion=""
        )

    def goal_readings(self) -> QuerySet[GoalReading]:
        return GoalReading.objects.filter(
            school=self.school, goal__in=self._goals().values("pk")
        ).exclude(note="")


def _any_text(names: tuple[str, ...]) -> Q:
    condition = Q()
    for name in names:
        condition |= ~Q(**{name: ""})
    return condition


def _blank(names: tuple[str, ...]) -> dict[str, str]:
    return dict.fromkeys(names, "")


def _erase_school(school: School, cutoff: dt.date, *, dry_run: bool) -> Counts:
    expired = Expired(school, cutoff)
    counts = Counts()
    # Children first: blanking a meeting must not hide its rounds from the next query.
    jobs: list[tuple[str, QuerySet[Any], dict[str, str]]] = [
        ("rehearsal_rounds", expired.rounds(), _blank(ROUND_TEXT)),
        ("step_histories", expired.step_histories(), {"reason": ""}),
        ("step_criteria", expired.step_criteria(), {"success_criteria": ""}),
        ("drop_ins", expired.observations(), _blank(OBSERVATION_TEXT)),
        ("meetings", expired.meetings(), _blank(MEETING_TEXT)),
        ("session_notes", expired.session_notes(), {"reason_note": ""}),
        ("walk_visits", expired.walk_visits(), _blank(WALK_VISIT_TEXT)),
        ("coaching_reviews", expired.coaching_reviews(), {"notes": ""}),
        ("thanks", expired.thanks(), {"message": ""}),
        ("goal_readings", expired.goal_readings(), {"note": ""}),
        ("goals", expired.goals(), _blank(GOAL_TEXT)),
        ("self_review_points", expired.self_review_points(), {"criterion": ""}),
        ("self_reviews", expired.self_reviews(), {"noticed": ""}),
    ]
    for name, queryset, blank in jobs:
        # update() skips save(): StepTransition.save() refuses changes to history, and the
        # blanking must not touch `updated_at`, which dates the coaching, not the erasure.
        setattr(counts, name, queryset.count() if dry_run else queryset.update(**blank))
    if counts.step_histories and not dry_run:
        # the dashboards count a slipped stick-check by its history's reason, now blank
        counters.recount_steps(school_id=school.pk)
    return counts


# People ----------------------------------------------------------------------------------------


def people_to_anonymise(cutoffs: dict[int, dt.date]) -> dict[int, list[User]]:
    """Leavers no school keeps: every membership inactive and past that school's retention.
    Keyed by the school they left last, for the report."""
    candidates = (
        User.objects.filter(memberships__isnull=False, is_superuser=False)
        .exclude(memberships__is_active=True)
        .exclude(administered_trusts__isnull=False)
        .exclude(email__endswith=f"@{ANONYMOUS_DOMAIN}")
        .distinct()
        .order_by("pk")
    )
    users = {u.pk: u for u in candidates}
    memberships: dict[int, list[Membership]] = {}
    for m in Membership.objects.filter(user__in=list(users)).order_by("user", "pk"):
        memberships.setdefault(m.user_id, []).append(m)
    due: dict[int, list[User]] = {}
    for user_id, ms in memberships.items():
        if all(
            m.deactivated_at is not None
            and m.school_id in cutoffs
            and m.deactivated_at < _end_of(cutoffs[m.school_id])
            for m in ms
        ):
            last = max(ms, key=lambda m: (m.deactivated_at, m.pk))
            due.setdefault(last.school_id, []).append(users[user_id])
    return due


def user_anonymise(user: User) -> None:
    """Keep the row (so counts stay) but nothing that identifies the person."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    old_email = user.email
    user.first_name = FORMER_NAME
    user.last_name = ""
    user.email = f"former-{user.pk}@{ANONYMOUS_DOMAIN}"
    user.source_id = ""
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    Membership.objects.filter(user=user).update(
        job_title="", subjects="", key_stages="", source_id=""
    )
    CalendarFeed.objects.filter(user=user).delete()
    NotificationPreferences.objects.filter(user=user).delete()
    for log in (AccessAttempt, AccessFailureLog, AccessLog):
        log.objects.filter(username__iexact=old_email).delete()
    for clip in Clip.objects.filter(owner=user):  # their lesson videos are theirs alone
        clip_delete_files(clip)
        clip.delete()


# The whole run -------------------------------------------------------------------------------


def _old_audit(now: dt.datetime) -> QuerySet[AuditEvent]:
    oldest_kept = months_before(timezone.localdate(now), AUDIT_KEEP_MONTHS)
    return AuditEvent.objects.filter(created_at__lt=_end_of(oldest_kept))


def retention_apply(*, dry_run: bool, today: dt.date | None = None) -> RetentionReport:
    """Erase (or with `dry_run`, count) everything past retention, in one transaction."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        schools = list(School.objects.order_by("name", "pk"))
        cutoffs = {s.pk: cutoff_for(s, today) for s in schools}
        results = {s.pk: SchoolResult(s, cutoffs[s.pk]) for s in schools}
        orphans = SchoolResult(None, None)
        for school in schools:
            results[school.pk].counts = _erase_school(school, cutoffs[school.pk], dry_run=dry_run)
        for school_id, people in people_to_anonymise(cutoffs).items():
            results[school_id].counts.people = len(people)
            if not dry_run:
                for user in people:
                    user_anonymise(user)
        old_audit = _old_audit(now)
        for row in old_audit.values("school").annotate(n=Count("pk")).order_by():
            target = results.get(row["school"], orphans)
            target.counts.audit_events = row["n"]
        if not dry_run:
            old_audit.delete()
            for result in [*results.values(), orphans]:
                if result.counts.total:
                    audit.record(
                        actor=None,
                        action="records.retention.applied",
                        school=result.school,
                        data={
                            **result.counts.as_dict(),
                            "cutoff": result.cutoff.isoformat() if result.cutoff else None,
                            "retention_months": (
                                result.school.retention_months if result.school else None
                            ),
                        },
                    )
    report = RetentionReport(today=today, dry_run=dry_run, schools=[*results.values(), orphans])
    logger.info(
        "retention dry run" if dry_run else "retention applied",
        extra={"today": today.isoformat(), **report.totals.as_dict()},
    )
    return report


def preview_for_school(school: School, today: dt.date | None = None) -> Counts:
    """What the next run would erase in one school (people and audit included)."""
    today = today or timezone.localdate()
    cutoff = cutoff_for(school, today)
    counts = _erase_school(school, cutoff, dry_run=True)
    cutoffs = {s.pk: cutoff_for(s, today) for s in School.objects.all()}
    counts.people = len(people_to_anonymise(cutoffs).get(school.pk, []))
    counts.audit_events = _old_audit(timezone.now()).filter(school=school).count()
    return counts


def format_report(report: RetentionReport) -> list[str]:
    lines = []
    for result in report.schools:
        if result.school is None and not result.counts.total:
            continue
        if result.school is not None and result.cutoff is not None:
            lines.append(
                f"{result.label}: keeps coaching notes {result.school.retention_months} months "
                f"(pairs ended and people who left on or before {result.cutoff:%d %b %Y})"
            )
        else:
            lines.append(f"{result.label}:")
        width = max(len(label) for label in Counts.LABELS.values())
        lines += [f"  {label:<{width}}  {value:>6}" for label, value in result.counts.lines()]
    total = report.totals.total
    if report.dry_run:
        lines.append(f"Dry run: {total} changes would be made; nothing was changed.")
    else:
        lines.append(f"Done: {total} changes made." if total else "Nothing was past retention.")
    return lines


def run_retention(args: argparse.Namespace) -> int:
    report = retention_apply(dry_run=bool(getattr(args, "dry_run", False)))
    for line in format_report(report):
        print(line)
    return 0
