"""The action-step library: a shipped starter set plus each trust's and school's own steps."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from coachroom.accounts.models import AcademicYear, School, Trust


class Problem(models.Model):
    """A persistent problem of practice, stored under both common labellings."""

    slug = models.SlugField(unique=True)
    kennedy_label = models.CharField("Kennedy (2016)", max_length=100)
    steplab_label = models.CharField("Steplab", max_length=100)

    class Meta:
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return self.steplab_label


class Strand(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    ittecf_sections = models.CharField("ITTECF sections", max_length=40, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class SubStrand(models.Model):
    strand = models.ForeignKey(Strand, on_delete=models.CASCADE, related_name="substrands")
    slug = models.SlugField()
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["strand__order", "order"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["strand", "slug"], name="substrand_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    ALL = "all", "All phases"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class LibraryStepQuerySet(models.QuerySet["LibraryStep"]):
    def available_to(self, school: School) -> Self:
        """Starter and trust steps the school has not hidden, plus its own live steps."""
        shared = Q(school__isnull=True) & (Q(trust__isnull=True) | Q(trust=school.trust_id))
        return self.filter((shared & ~Q(hidden_by=school)) | Q(school=school), is_archived=False)

    def starter(self) -> Self:
        return self.filter(school__isnull=True, trust__isnull=True)


class LibraryStep(models.Model):
    """One small, observable teacher move, with what it looks like done well and a drill.

    Starter steps (no trust, no school) come from `data/starter_steps.json` and are updated
    by `load_starter_library`; schools never edit them in place but copy them, so an update
    never overwrites a school's wording.
    """

    key = models.SlugField(max_length=80, blank=True, help_text="Stable id of a starter step")
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="library_steps"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="library_steps"
    )
    strand = models.ForeignKey(Strand, on_delete=models.PROTECT, related_name="steps")
    substrand = models.ForeignKey(
        SubStrand, null=True, blank=True, on_delete=models.SET_NULL, related_name="steps"
    )
    title = models.CharField(max_length=120, help_text="One observable teacher action")
    looks_like = models.TextField(
        "What it looks like done well",
        help_text="Two to four success criteria a coach could see, one per line",
    )
    why = models.TextField("Why it matters", blank=True)
    drill = models.TextField("Practice drill", blank=True)
    pitfalls = models.TextField(blank=True)
    model_text = models.TextField("Model", blank=True, help_text="A script or description")
    video_url = models.URLField("Model video link", blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.ALL)
    subjects = models.CharField(max_length=200, blank=True, help_text="Separate with commas")
    problems = models.ManyToManyField(Problem, blank=True, related_name="steps")
    ittecf_sections = models.CharField("ITTECF sections", max_length=40, blank=True)
    source = models.CharField(max_length=200, blank=True)
    licence = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    hidden_by = models.ManyToManyField(School, blank=True, related_name="hidden_library_steps")
    is_archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LibraryStepQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["strand__order", "substrand__order", "title"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(school__isnull=True, trust__isnull=True) & ~Q(key=""),
                name="library_step_unique_starter_key",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "is_archived"], name="library_step_by_school"),
            models.Index(fields=["strand", "phase"], name="library_step_by_strand"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:step-detail", args=[self.pk])

    @property
    def is_starter(self) -> bool:
        return self.school_id is None and self.trust_id is None

    @property
    def criteria(self) -> list[str]:
        return [line.strip() for line in self.looks_like.splitlines() if line.strip()]

    @property
    def subject_list(self) -> list[str]:
        return [s.strip() for s in self.subjects.split(",") if s.strip()]


# Whole-school priorities ---------------------------------------------------------------------
#
# Goals link to them (coaching/goals/); the pages that set them are in coaching/goals/views.py.

MAX_ACTIVE_PRIORITIES = 3  # domain §6: a few persistent problems, so new coaches aren't overloaded


class PriorityQuerySet(models.QuerySet["Priority"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def active(self) -> Self:
        return self.filter(is_archived=False)

    def for_year(self, year: AcademicYear | None) -> Self:
        return self.filter(academic_year=year) if year is not None else self.none()


class Priority(models.Model):
    """A whole-school persistent problem of practice for one academic year, narrowed to the
    symptoms staff see here. Coaches start from it; teachers still choose their own focus."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="priorities"
    )
    title = models.CharField(max_length=120)
    symptoms = models.TextField(
        "What it looks like here",
        help_text="The local symptoms staff see, one per line",
    )
    problem = models.ForeignKey(
        "library.Problem", on_delete=models.PROTECT, related_name="priorities"
    )
    strands = models.ManyToManyField("library.Strand", blank=True, related_name="priorities")
    library_steps = models.ManyToManyField(
        "library.LibraryStep", blank=True, related_name="priorities"
    )
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]
        verbose_name_plural = "priorities"
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["school", "academic_year", "is_archived"], name="priority_by_year"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{reverse('coaching:priority-list')}#priority-{self.pk}"

    @property
    def symptom_list(self) -> list[str]:
        return [line.strip() for line in self.symptoms.splitlines() if line.strip()]
