"""The Initial Teacher Training and Early Career Framework (ITTECF) as data, and the tags that
tie action steps and feedback meetings to it.

What ships: the eight sections (they match Teachers' Standards 1–8) with their numbers and short
titles, as `Section` below, in code rather than in a table, so that they exist in every
database from the first `migrate` and survive `flush` and restores unchanged. What does not
ship: the statements' wording. A school loads it from its own copy of the framework with
`coachroom import ittecf PATH` (docs/induction.md) into `FrameworkStatement`.

Statements are global, not per trust: the ITTECF is one national document, the same words for
every school, and `coachroom import` is run by whoever runs the installation, not by a school.
One copy keeps every school's tags pointing at the same statement, also when an ECT moves
school inside or outside the trust.

A tag names a section and, optionally, a statement number, never a statement row: tags made
before the wording is loaded, or after a re-import changes it, still read the same, and the
page shows the statement's text when it is loaded and the number and section title otherwise.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import School, User
from coachroom.coaching import policy
from coachroom.coaching.models import ActionStep, FeedbackMeeting


class Section(models.IntegerChoices):
    """The ITTECF's eight sections, numbered as Teachers' Standards 1–8."""

    HIGH_EXPECTATIONS = 1, "High expectations"
    HOW_PUPILS_LEARN = 2, "How pupils learn"
    SUBJECT_AND_CURRICULUM = 3, "Subject and curriculum"
    CLASSROOM_PRACTICE = 4, "Classroom practice"
    ADAPTIVE_TEACHING = 5, "Adaptive teaching"
    ASSESSMENT = 6, "Assessment"
    MANAGING_BEHAVIOUR = 7, "Managing behaviour"
    PROFESSIONAL_BEHAVIOURS = 8, "Professional behaviours"


def section_title(number: int) -> str:
    return str(Section(number).label)


class StatementKind(models.TextChoices):
    LEARN_THAT = "learn that", "Learn that"
    LEARN_HOW_TO = "learn how to", "Learn how to"


class FrameworkStatementQuerySet(models.QuerySet["FrameworkStatement"]):
    def texts_for(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], FrameworkStatement]:
        """The loaded statements for these (section, number) pairs, by pair; one query."""
        if not keys:
            return {}
        wanted = Q()
        for section, number in keys:
            wanted |= Q(section=section, number=number)
        return {(s.section, s.number): s for s in self.filter(wanted)}


class FrameworkStatement(models.Model):
    """One "learn that" or "learn how to" statement, as the school's own file words it."""

    section = models.PositiveSmallIntegerField(choices=Section.choices)
    number = models.CharField(max_length=12)
    kind = models.CharField(max_length=12, choices=StatementKind.choices)
    text = models.TextField()
    loaded_at = models.DateTimeField()

    objects = FrameworkStatementQuerySet.as_manager()

    class Meta:
        ordering = ["section", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "number"], name="induction_statement_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({section_title(self.section)})"


class FrameworkTagQuerySet(models.QuerySet["FrameworkTag"]):
    def for_step(self, step: ActionStep) -> FrameworkTagQuerySet:
        return self.filter(step=step).order_by("section", "statement", "pk")

    def for_meeting(self, meeting: FeedbackMeeting) -> FrameworkTagQuerySet:
        return self.filter(meeting=meeting).order_by("section", "statement", "pk")


class FrameworkTag(models.Model):
    """An action step or a feedback meeting tagged with a section, or one statement in it.

    No free text: a section number and a statement number, so it is not a narrative record;
    it is read only beside a step or meeting the viewer has already been shown through
    `visible_to`.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(
        ActionStep, null=True, blank=True, on_delete=models.CASCADE, related_name="framework_tags"
    )
    meeting = models.ForeignKey(
        FeedbackMeeting,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="framework_tags",
    )
    section = models.PositiveSmallIntegerField(choices=Section.choices)
    statement = models.CharField(max_length=12, blank=True)  # blank: the whole section
    added_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()

    objects = FrameworkTagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(step__isnull=False, meeting__isnull=True)
                | Q(step__isnull=True, meeting__isnull=False),
                name="induction_tag_one_record",
            ),
            models.UniqueConstraint(
                fields=["step", "section", "statement"],
                condition=Q(step__isnull=False),
                name="induction_tag_unique_on_step",
            ),
            models.UniqueConstraint(
                fields=["meeting", "section", "statement"],
                condition=Q(meeting__isnull=False),
                name="induction_tag_unique_on_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def section_title(self) -> str:
        return section_title(self.section)

    @property
    def label(self) -> str:
        """The tag without the statement's wording: "2.3, How pupils learn"."""
        if self.statement:
            return f"{self.statement}, {self.section_title}"
        return f"Section {self.section}, {self.section_title}"


