"""What the coaching cycle does when people and pairs change."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.accounts.signals import pair_ended
from coachroom.coaching.services import steps_archive_for_relationship


@receiver(pair_ended)
def archive_steps_of_ended_pair(
    sender: Any, relationship: CoachingRelationship, by: User | None, **_: Any
) -> None:
    """An ended pair's open steps become read-only, so they no longer count as active."""
    steps_archive_for_relationship(relationship=relationship, by=by)
