"""A change to how often a pair meets: proposed by one of the pair, agreed by the other (or,
for more contact, made at once by either). The rows are the pair's record of what was agreed."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School

Cadence = CoachingRelationship.Cadence
# Weeks between sessions at each rhythm: the order tapering walks down (and back up).
WEEKS_APART: dict[str, int] = {Cadence.WEEKLY: 1, Cadence.FORTNIGHTLY: 2, Cadence.MONTHLY: 4}


class CadenceChange(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the other to agree"
        AGREED = "agreed", "Agreed"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.CASCADE, related_name="cadence_changes"
    )
    from_cadence = models.CharField(max_length=20, choices=Cadence.choices)
    to_cadence = models.CharField(max_length=20, choices=Cadence.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-proposed_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            # one open proposal a pair: a double tap, or both proposing at once, is one
            models.UniqueConstraint(
                fields=["relationship"],
                condition=Q(state="proposed"),
                name="cadence_change_one_open_per_pair",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["relationship", "state", "decided_at"], name="cadence_by_pair"),
            models.Index(fields=["school", "state"], name="cadence_by_school"),
        ]

    def __str__(self) -> str:
        return f"{self.relationship_id}: {self.from_cadence} → {self.to_cadence} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.PROPOSED

    @property
    def to_label(self) -> str:
        return str(Cadence(self.to_cadence).label)

    @property
    def less_often(self) -> bool:
        return WEEKS_APART[self.to_cadence] > WEEKS_APART[self.from_cadence]
