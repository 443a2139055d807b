"""Trusts, schools, the school calendar, people and their roles, and coaching pairs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from coachroom.accounts.calendar import SchoolCalendar

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Trust(models.Model):
    """A multi-academy trust (or a stand-alone school's own umbrella)."""

    name = models.CharField(max_length=200)
    source_id = models.CharField(max_length=100, blank=True, db_index=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="administered_trusts"
    )

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all-through", "All-through"
        SPECIAL = "special", "Special"
        AP = "ap", "Alternative provision"

    class LeadNoteAccess(models.TextChoices):
        REVIEW_ONLY = "review", "Only meetings submitted for review (the teacher is told)"
        ALL = "all", "All coaching records in the school"

    class DropInVisibility(models.TextChoices):
        IMMEDIATELY = "immediately", "As soon as the coach submits it"
        AFTER_MEETING = "after-meeting", "Once the feedback meeting is held"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.CharField(
        "URN",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "A URN is six digits, for example 100000.")],
    )
    phase = models.CharField(max_length=20, choices=Phase.choices)
    key_stages = models.CharField(max_length=60, blank=True, help_text="For example KS3, KS4, KS5")
    source_id = models.CharField(max_length=100, blank=True, db_index=True)

    # Programme settings. The privacy rules themselves are fixed; these tune the cycle.
    lead_note_access = models.CharField(
        "What the coaching lead may read",
        max_length=20,
        choices=LeadNoteAccess.choices,
        default=LeadNoteAccess.REVIEW_ONLY,
    )
    drop_in_visibility = models.CharField(
        "When a teacher sees a drop-in",
        max_length=20,
        choices=DropInVisibility.choices,
        default=DropInVisibility.IMMEDIATELY,
    )
    sightings_to_secure = models.PositiveSmallIntegerField(
        "Drop-ins in a row that secure a step",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    stick_check_weeks = models.PositiveSmallIntegerField(
        "School weeks before the 'did it stick?' check",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    streak_allows_same_day = models.BooleanField(
        "Count two different lessons on the same day",
        default=False,
        help_text=(
            "Off: drop-ins that secure a step must be on different school days. On: two "
            "different lessons on one day can both count. The same lesson never counts twice."
        ),
    )
    active_steps_per_pair = models.PositiveSmallIntegerField(
        "Active steps allowed per coaching pair",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
    )
    unseen_weeks_alert = models.PositiveSmallIntegerField(
        "Flag a coachee not seen for this many weeks",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    taper_after_steps = models.PositiveSmallIntegerField(
        "Steps secured and stuck before suggesting a pair meets less often",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=(
            "Coachroom then suggests weekly → fortnightly → self-directed (a monthly check-in); "
            "the coach and teacher decide together."
        ),
    )
    insights_min_steps = models.PositiveSmallIntegerField(
        "Fewest steps behind each side of an Insights comparison",
        default=10,
        validators=[MinValueValidator(5), MaxValueValidator(200)],
        help_text="A comparison with fewer steps on either side is withheld, not guessed at.",
    )
    retention_months = models.PositiveSmallIntegerField(
        "Months to keep coaching notes after someone leaves or a pair ends",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name

    def calendar(self, *, from_date: dt.date) -> SchoolCalendar:
        """The school's calendar from `from_date` on (every term, to know the last one)."""
        terms = Term.objects.filter(school=self).values_list("starts_on", "ends_on")
        closures = Closure.objects.filter(school=self, date__gte=from_date)
        return SchoolCalendar(terms, closures.values_list("date", flat=True))

    def add_school_days(self, start: dt.date, days: int) -> dt.date:
        """`days` school days after `start`, skipping weekends, holidays and closures."""
        return self.calendar(from_date=start).add_school_days(start, days)

    def current_year(self, today: dt.date | None = None) -> AcademicYear | None:
        today = today or timezone.localdate()
        years = self.academic_years.filter(starts_on__lte=today).order_by("-starts_on")
        return years.first() or self.academic_years.order_by("starts_on").first()


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=20, help_text="For example 2026–27")
    starts_on = models.DateField()
    ends_on = models.DateField()

    if TYPE_CHECKING:
        terms: RelatedManager[Term]
        closures: RelatedManager[Closure]

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_on"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["school", "name"], name="academic_year_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="academic_year_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:year-detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "The year must end after it starts."})

    def is_school_day(self, day: dt.date) -> bool:
        """A weekday inside one of this year's terms and not a closure (INSET day, bank
        holiday); the same rule as the school's calendar."""
        return day <= self.ends_on and day in self.calendar()

    def calendar(self) -> SchoolCalendar:
        return SchoolCalendar(
            [(t.starts_on, t.ends_on) for t in self.terms.all()],
            [c.date for c in self.closures.all()],
        )


class Term(models.Model):
    """A half-term: the unit UK schools plan in. Holidays are the gaps between terms."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=40)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_on"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Closure(models.Model):
    """A day inside a term when there is no teaching: INSET, bank holiday, snow."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField()
    reason = models.CharField(max_length=100, default="INSET day")

    class Meta:
        ordering: ClassVar[list[str]] = ["date"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["academic_year", "date"], name="closure_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.reason}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the username; roles live on Membership, per school."""

    email = models.EmailField("Email address", unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("Django admin access", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    source_id = models.CharField(max_length=100, blank=True, db_index=True)

    if TYPE_CHECKING:
        memberships: RelatedManager[Membership]

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["first_name", "last_name"]

    class Meta:
        ordering: ClassVar[list[str]] = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return self.name_from(self.first_name, self.last_name, self.email)

    @staticmethod
    def name_from(first_name: str, last_name: str, email: str) -> str:
        """A person's full name from the three columns (for rows read without the model)."""
        return f"{first_name} {last_name}".strip() or email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Sessions are bound to the password *and* the email: changing either signs the
        # person out everywhere else (the view that made the change keeps its own session).
        return salted_hmac(
            "coachroom.accounts.User.get_session_auth_hash",
            f"{self.password}\x00{self.email}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class EmailChange(models.Model):
    """A requested new email address, waiting for its owner to follow the emailed link.

    Only a hash of the link's token is stored. The email changes when the link is followed.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField("New email address")
    token_hash = models.CharField(max_length=64, unique=True)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The school an admin acted for; empty when the person asked for themselves.
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"Email change for {self.user_id}"

    @property
    def is_usable(self) -> bool:
        return self.confirmed_at is None and self.expires_at > timezone.now()


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", "School admin"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    COACHING_LEAD = "coaching_lead", "Coaching lead"
    COACH = "coach", "Coach"
    TEACHER = "teacher", "Teacher"
    DATA_PROTECTION_LEAD = "data_protection_lead", "Data protection lead"
    INDUCTION_TUTOR = "induction_tutor", "Induction tutor"


ROLE_FIELDS: dict[Role, str] = {
    Role.SCHOOL_ADMIN: "is_school_admin",
    Role.SENIOR_LEADER: "is_senior_leader",
    Role.COACHING_LEAD: "is_coaching_lead",
    Role.COACH: "is_coach",
    Role.TEACHER: "is_teacher",
    Role.DATA_PROTECTION_LEAD: "is_data_protection_lead",
    Role.INDUCTION_TUTOR: "is_induction_tutor",
}


class TaughtPhase(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    SPECIAL = "special", "Special"
    AP = "ap", "Alternative provision"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> Self:
        return self.filter(is_active=True, user__is_active=True)

    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def with_role(self, role: Role) -> Self:
        return self.filter(**{ROLE_FIELDS[role]: True})


class Membership(models.Model):
    """A person's place in one school: their roles there, and what they teach."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    job_title = models.CharField(max_length=100, blank=True)
    is_school_admin = models.BooleanField("School admin", default=False)
    is_senior_leader = models.BooleanField("Senior leader", default=False)
    is_coaching_lead = models.BooleanField("Coaching lead", default=False)
    is_coach = models.BooleanField("Coach", default=False)
    is_teacher = models.BooleanField("Teacher", default=True)
    is_ect = models.BooleanField("Early-career teacher (ECT)", default=False)
    # Answers subject access requests and makes the school's data export: the only role that
    # takes coaching notes out of Coachroom for someone else (README, "The privacy rule").
    is_data_protection_lead = models.BooleanField("Data protection lead", default=False)
    # Sets up early-career teachers' induction and holds their progress reviews and formal
    # assessments. The mentor coaches; the tutor assesses (docs/induction.md).
    is_induction_tutor = models.BooleanField("Induction tutor", default=False)
    subjects = models.CharField(max_length=200, blank=True)
    key_stages = models.CharField(max_length=60, blank=True)
    # The phase this person teaches (an all-through school's staff teach one or the other);
    # blank: not recorded. Insights compares pairs by it (reporting/insights/).
    phase = models.CharField("Phase taught", max_length=20, choices=TaughtPhase.choices, blank=True)
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    source_id = models.CharField(max_length=100, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["user__last_name", "user__first_name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "school"], name="membership_one_per_school"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "is_active"], name="membership_school_active"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.school}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:staff-edit", args=[self.pk])

    def has_role(self, role: Role) -> bool:
        return bool(getattr(self, ROLE_FIELDS[role]))

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if self.has_role(role)]

    @property
    def role_labels(self) -> str:
        return ", ".join(str(role.label) for role in self.roles) or "No role yet"

    @property
    def is_leader(self) -> bool:
        """Leaders see programme figures (counts and patterns), never notes."""
        return self.is_school_admin or self.is_senior_leader or self.is_coaching_lead

    @property
    def sees_named_figures(self) -> bool:
        """Figures by coach or by coachee are for coaching leads, and for coaches (their own
        pairs). Senior leaders and school admins see the school's aggregates only, so that
        completion can never become a measure of one person."""
        return self.is_coaching_lead or not self.is_leader

    @property
    def has_signed_in(self) -> bool:
        return self.user.last_login is not None


class CoachingRelationshipQuerySet(models.QuerySet["CoachingRelationship"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def current(self, today: dt.date | None = None) -> Self:
        today = today or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))


class CoachingRelationship(models.Model):
    """A coach working with a coachee in one school and academic year."""

    class Kind(models.TextChoices):
        INSTRUCTIONAL = "instructional", "Instructional coaching"
        ECF = "ecf", "ECT mentoring"
        PEER = "peer", "Peer coaching"
        SELF = "self", "Self-coaching"

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        FORTNIGHTLY = "fortnightly", "Fortnightly"
        # Tapering's last rung: the teacher coaches themselves, with a check-in every 4 weeks.
        MONTHLY = "monthly", "Self-directed, a monthly check-in"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="relationships")
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="relationships"
    )
    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="coaching")
    coachee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="coached_by")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INSTRUCTIONAL)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY)
    # Asked when pairing: Insights compares pairs where the coach line-manages the teacher with
    # pairs where they do not. It grants nothing: line management never opens coaching notes.
    # None: not asked (pairs made before the question existed).
    coach_is_line_manager = models.BooleanField(
        "The coach is the teacher's line manager", null=True, blank=True
    )
    history_shared = models.BooleanField(
        "Coachee shares earlier coaching history with this coach", default=False
    )
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CoachingRelationshipQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["coach__last_name", "coachee__last_name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["academic_year", "coach", "coachee"],
                condition=Q(ended_on__isnull=True),
                name="relationship_one_open_pair_per_year",
            ),
            models.CheckConstraint(
                condition=~Q(coach=models.F("coachee")) | Q(kind="self"),
                name="relationship_coach_is_not_coachee",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "coach", "ended_on"], name="relationship_by_coach"),
            models.Index(fields=["school", "coachee", "ended_on"], name="relationship_by_coachee"),
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaching {self.coachee}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()


from coachroom.accounts.submissions import UsedFormKey  # noqa: E402, F401  # a model of this app
