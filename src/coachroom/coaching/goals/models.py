"""Impact Cycle goals: what a teacher wants to change, how they will measure it, and the
readings taken. Notes on goals follow the privacy rule in `coaching/policy.py`."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.urls import reverse

from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching import policy
from coachroom.library.models import Priority


class GoalQuerySet(policy.GatedQuerySet["Goal"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def visible_to(self, user: policy.Who) -> Self:
        """Goals with measures are coaching records: the one privacy rule decides."""
        return self.filter(policy.notes_visible_q(user))


class Goal(models.Model):
    """An Impact Cycle goal for one coaching pair: Identify → Learn → Improve.

    A student-focused goal may carry a measure (what, unit, baseline, target, method), read
    over time as aggregates for the class or group: never a pupil's name or result.
    """

    class Focus(models.TextChoices):
        STUDENT = "student", "Student-focused: a change in what pupils do or achieve"
        TEACHER = "teacher", "Teacher-focused: a change in what the teacher does"

    class Phase(models.TextChoices):
        IDENTIFY = "identify", "Identify"
        LEARN = "learn", "Learn"
        IMPROVE = "improve", "Improve"

    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage of pupils (%)"
        COUNT = "count", "Count (number of pupils or times)"
        MINUTES = "minutes", "Minutes"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.PROTECT, related_name="goals"
    )
    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="coaching_goals")
    focus = models.CharField(max_length=20, choices=Focus.choices, default=Focus.STUDENT)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.IDENTIFY)
    statement = models.TextField("The goal")
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    measure = models.CharField("What is measured", max_length=200, blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, blank=True)
    baseline = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    target = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    method = models.TextField("How it is measured", blank=True)
    target_date = models.DateField(null=True, blank=True)
    steps = models.ManyToManyField("coaching.ActionStep", blank=True, related_name="goals")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "teacher"], name="goal_by_teacher"),
            models.Index(fields=["relationship"], name="goal_by_pair"),
        ]

    def __str__(self) -> str:
        if not self.statement:  # blanked by retention (records/erasure.py)
            return "(erased after the retention period)"
        return self.statement if len(self.statement) <= 80 else f"{self.statement[:79]}…"

    def get_absolute_url(self) -> str:
        return reverse("coaching:goal-detail", args=[self.pk])

    @property
    def is_student_focused(self) -> bool:
        return self.focus == self.Focus.STUDENT

    @property
    def has_measure(self) -> bool:
        return bool(self.measure and self.unit)

    def format_value(self, value: Decimal | None) -> str:
        """45 → "45%", 3.5 → "3.5 minutes"; the unit the goal is measured in."""
        if value is None:
            return "–"
        number = f"{value:f}"
        if "." in number:
            number = number.rstrip("0").rstrip(".")
        if self.unit == self.Unit.PERCENT:
            return f"{number}%"
        if self.unit == self.Unit.MINUTES:
            return f"{number} minute{'' if value == 1 else 's'}"
        return number


class GoalReadingQuerySet(policy.GatedQuerySet["GoalReading"]):
    def visible_to(self, user: policy.Who) -> Self:
        """Readings of the goals the viewer may see."""
        return self.filter(goal__in=Goal.objects.visible_to(user).values("pk"))


class GoalReading(models.Model):
    """One reading of a goal's measure: a date and an aggregate value, never pupil data."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="readings")
    taken_on = models.DateField("Date")
    value = models.DecimalField(max_digits=7, decimal_places=1)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GoalReadingQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["taken_on", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["goal", "taken_on"], name="reading_by_goal"),
        ]

    def __str__(self) -> str:
        return f"{self.taken_on:%d/%m/%Y}: {self.value}"
