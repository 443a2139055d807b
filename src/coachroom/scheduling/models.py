"""Protected coaching time: recurring slots, the sessions they plan, and what became of them."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School, User


class SessionKind(models.TextChoices):
    DROP_IN = "drop_in", "Drop-in"
    MEETING = "meeting", "Feedback meeting"


DEFAULT_MINUTES = {SessionKind.DROP_IN: 15, SessionKind.MEETING: 30}


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class ScheduledSlot(models.Model):
    """A protected, recurring time for one pair's drop-in or meeting, timetabled like a lesson."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every other week"
        MONTHLY = "monthly", "Every four weeks"  # a self-directed pair's check-in

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="slots"
    )
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    period = models.CharField(max_length=30, blank=True, help_text="For example Period 3")
    room = models.CharField(max_length=60, blank=True)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Blank: to the end of the year")
    is_active = models.BooleanField(default=True)
    clash_override_reason = models.CharField(
        "Why it goes ahead despite clashes", max_length=200, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["weekday", "start_time"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["relationship", "kind"],
                condition=Q(is_active=True),
                name="slot_one_active_per_pair_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}, {self.get_weekday_display()}s "
            f"{self.start_time:%H:%M} ({self.get_cadence_display().lower()})"
        )


class SessionQuerySet(models.QuerySet["SessionOccurrence"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def planned(self) -> Self:
        return self.filter(status=SessionOccurrence.Status.PLANNED)

    def counted(self) -> Self:
        """Sessions that count towards completion, each planned occasion once: a moved
        original, or a missed session booked again, is replaced by its new session."""
        return self.exclude(status=SessionOccurrence.Status.RESCHEDULED).exclude(
            status=SessionOccurrence.Status.MISSED, rescheduled_to__isnull=False
        )

    def due(self, now: dt.datetime | None = None) -> Self:
        """Counted sessions that should have happened by now: held, missed, cancelled, or
        planned with their day over and no record. Today's unrecorded ones are not due yet."""
        now = now or timezone.now()
        today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return (
            self.counted()
            .filter(starts_at__lt=now)
            .filter(~Q(status=SessionOccurrence.Status.PLANNED) | Q(starts_at__lt=today_start))
        )

    def overdue(self, now: dt.datetime | None = None) -> Self:
        """Planned sessions whose day has ended without a record."""
        today_start = timezone.localtime(now or timezone.now()).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return self.planned().filter(starts_at__lt=today_start)

    def involving(self, user: User) -> Self:
        """Sessions the person runs or is coached in. The coachee's side names their pairs
        (a subquery), not a join on the pair: with the join, the OR can use neither index, and
        the database joins every session in range to every pair in the school."""
        as_coachee = CoachingRelationship.objects.filter(coachee=user).values("pk")
        return self.filter(Q(coach=user) | Q(relationship__in=as_coachee))


class SessionOccurrence(models.Model):
    """One planned drop-in or meeting, and what happened to it."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Held"
        RESCHEDULED = "rescheduled", "Moved"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    class Reason(models.TextChoices):
        COACH_ABSENT = "coach_absent", "Coach absent"
        TEACHER_ABSENT = "teacher_absent", "Teacher absent"
        COVER = "cover", "Cover duty"
        TRIP = "trip", "Trip or visit"
        EXAMS = "exams", "Exams"
        CLOSURE = "closure", "School closure"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="sessions"
    )
    slot = models.ForeignKey(
        ScheduledSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    # The pair's coach, or another coach covering this one session.
    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="coaching_sessions")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=15)
    room = models.CharField(max_length=60, blank=True)
    period = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    reason_note = models.CharField(max_length=200, blank=True)
    filmed = models.BooleanField("Filmed for later review", default=False)
    clash_override_reason = models.CharField(
        "Why it goes ahead despite clashes", max_length=200, blank=True
    )
    # A drop-in booked at a feedback meeting as its "next drop-in" (one per meeting).
    booked_at_meeting = models.ForeignKey(
        "coaching.FeedbackMeeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rescheduled_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_from"
    )
    observation = models.ForeignKey(
        "coaching.Observation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    meeting = models.ForeignKey(
        "coaching.FeedbackMeeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Calendar feeds: a stable UID, and a SEQUENCE that rises with every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "starts_at"], name="session_by_school_time"),
            models.Index(fields=["coach", "starts_at"], name="session_by_coach_time"),
            models.Index(fields=["relationship", "kind", "starts_at"], name="session_by_pair"),
            models.Index(fields=["school", "status", "starts_at"], name="session_by_status"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~Q(status="missed") | ~Q(reason=""), name="session_missed_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("scheduling:session-detail", args=[self.pk])

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def is_cover(self) -> bool:
        return self.coach_id != self.relationship.coach_id

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PLANNED and (
            timezone.localdate(self.starts_at) < timezone.localdate()
        )


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's secret iCalendar address. Regenerating the token revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed for {self.user_id}"

    def regenerate(self) -> None:
        self.token = new_feed_token()
        self.save(update_fields=["token"])


class NotificationPreferences(models.Model):
    """Which emails a person wants. Every email carries a one-click unsubscribe link."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    morning_list = models.BooleanField("Today's sessions, each school morning", default=True)
    weekly_digest = models.BooleanField("Weekly programme digest (coaching leads)", default=True)
    overdue_nudges = models.BooleanField("A nudge when a session has no record", default=True)

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"


class SentMessage(models.Model):
    """One row per email sent, keyed so that a restarted worker never sends it twice."""

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


# Tapering lives in scheduling/tapering/; importing its model here registers it with this app.
from coachroom.scheduling.tapering.models import CadenceChange  # noqa: E402, F401
