"""The coaching cycle: drop-ins, feedback meetings, and action steps with their lifecycle.

No grades anywhere: step evidence describes the step (seen / partly / not yet / no
opportunity), never the lesson or the teacher.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching import policy

# Goals live in coaching/goals/; importing their models here registers them with this app.
from coachroom.coaching.goals.models import Goal, GoalReading  # noqa: F401
from coachroom.coaching.selfreview.models import SelfReview, SelfReviewPoint  # noqa: F401
from coachroom.core.errors import DomainError, IllegalTransition
from coachroom.library.models import LibraryStep

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

DRAFT_PUBLISH_DAYS = 7  # no hidden notes: a forgotten draft becomes visible to the teacher


class Rating(models.TextChoices):
    SEEN = "seen", "Seen"
    PARTLY = "partly", "Partly"
    NOT_YET = "not_yet", "Not yet"
    NO_OPPORTUNITY = "no_opportunity", "No opportunity to see it"


_Record = TypeVar("_Record", bound=models.Model)


class CoachingRecordQuerySet(policy.GatedQuerySet[_Record]):
    """Shared reads for records about a teacher (drop-ins, meetings)."""

    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def visible_to(self, user: policy.Who, *, about: User | None = None) -> Self:
        return self.filter(policy.about_q(user, about, policy.notes_visible_q))


class StepState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    AGREED = "agreed", "Agreed"
    PRACTISING = "practising", "Practising"
    SECURED = "secured", "Secured"
    REOPENED = "reopened", "Reopened"
    PAUSED = "paused", "Paused"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ARCHIVED = "archived", "Archived"


# The states leaders' figures count, in this order, everywhere (home and dashboard alike).
REPORTED_STATES = (
    StepState.PROPOSED,
    StepState.AGREED,
    StepState.PRACTISING,
    StepState.REOPENED,
    StepState.SECURED,
    StepState.PAUSED,
)
# Steps that count towards the one-active-step-per-pair guard.
ACTIVE_STATES = {
    StepState.PROPOSED,
    StepState.AGREED,
    StepState.PRACTISING,
    StepState.REOPENED,
    StepState.PAUSED,
}
# Where a step may go next. Anything else raises IllegalTransition.
STEP_MOVES: dict[str, set[str]] = {
    StepState.PROPOSED: {
        StepState.AGREED,
        StepState.SUPERSEDED,
        StepState.WITHDRAWN,
        StepState.ARCHIVED,
    },
    StepState.AGREED: {
        StepState.PRACTISING,
        StepState.SUPERSEDED,
        StepState.PAUSED,
        StepState.WITHDRAWN,
        StepState.ARCHIVED,
    },
    StepState.PRACTISING: {
        StepState.PRACTISING,
        StepState.SECURED,
        StepState.SUPERSEDED,
        StepState.PAUSED,
        StepState.WITHDRAWN,
        StepState.ARCHIVED,
    },
    StepState.REOPENED: {
        StepState.PRACTISING,
        StepState.SUPERSEDED,
        StepState.PAUSED,
        StepState.WITHDRAWN,
        StepState.ARCHIVED,
    },
    StepState.SECURED: {StepState.SECURED, StepState.REOPENED, StepState.ARCHIVED},
    StepState.PAUSED: {
        StepState.AGREED,
        StepState.PRACTISING,
        StepState.REOPENED,
        StepState.WITHDRAWN,
        StepState.ARCHIVED,
    },
    StepState.SUPERSEDED: set(),
    StepState.WITHDRAWN: set(),
    StepState.ARCHIVED: set(),
}


class ActionStepQuerySet(policy.GatedQuerySet["ActionStep"]):
    def for_school(self, school: School) -> Self:
        return self.filter(school=school)

    def active(self) -> Self:
        return self.filter(state__in=ACTIVE_STATES)

    def visible_to(self, user: policy.Who, *, about: User | None = None) -> Self:
        """Step titles and states: the teacher, their coaches and the school's coaching leads.

        Steps are not notes: leads see titles and states to run the programme (domain §3).
        """
        return self.filter(policy.about_q(user, about, policy.steps_visible_q))


class ActionStep(models.Model):
    """One small, observable move the teacher is working on. It belongs to the teacher."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="action_steps")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.PROTECT, related_name="steps"
    )
    library_step = models.ForeignKey(
        LibraryStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="uses"
    )
    title = models.CharField(max_length=160)
    success_criteria = models.TextField(
        "What it looks like", help_text="What the coach will look for, one point per line"
    )
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    teacher_confirmed = models.BooleanField(default=False)
    coach_confirmed = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=StepState.choices, default=StepState.PROPOSED)
    paused_from = models.CharField(max_length=20, blank=True)
    streak = models.PositiveSmallIntegerField(
        default=0, help_text="Drop-ins in a row where the step was seen"
    )
    review_due = models.DateField(null=True, blank=True, help_text="Next drop-in to look for it")
    agreed_at = models.DateTimeField(null=True, blank=True)
    secured_at = models.DateTimeField(null=True, blank=True)
    stick_check_due = models.DateField(null=True, blank=True)
    stuck_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        transitions: RelatedManager[StepTransition]

    objects = ActionStepQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "teacher", "state"], name="step_by_teacher"),
            models.Index(fields=["relationship", "state"], name="step_by_pair"),
            models.Index(fields=["school", "stick_check_due"], name="step_stick_checks"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("coaching:step-detail", args=[self.pk])

    @property
    def criteria(self) -> list[str]:
        return [line.strip() for line in self.success_criteria.splitlines() if line.strip()]

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def in_practice(self) -> bool:
        """Agreed and being worked on: the states in which a drop-in looks for it."""
        return self.state in (StepState.AGREED, StepState.PRACTISING, StepState.REOPENED)

    @property
    def teacher_proposed(self) -> bool:
        return self.proposed_by_id == self.teacher_id

    @property
    def stuck(self) -> bool:
        return self.stuck_at is not None

    @property
    def stick_check_is_due(self) -> bool:
        return (
            self.state == StepState.SECURED
            and self.stuck_at is None
            and self.stick_check_due is not None
            and self.stick_check_due <= timezone.localdate()
        )

    def move(self, to: str) -> str:
        """Change state if the lifecycle allows it; return the state it left."""
        if to not in STEP_MOVES.get(self.state, set()):
            raise IllegalTransition(self, self.get_state_display(), StepState(to).label)
        left = self.state
        self.state = to
        return left

    def require_active_limit(self) -> None:
        limit = self.school.active_steps_per_pair
        others = ActionStep.objects.active().filter(relationship=self.relationship_id)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if others.count() >= limit:
            raise DomainError(
                "This coaching pair already has an active step. Secure, refine or withdraw it "
                "before starting another."
                if limit == 1
                else f"This coaching pair already has {limit} active steps, the school's limit."
            )


class StepTransitionQuerySet(policy.GatedQuerySet["StepTransition"]):
    def visible_to(self, user: policy.Who, *, about: User | None = None) -> Self:
        """The history of the steps the viewer may see (reasons are shown to the teacher and
        their coach only: `StepActions.show_reasons`)."""
        steps = ActionStep.objects.visible_to(user, about=about)
        return self.filter(step__in=steps.values("pk"))


class StepTransition(models.Model):
    """Append-only history of a step: who moved it, when, and why."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    event = models.CharField(max_length=40)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when someone else recorded `by`'s act: a coach recording the teacher's proposal or
    # spoken agreement in the meeting. `by` is always whose act it was.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    observation = models.ForeignKey(
        "Observation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = StepTransitionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["step", "at"], name="transition_by_step"),
            # a teacher's timeline: their steps' changes in one school and year, newest first
            models.Index(fields=["school", "step", "at"], name="transition_by_school_step"),
            models.Index(fields=["school", "to_state", "at"], name="transition_by_state"),
            # the dashboards count secured steps and stick-check slips by event
            models.Index(fields=["school", "event", "at"], name="transition_by_event"),
        ]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.from_state} → {self.to_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise DomainError("Step history is append-only.")
        super().save(*args, **kwargs)

    @property
    def to_label(self) -> str:
        return str(StepState(self.to_state).label)

    @property
    def event_label(self) -> str:
        return _event_label(self.event)

    @property
    def summary(self) -> str:
        """“Agreed”, or “Rehearsed in a meeting; now practising” when the event isn't the state."""
        return transition_summary(self.from_state, self.to_state, self.event)

    @property
    def rating_seen(self) -> str:
        """For drop-in events, the step evidence (a rating, never narrative)."""
        return self.reason if self.event in ("observed", "secured", "stuck") else ""

    @property
    def not_counted_because(self) -> str:
        """Why a sighting did not count towards securing (a rule, never narrative)."""
        return self.reason if self.event == "seen_not_counted" else ""


def transition_summary(from_state: str, to_state: str, event: str) -> str:
    """`StepTransition.summary` from the columns, for lists read with `values_list`."""
    label = _event_label(event)
    if from_state == to_state or event == to_state:
        return label
    return f"{label}; now {StepState(to_state).label.lower()}"


def _event_label(event: str) -> str:
    return EVENT_LABELS.get(event, event.replace("_", " ").capitalize())


EVENT_LABELS = {
    "proposed": "Proposed",
    "counter_proposed": "Teacher proposed an alternative",
    "agreed": "Agreed",
    "rehearsed": "Rehearsed in a meeting",
    "tried": "Teacher tried it in a lesson",
    "observed": "Looked for in a drop-in",
    "seen_not_counted": "Seen in a drop-in, not counted towards securing",
    "secured": "Secured",
    "stuck": "It stuck",
    "reopened": "Reopened",
    "refined": "Refined into a new step",
    "superseded": "Replaced by the teacher's alternative",
    "paused": "Paused",
    "resumed": "Resumed",
    "withdrawn": "Withdrawn",
    "archived": "Archived",
}


class ObservationQuerySet(CoachingRecordQuerySet["Observation"]):
    def submitted(self) -> Self:
        return self.filter(status=Observation.Status.SUBMITTED)


class Observation(models.Model):
    """A drop-in: 10–15 minutes of an ordinary lesson. Class context only; no pupil names."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.PROTECT, related_name="observations"
    )
    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="observed_in")
    observer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="observations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    observed_at = models.DateTimeField("When", default=timezone.now)
    year_group = models.CharField(max_length=20, blank=True, help_text="For example Year 8")
    subject = models.CharField(max_length=60, blank=True)
    class_set = models.CharField("Class or set", max_length=40, blank=True)
    went_well = models.TextField("What went well", blank=True)
    notes = models.TextField(blank=True, help_text="Describe pupils by role or seat, never by name")
    suggested_focus = models.TextField("Suggested focus for the meeting", blank=True)
    video_url = models.URLField("Video link (optional)", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Offline capture (coaching/offline.py): the id the coach's device gave the drop-in, so a
    # retried first save finds it; a version each save raises, so a save made from an older
    # copy is shown as a conflict, not written over; the last save's one-off key, so a retry
    # of a save already applied is answered, not applied twice; the ratings chosen so far.
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    last_save_key = models.CharField(max_length=64, blank=True, editable=False)
    draft_ratings = models.JSONField(default=dict, blank=True, editable=False)

    if TYPE_CHECKING:
        evidence: RelatedManager[StepEvidence]

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-observed_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["school", "teacher", "observed_at"], name="observation_by_teacher"
            ),
            models.Index(
                fields=["relationship", "status", "observed_at"], name="observation_by_pair"
            ),
        ]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["observer", "client_id"], name="observation_one_per_device_id"
            ),
        ]

    def __str__(self) -> str:
        return f"Drop-in, {timezone.localtime(self.observed_at):%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("coaching:drop-in-detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def draft_publishes_on(self) -> dt.date:
        return (self.created_at + dt.timedelta(days=DRAFT_PUBLISH_DAYS)).date()


class StepEvidence(models.Model):
    """What a drop-in saw of one step. It describes the step, not the person."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="evidence")
    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="evidence")
    rating = models.CharField(max_length=20, choices=Rating.choices)
    is_stick_check = models.BooleanField(default=False)
    # A "seen" counts towards securing only in a different lesson on a different school day
    # (or, where the school allows it, a different lesson the same day).
    counted = models.BooleanField(default=True)
    not_counted_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["observation", "step"], name="evidence_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.rating}"


