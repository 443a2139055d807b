"""A teacher's review of their own lesson against their current step.

The review is the teacher's: they alone read it until they share it with their coach (a choice
per review, off by default, revocable). Leaders never read it; the programme pages may count
reviews (`objects.activity_in`), never show them. The rule is `policy.self_reviews_visible_q`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching import policy

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class PointRating(models.TextChoices):
    """A self-review rates each point as a drop-in does, less "no opportunity": the teacher
    chose the lesson, and a point they could not show is "not yet"."""

    SEEN = "seen", "Seen"
    PARTLY = "partly", "Partly"
    NOT_YET = "not_yet", "Not yet"


class Decision(models.TextChoices):
    CONTINUE = "continue", "Keep working on this step"
    REFINE = "refine", "Refine this step"
    NEXT = "next", "Choose my next step from the library"


class SelfReviewQuerySet(policy.GatedQuerySet["SelfReview"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def visible_to(self, user: policy.Who, *, about: User | None = None) -> Self:
        return self.filter(policy.about_q(user, about, policy.self_reviews_visible_q))


class SelfReview(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="self_reviews")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.PROTECT, related_name="self_reviews"
    )
    step = models.ForeignKey(
        "coaching.ActionStep", on_delete=models.PROTECT, related_name="self_reviews"
    )
    # The clip watched, if any. A string reference: video sits above coaching, and the clip's
    # own sharing rule (video/access.py) still decides who may watch it.
    clip = models.ForeignKey(
        "video.Clip", null=True, blank=True, on_delete=models.SET_NULL, related_name="self_reviews"
    )
    taught_on = models.DateField("The lesson's date", default=timezone.localdate)
    noticed = models.TextField(
        "What I noticed",
        blank=True,
        help_text="Describe pupils by role or seat, never by name",
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    shared_with_coach = models.BooleanField("Share this review with my coach", default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    # A one-off key from the form: the same form sent twice (a double tap) is one review.
    submission = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        points: RelatedManager[SelfReviewPoint]

    objects = SelfReviewQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["teacher", "submission"],
                condition=~Q(submission=""),
                name="self_review_once_per_submission",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # the teacher's timeline: their reviews in one school, newest first
            models.Index(fields=["school", "teacher", "created_at"], name="self_review_by_teacher"),
            models.Index(fields=["step", "created_at"], name="self_review_by_step"),
        ]

    def __str__(self) -> str:
        return f"Self-review, {timezone.localtime(self.created_at):%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("coaching:self-review-detail", args=[self.pk])


class SelfReviewPoint(models.Model):
    """One "what it looks like" point as the teacher saw it, with where it is in the clip."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(SelfReview, on_delete=models.CASCADE, related_name="points")
    number = models.PositiveSmallIntegerField()
    criterion = models.CharField(max_length=500)  # as the step said it on the day
    rating = models.CharField(max_length=20, choices=PointRating.choices)
    at_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["review", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["review", "number"], name="self_review_point_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.rating}"

    @property
    def at_label(self) -> str:
        """mm:ss into the clip, or "" without a time."""
        if self.at_seconds is None:
            return ""
        minutes, seconds = divmod(self.at_seconds, 60)
        return f"{minutes}:{seconds:02d}"