class Induction(models.Model):
    """One early-career teacher's statutory induction at one school, as the induction tutor
    sets it up.

    Only the facts are stored; the dates that follow from them (end of year 1, progress reviews,
    formal assessments, the end of induction) are computed by `periods.plan_induction` each time,
    so a new FTE or a recorded absence moves them at once. The mentor coaches and never
    assesses; the tutor assesses: the same person in both is refused unless a senior leader
    allows it and says why (`same_person_reason`).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="inductions")
    ect = models.ForeignKey(User, on_delete=models.PROTECT, related_name="inductions")
    starts_on = models.DateField("Induction start date")
    fte = models.DecimalField(
        "FTE", max_digits=3, decimal_places=2, default=Decimal("1.00"), help_text="1 is full time"
    )
    appropriate_body = models.CharField("Appropriate body", max_length=200)
    timetable_hours = models.DecimalField(
        "Teaching hours a week",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="On their timetable: time off timetable is 10% of it in year 1, 5% in year 2.",
    )
    appropriate_body_contact = models.CharField(
        "Appropriate body contact", max_length=200, blank=True
    )
    mentor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tutor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Induction tutor",
    )
    left_on = models.DateField(
        "Last day at this school",
        null=True,
        blank=True,
        help_text="Only for an ECT leaving part-way: an interim assessment falls due then.",
    )
    mentor_notes_shared = models.BooleanField(
        "The ECT shares their mentoring records with their induction tutor",
        default=False,
        help_text="Only the ECT turns this on or off: the tutor assesses, so the mentor's notes "
        "reach them only by the ECT's choice.",
    )
    same_person_reason = models.TextField(blank=True)
    same_person_allowed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ect__last_name", "ect__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "ect"], name="induction_one_per_school"),
            models.CheckConstraint(
                condition=Q(fte__gt=0, fte__lte=1), name="induction_fte_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Induction of {self.ect} at {self.school}"

    def get_absolute_url(self) -> str:
        return reverse("induction:detail", args=[self.pk])

    @property
    def same_person(self) -> bool:
        return self.mentor_id is not None and self.mentor_id == self.tutor_id


class InductionAbsence(models.Model):
    """A stretch of absence that counts towards extending induction: dates only. Why someone
    was away (often their health) is not needed to extend induction, so it is not asked."""

    induction = models.ForeignKey(Induction, on_delete=models.CASCADE, related_name="absences")
    first_day = models.DateField()
    last_day = models.DateField()
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["induction", "first_day", "last_day"], name="induction_absence_once"
            ),
            models.CheckConstraint(
                condition=Q(first_day__lte=models.F("last_day")),
                name="induction_absence_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Absent {self.first_day:%-d %b %Y} to {self.last_day:%-d %b %Y}"


class ReviewKind(models.TextChoices):
    PROGRESS_REVIEW = "progress review", "Progress review"
    FORMAL_ASSESSMENT = "formal assessment", "Formal assessment"
    INTERIM_ASSESSMENT = "interim assessment", "Interim assessment"


class ReviewOutcome(models.TextChoices):
    ON_TRACK = "on track", "On track"
    NOT_ON_TRACK = "not on track", "Not on track"


class InductionReviewQuerySet(policy.GatedQuerySet["InductionReview"]):
    def visible_to(self, who: policy.Who) -> InductionReviewQuerySet:
        """The ECT it is about, and the school's induction tutors and senior leaders."""
        return self.filter(policy.induction_reviews_visible_q(who))


