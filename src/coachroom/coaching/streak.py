"""Which "seen" sightings count towards securing a step.

A step is secured by sightings in *different lessons on different school days*: two drop-ins
recorded in the same lesson, or the same morning, show that the teacher did it once, not that
it has become a habit. A school may let two different lessons on the same day count (the
setting "Count two different lessons on the same day"); the same lesson never counts twice.

A lesson is the day of the drop-in plus its class context (year group, subject and class or
set). Two drop-ins on one day are only known to be different lessons when both name their class
and the classes differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from coachroom.coaching.models import ActionStep, Observation, Rating, StepEvidence

SAME_LESSON = (
    "Seen, but in the same lesson as the last sighting: it doesn't count towards securing. "
    "Look for it in another lesson."
)
CLASS_UNKNOWN = (
    "Seen, but on the same day as the last sighting and not known to be a different lesson: "
    "it doesn't count towards securing. Name the class on both drop-ins to count a second "
    "lesson on the same day."
)
SAME_DAY = (
    "Seen, but on the same day as the last sighting: it doesn't count towards securing. "
    "Look for it on another school day."
)


@dataclass(frozen=True)
class Lesson:
    day: dt.date
    context: tuple[str, str, str]

    def is_known_different_from(self, other: Lesson) -> bool:
        """Different days are different lessons; on one day, only two named, different classes."""
        if self.day != other.day:
            return True
        return all(self.context) and all(other.context) and self.context != other.context


def lesson_of(observation: Observation) -> Lesson:
    context = (observation.year_group, observation.subject, observation.class_set)
    return Lesson(
        day=timezone.localdate(observation.observed_at),
        context=tuple(" ".join(part.lower().split()) for part in context),  # type: ignore[arg-type]
    )


def why_not_counted(step: ActionStep, observation: Observation) -> str:
    """ "" when a "seen" in this drop-in counts towards the step's streak, else the reason.

    It is compared with every sighting in the current streak (the last `step.streak` counted
    sightings), so a drop-in entered late, with an earlier time, is held to the same rule.
    """
    if step.streak == 0:
        return ""
    counted = (
        StepEvidence.objects.filter(
            step=step, rating=Rating.SEEN, counted=True, is_stick_check=False
        )
        .exclude(observation=observation)
        .select_related("observation")
        .order_by("-pk")[: step.streak]
    )
    this = lesson_of(observation)
    allows_same_day = step.school.streak_allows_same_day
    for evidence in counted:
        earlier = lesson_of(evidence.observation)
        if earlier.day != this.day:
            continue
        if not allows_same_day:
            return SAME_DAY
        if this.is_known_different_from(earlier):
            continue
        return SAME_LESSON if all(this.context) and all(earlier.context) else CLASS_UNKNOWN
    return ""
