"""Counters the dashboards read instead of counting raw sessions, steps and transitions.

Each row is a bucket of counts, derived wholly from other tables: the writes that change the
raw rows recount the buckets they touch in the same transaction (`reporting/counters.py`),
`coachroom manage rebuild_counts` rebuilds and verifies them, backups leave them out and a
restore rebuilds them (docs/counters.md).

Session buckets count what the completion dashboard shows (reporting/completion.py):

    planned     sessions that count towards completion once their day is over: held, missed
                (not booked again), cancelled, or still planned ("not recorded")
    held        marked done
    missed      missed and not booked again (a rebooked miss is replaced by its new session)
    rebooked    missed and booked again: only the reasons table counts these
    cancelled   cancelled
    unrecorded  still planned

A moved original (`rescheduled`) counts nowhere. Days are school days in the site's time zone
(`settings.TIME_ZONE`), as on the dashboards; `week` is the Monday of `day`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from coachroom.accounts.models import CoachingRelationship, School


class SessionTallyFields(models.Model):
    day = models.DateField()
    week = models.DateField(help_text="The Monday of the day's week")
    kind = models.CharField(max_length=20)
    reason = models.CharField(max_length=20, blank=True)
    planned = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    rebooked = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    unrecorded = models.PositiveIntegerField(default=0)

    TALLY: ClassVar[tuple[str, ...]] = (
        "planned",
        "held",
        "missed",
        "rebooked",
        "cancelled",
        "unrecorded",
    )

    class Meta:
        abstract = True


class PairSessionCount(SessionTallyFields):
    """One pair's sessions of one kind on one day, by reason: the tables by coachee and by
    coach, and every table when the figures are narrowed to one coach's pairs."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["relationship", "day", "kind", "reason"], name="pair_count_one_bucket"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "day"], name="pair_count_by_school_day"),
        ]

    def __str__(self) -> str:
        return f"Sessions of pair {self.relationship_id} on {self.day} ({self.kind})"


class SchoolSessionCount(SessionTallyFields):
    """A school's sessions of one kind on one day, by reason: the sum of its pairs' buckets.
    The school-wide tables (by week, by half-term, reasons) and the programme dashboards."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["school", "day", "kind", "reason"], name="school_count_one_bucket"
            ),
        ]

    def __str__(self) -> str:
        return f"Sessions of school {self.school_id} on {self.day} ({self.kind})"


class StepCount(models.Model):
    """A school's action steps in one state: how many, how many stuck at their stick-check,
    and how many slipped at it (reopened by a stick-check, at any time)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20)
    steps = models.PositiveIntegerField(default=0)
    stuck = models.PositiveIntegerField(default=0)
    slipped = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["school", "state"], name="step_count_one_bucket"),
        ]

    def __str__(self) -> str:
        return f"Steps of school {self.school_id} in state {self.state}"


class SecuredCount(models.Model):
    """Steps secured in a school on one day (the dashboards' "secured this half-term")."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    secured = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["school", "day"], name="secured_count_one_bucket"),
        ]

    def __str__(self) -> str:
        return f"Steps secured in school {self.school_id} on {self.day}"


# Derived tables: left out of backups and rebuilt on restore.
COUNTER_MODELS: tuple[type[models.Model], ...] = (
    PairSessionCount,
    SchoolSessionCount,
    StepCount,
    SecuredCount,
)