class InductionReview(models.Model):
    """A progress review or formal assessment of an ECT against the Teachers' Standards, held
    by the induction tutor and signed by the tutor, a senior leader (the headteacher) and the
    ECT. It is written about the ECT, who reads all of it; the mentor never does, because the
    mentor coaches and never assesses. Once the tutor signs, what the tutor wrote is final."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    induction = models.ForeignKey(Induction, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    period = models.CharField(max_length=60)  # "Autumn 2026", "end of year 1"
    due_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    standards_of_concern = models.JSONField(default=list, blank=True)  # numbers 1-8
    evidence = models.TextField("Evidence summary", blank=True)
    targets = models.TextField("Development targets", blank=True)
    ect_comments = models.TextField("The ECT's comments", blank=True)
    tutor_signed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tutor_signed_at = models.DateTimeField(null=True, blank=True)
    head_signed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    head_signed_at = models.DateTimeField(null=True, blank=True)
    ect_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = InductionReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["induction", "kind", "period"], name="induction_review_once"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("induction:review", args=[self.pk])

    @property
    def title(self) -> str:
        return f"{self.get_kind_display()}, {self.period}"

    @property
    def is_complete(self) -> bool:
        signed = (self.tutor_signed_at, self.head_signed_at, self.ect_signed_at)
        return all(when is not None for when in signed)


class SupportPlanQuerySet(policy.GatedQuerySet["SupportPlan"]):
    def visible_to(self, who: policy.Who) -> SupportPlanQuerySet:
        """As for reviews: the ECT, and the school's induction tutors and senior leaders."""
        return self.filter(policy.induction_reviews_visible_q(who))


class SupportPlan(models.Model):
    """The support put in place when an ECT is at risk of not meeting the Teachers' Standards:
    the concerns, the support and actions agreed, and when to look at it again. One open plan
    per ECT at a time; closing it keeps it, with a note of how it ended."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    induction = models.ForeignKey(Induction, on_delete=models.CASCADE, related_name="support_plans")
    concerns = models.TextField("The concerns")
    support = models.TextField("The support and actions agreed")
    review_on = models.DateField("Look at the plan again on")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField("How it ended", blank=True)

    objects = SupportPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["induction"],
                condition=Q(closed_at__isnull=True),
                name="induction_one_open_support_plan",
            )
        ]

    def __str__(self) -> str:
        return f"Support plan for {self.induction.ect}"

    def get_absolute_url(self) -> str:
        return reverse("induction:support-plan", args=[self.induction_id])


class TimeOff(models.Model):
    """Hours the ECT spent off timetable for induction in one week: a count, never content."""

    induction = models.ForeignKey(Induction, on_delete=models.CASCADE, related_name="time_off")
    week_of = models.DateField()  # the Monday
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_of"]
        constraints = [
            models.UniqueConstraint(fields=["induction", "week_of"], name="induction_time_off_week")
        ]

    def __str__(self) -> str:
        return f"{self.hours} h off timetable, week of {self.week_of:%-d %b %Y}"


class EarlierInductionRecordQuerySet(policy.GatedQuerySet["EarlierInductionRecord"]):
    def visible_to(self, who: policy.Who) -> EarlierInductionRecordQuerySet:
        """As for reviews, which it carries: the ECT, and the school's induction tutors and
        senior leaders."""
        return self.filter(policy.induction_reviews_visible_q(who))

    def listed_for(self, induction: Induction) -> EarlierInductionRecordQuerySet:
        """The induction's earlier records for a list: the record itself and its PDF stay
        behind until one is opened."""
        return self.filter(induction=induction).defer("data", "pdf").order_by("imported_at", "pk")


class EarlierInductionRecord(models.Model):
    """An ECT's induction record from an earlier school (the zip that school's Coachroom made,
    `induction/portable/`), attached to their induction here by the induction tutor or a senior
    leader. Read-only: it is what the earlier school signed, so nothing here edits it. It carries
    reviews, so it is read by the same people as reviews."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    induction = models.ForeignKey(
        Induction, on_delete=models.CASCADE, related_name="earlier_records"
    )
    previous_school = models.CharField(max_length=200)
    data = models.JSONField()  # induction.json as checked on import
    pdf = models.BinaryField()  # induction.pdf as it came, for the appropriate body
    # Of the whole zip: the same file attached twice (a double tap, a second try) is one record.
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    objects = EarlierInductionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["imported_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["induction", "sha256"], name="induction_earlier_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"Earlier induction record from {self.previous_school}"

    def get_absolute_url(self) -> str:
        return reverse("induction:earlier", args=[self.pk])
