"""Leading the programme: learning walks, reviews of coaching, and recognition (thanks).

Walk visits are coaching records about a teacher, so they follow the privacy rule in
`coaching/policy.py`; reviews of coaching are seen by the reviewer and the coach only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.db import models
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching import policy
from coachroom.coaching.models import (
    ActionStep,
    CoachingRecordQuerySet,
    FeedbackMeeting,
    Rating,
    StepState,
)

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


# Learning walks --------------------------------------------------------------------------------


class SightingResult(models.TextChoices):
    """What a walk saw of a focus or a step. Never a grade: it describes the practice."""

    SEEN = "seen", "Seen"
    NOT_SEEN = "not_seen", "Not seen"
    NO_OPPORTUNITY = "no_opportunity", "No opportunity to see it"


class LearningWalkQuerySet(models.QuerySet["LearningWalk"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)


class LearningWalk(models.Model):
    """A leader's short visits to several classrooms, looking for one focus.

    Walks carry each teacher's step history (titles and states only) so the walker can see
    whether steps are used. Nothing is graded; walks never move a step's streak.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    led_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="walks_led")
    walked_on = models.DateField("Date of the walk", default=timezone.localdate)
    strand = models.ForeignKey(
        "library.Strand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Focus from the step library",
    )
    # Free text until school priorities exist; a priority link can replace it later.
    focus = models.CharField("Or describe the focus", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:
        visits: RelatedManager[WalkVisit]

    objects = LearningWalkQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-walked_on", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "walked_on"], name="walk_by_school"),
        ]

    def __str__(self) -> str:
        return f"Learning walk, {self.walked_on:%d/%m/%Y}: {self.focus_label}"

    def get_absolute_url(self) -> str:
        return reverse("leading:walk-detail", args=[self.pk])

    @property
    def focus_label(self) -> str:
        if self.strand_id is not None and self.focus:
            return f"{self.strand}: {self.focus}"
        return self.focus or (str(self.strand) if self.strand_id is not None else "Open focus")


class WalkVisitQuerySet(CoachingRecordQuerySet["WalkVisit"]):
    def visible_to(self, user: policy.Who, *, about: User | None = None) -> Self:
        """The privacy rule, plus the walker and the teacher's current coaches."""
        return self.filter(policy.about_q(user, about, policy.walk_visits_visible_q))


class WalkVisit(models.Model):
    """A few minutes in one classroom on a walk. The teacher reads every word of it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    walk = models.ForeignKey(LearningWalk, on_delete=models.CASCADE, related_name="visits")
    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="walk_visits")
    # The teacher's coaching pair at the time, so the privacy rule reaches their coach.
    relationship = models.ForeignKey(
        CoachingRelationship,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="walk_visits",
    )
    visited_at = models.DateTimeField(default=timezone.now)
    focus_seen = models.CharField(
        "Was the focus seen?", max_length=20, choices=SightingResult.choices
    )
    what_seen = models.TextField("What you saw of the focus", blank=True)
    note = models.TextField("A short note for the teacher", blank=True)
    teacher_read_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:
        sightings: RelatedManager[WalkStepSighting]

    objects = WalkVisitQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-visited_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["walk", "teacher"], name="walk_visit_once_per_teacher"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "teacher", "visited_at"], name="walk_visit_by_teacher"),
        ]

    def __str__(self) -> str:
        return f"Walk visit, {timezone.localtime(self.visited_at):%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("leading:walk-visit-detail", args=[self.pk])


class WalkStepSighting(models.Model):
    """Whether a walk saw one of the teacher's steps. It never changes the step's streak."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    visit = models.ForeignKey(WalkVisit, on_delete=models.CASCADE, related_name="sightings")
    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="walk_sightings")
    result = models.CharField(max_length=20, choices=SightingResult.choices)
    # The step's state at the visit: secured steps answer "did it stick?".
    step_state = models.CharField(max_length=20, choices=StepState.choices)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["visit", "step"], name="walk_sighting_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.result}"

    @property
    def step_was_secured(self) -> bool:
        return self.step_state == StepState.SECURED


# Coaching-on-coaching --------------------------------------------------------------------------


class CoachingReviewQuerySet(policy.GatedQuerySet["CoachingReview"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def completed(self) -> Self:
        return self.filter(completed_at__isnull=False)

    def visible_to(self, user: policy.Who) -> Self:
        """Only the reviewer and, once written, the coach reviewed. Never leaders by role."""
        return self.filter(policy.reviews_visible_q(user))


class CoachingReview(models.Model):
    """A senior coach coaches a coach on one feedback meeting: rubric, notes and one step.

    Developmental only: reviews are read by the reviewer and the coach reviewed, never by
    senior leaders (who see counts), and nothing here feeds appraisal.
    """

    class Mode(models.TextChoices):
        LIVE = "live", "I attended the meeting"
        RECORD = "record", "From the meeting's record"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reviews_received")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reviews_given")
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=20, choices=Mode.choices, blank=True)
    meeting = models.ForeignKey(
        FeedbackMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    held_on = models.DateField("Date of the review", null=True, blank=True)
    notes = models.TextField("Notes for the coach", blank=True)
    relationship = models.ForeignKey(
        CoachingRelationship,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        help_text="The reviewer→coach pair that holds the coach's development step",
    )
    development_step = models.ForeignKey(
        ActionStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:
        ratings: RelatedManager[ReviewRating]

    objects = CoachingReviewQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "coach", "completed_at"], name="review_by_coach"),
            models.Index(fields=["school", "reviewer"], name="review_by_reviewer"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.coach}'s coaching"

    def get_absolute_url(self) -> str:
        if self.completed_at is None:
            return reverse("leading:review-record", args=[self.pk])
        return reverse("leading:review-detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


class ReviewRating(models.Model):
    """One rubric item for one review: seen / partly / not yet. It describes the meeting."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(CoachingReview, on_delete=models.CASCADE, related_name="ratings")
    item = models.CharField(max_length=40)  # a key of walks.MEETING_RUBRIC (data in code)
    rating = models.CharField(max_length=20, choices=Rating.choices)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["review", "item"], name="review_rating_once_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.rating}"


# Recognition -----------------------------------------------------------------------------------


class ThanksQuerySet(policy.GatedQuerySet["Thanks"]):
    def visible_to(self, user: policy.Who) -> Self:
        """The coach thanked and the teacher who sent them."""
        return self.filter(policy.thanks_visible_q(user))


class Thanks(models.Model):
    """A teacher thanks their coach. Only the coach reads the message; others see counts."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.PROTECT, related_name="thanks"
    )
    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="thanks_sent")
    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="thanks_received")
    message = models.TextField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ThanksQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        verbose_name_plural = "thanks"
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "coach", "created_at"], name="thanks_by_coach"),
        ]

    def __str__(self) -> str:
        return f"Thanks to {self.coach_id} from {self.teacher_id}"