class MeetingQuerySet(CoachingRecordQuerySet["FeedbackMeeting"]):
    def visible_to(self, user: policy.Who, *, about: User | None = None) -> Self:
        """The privacy rule, plus review sharing (coaching/policy.py)."""
        return self.filter(policy.about_q(user, about, policy.meetings_visible_q))


class FeedbackMeeting(models.Model):
    """The 25–30 minute meeting after a drop-in: praise, one step, model, plan, rehearse."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Keep working on the current step"
        NEW = "new", "A new step"
        REFINE = "refine", "Refine the current step"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        CoachingRelationship, on_delete=models.PROTECT, related_name="meetings"
    )
    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meetings_as_teacher")
    coach = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meetings_as_coach")
    observations = models.ManyToManyField(Observation, blank=True, related_name="meetings")
    held_at = models.DateTimeField(default=timezone.now)
    praise = models.TextField("Precise praise")
    step_review = models.TextField("How the current step went", blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    step = models.ForeignKey(
        ActionStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    modelling = models.TextField("How the coach modelled it", blank=True)
    plan = models.TextField("The plan: which lesson, and what exactly", blank=True)
    next_drop_in = models.DateField("Next drop-in", null=True, blank=True)
    reflection = models.TextField("Teacher's reflection", blank=True)
    reflected_at = models.DateTimeField(null=True, blank=True)
    reflection_read_at = models.DateTimeField(null=True, blank=True)
    submitted_for_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:
        rounds: RelatedManager[RehearsalRound]

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-held_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["school", "teacher", "held_at"], name="meeting_by_teacher"),
            models.Index(fields=["relationship", "held_at"], name="meeting_by_pair"),
        ]

    def __str__(self) -> str:
        return f"Feedback meeting, {timezone.localtime(self.held_at):%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("coaching:meeting-detail", args=[self.pk])


class RehearsalRound(models.Model):
    """One attempt at the step outside the classroom, and the feedback after it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(FeedbackMeeting, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    attempt = models.TextField("What was tried")
    feedback = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["meeting", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["meeting", "number"], name="round_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Round {self.number}"
