"""Learning walks, coaching-on-coaching reviews and thanks: reads for views, then writes.

Walks look for a focus and for each teacher's steps; they never move a step's streak (only
drop-ins do). Reviews coach the coach against the meeting rubric and give them a step of their
own; they never feed appraisal. Writes are keyword-only, one transaction and one audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.accounts.services import relationship_create
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Rating, StepState
from coachroom.coaching.services import StepDraft, active_step, step_propose
from coachroom.core.errors import DomainError
from coachroom.core.http import AuthedRequest
from coachroom.leading.models import (
    CoachingReview,
    LearningWalk,
    ReviewRating,
    SightingResult,
    Thanks,
    WalkStepSighting,
    WalkVisit,
)
from coachroom.library.models import Strand

# The states whose steps a walk carries: being worked on, or secured ("did it stick?").
WALK_STEP_STATES = (StepState.AGREED, StepState.PRACTISING, StepState.REOPENED, StepState.SECURED)
MESSAGE_MAX = 500


@dataclass(frozen=True)
class RubricItem:
    key: str
    label: str
    hint: str


# The feedback-meeting rubric (domain §6), as data. Each item is rated seen / partly / not yet.
MEETING_RUBRIC: tuple[RubricItem, ...] = (
    RubricItem("praise", "Precise praise", "Specific enough for the teacher to repeat it"),
    RubricItem("one_step", "One observable step", "A single visible teacher move"),
    RubricItem("gap", "The teacher sees the gap", "They can say what is missing, and why"),
    RubricItem("model", "A model", "The coach shows the step, or a clip of it"),
    RubricItem("criteria", "Explicit criteria", "What the step looks like done well"),
    RubricItem("plan", "A when/where plan", "Which lesson, and which moment"),
    RubricItem("rehearsal", "Two or more rehearsal rounds", "With feedback after each round"),
    RubricItem("voice", "Teacher voice", "The teacher talks, questions and chooses"),
    RubricItem("time", "30 minutes or less", "The meeting kept to time"),
    RubricItem("next", "Next drop-in booked", "A date to look for the step"),
)
RUBRIC_LABELS = {item.key: item.label for item in MEETING_RUBRIC}
RUBRIC_RATINGS = (Rating.SEEN, Rating.PARTLY, Rating.NOT_YET)


# Reads -----------------------------------------------------------------------------------------


def _active_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.active().filter(user=user)


def leader_schools(user: User) -> QuerySet[Membership]:
    """Schools where the person is a senior leader, coaching lead or school admin."""
    return _active_memberships(user).filter(
        Q(is_senior_leader=True) | Q(is_coaching_lead=True) | Q(is_school_admin=True)
    )


def get_walk_for_leader(request: AuthedRequest, pk: int) -> LearningWalk:
    """A walk in a school the viewer leads in; anyone else gets a 404."""
    qs = LearningWalk.objects.filter(
        school__in=leader_schools(request.user).values("school")
    ).select_related("school", "led_by", "strand")
    return get_object_or_404(qs, pk=pk)


def get_walk_for_walker(request: AuthedRequest, pk: int) -> LearningWalk:
    """Only the person who led the walk records its visits (other leaders get 403)."""
    walk = get_walk_for_leader(request, pk)
    if walk.led_by_id != request.user.pk:
        raise PermissionDenied("Only the person leading this walk records its visits.")
    return walk


def get_visit_for_user(request: AuthedRequest, pk: int) -> WalkVisit:
    qs = WalkVisit.objects.visible_to(request.user).select_related(
        "school", "teacher", "walk", "walk__led_by", "walk__strand"
    )
    return get_object_or_404(qs, pk=pk)


def walk_teachers(walk: LearningWalk) -> QuerySet[User]:
    """Teachers the walker may visit: the school's active teaching staff, not themselves."""
    members = Membership.objects.active().for_school(walk.school).filter(is_teacher=True)
    return (
        User.objects.filter(memberships__in=members)
        .exclude(pk=walk.led_by_id)
        .order_by("last_name", "first_name", "pk")
    )


def earlier_steps_for(*, school: School, teacher: User) -> QuerySet[ActionStep]:
    """The teacher's steps before the current ones: titles and states only, for the walker."""
    return (
        ActionStep.objects.for_school(school)
        .filter(teacher=teacher)
        .exclude(state__in=WALK_STEP_STATES)
        .only("pk", "title", "state")
        .order_by("-created_at", "-pk")
    )


def walk_steps_for(*, school: School, teacher: User) -> list[ActionStep]:
    """The teacher's current and secured steps: titles and states for the walker (domain §3)."""
    return list(
        ActionStep.objects.for_school(school)
        .filter(teacher=teacher, state__in=WALK_STEP_STATES)
        .select_related("library_step__strand")
        .order_by("created_at", "pk")
    )


def get_review_for_user(request: AuthedRequest, pk: int) -> CoachingReview:
    qs = CoachingReview.objects.visible_to(request.user).select_related(
        "school", "coach", "reviewer", "meeting", "development_step"
    )
    return get_object_or_404(qs, pk=pk)


def get_open_review_for_reviewer(request: AuthedRequest, pk: int) -> CoachingReview:
    qs = CoachingReview.objects.filter(
        reviewer=request.user,
        completed_at__isnull=True,
        school__in=_active_memberships(request.user).values("school"),
    ).select_related("school", "coach", "reviewer")
    return get_object_or_404(qs, pk=pk)


def meetings_for_review(review: CoachingReview) -> QuerySet[FeedbackMeeting]:
    """The coach's meetings the reviewer may read: submitted for review (the teacher is told),
    or whatever the privacy rule already lets the reviewer read (a lead, if the school allows)."""
    return (
        FeedbackMeeting.objects.visible_to(review.reviewer)
        .for_school(review.school)
        .filter(coach=review.coach)
        .select_related("teacher", "step")
        .order_by("-held_at", "-pk")
    )


def reviewer_choices(*, school: School, lead: User, coach: User | None = None) -> QuerySet[User]:
    """Who the lead may ask to review: themselves or another coach in the school."""
    coaches = Membership.objects.active().for_school(school).filter(is_coach=True)
    people = User.objects.filter(Q(memberships__in=coaches) | Q(pk=lead.pk)).distinct()
    if coach is not None:
        people = people.exclude(pk=coach.pk)
    return people.order_by("last_name", "first_name", "pk")


def coach_choices(*, school: School, exclude: User | None = None) -> QuerySet[User]:
    coaches = Membership.objects.active().for_school(school).filter(is_coach=True)
    people = User.objects.filter(memberships__in=coaches)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people.order_by("last_name", "first_name", "pk")


def current_coaches_of(*, school: School, teacher: User) -> QuerySet[CoachingRelationship]:
    """The teacher's current pairs in the school (a teacher may thank any of their coaches)."""
    return (
        CoachingRelationship.objects.current()
        .for_school(school)
        .filter(coachee=teacher)
        .exclude(coach=teacher)
        .select_related("coach")
        .order_by("coach__last_name", "coach__first_name", "pk")
    )


def _current_pair(*, school: School, teacher: User) -> CoachingRelationship | None:
    """The pair a walk visit is filed under: instructional or ECF before peer, oldest first."""
    pairs = list(current_coaches_of(school=school, teacher=teacher))
    pairs.sort(key=lambda p: (p.kind == CoachingRelationship.Kind.PEER, p.started_on, p.pk))
    return pairs[0] if pairs else None


# Learning walks --------------------------------------------------------------------------------


def _require_leader(school: School, by: User) -> None:
    if not leader_schools(by).filter(school=school).exists():
        raise DomainError("Only senior leaders, coaching leads and school admins lead walks.")


@transaction.atomic
def walk_plan(
    *,
    school: School,
    by: User,
    walked_on: dt.date,
    strand: Strand | None = None,
    focus: str = "",
) -> LearningWalk:
    _require_leader(school, by)
    focus = focus.strip()
    if strand is None and not focus:
        raise DomainError("Choose a strand from the step library or describe the focus.")
    walk = LearningWalk.objects.create(
        school=school, led_by=by, walked_on=walked_on, strand=strand, focus=focus
    )
    audit.record(
        actor=by,
        action="coaching.walk.planned",
        school=school,
        target=walk,
        data={"walked_on": walked_on.isoformat(), "strand": strand.pk if strand else None},
    )
    return walk


@transaction.atomic
def walk_record_visit(
    *,
    walk: LearningWalk,
    by: User,
    teacher: User,
    focus_seen: str,
    what_seen: str = "",
    note: str = "",
    sightings: Mapping[int, str] | None = None,
) -> WalkVisit:
    """Record one classroom visit. Step sightings are kept, but no step's state changes."""
    if by.pk != walk.led_by_id:
        raise DomainError("Only the person leading this walk records its visits.")
    if not walk_teachers(walk).filter(pk=teacher.pk).exists():
        raise DomainError("Choose a teacher at this school, other than yourself.")
    if WalkVisit.objects.filter(walk=walk, teacher=teacher).exists():
        raise DomainError(f"This walk already has a visit to {teacher.full_name}.")
    if focus_seen not in SightingResult.values:
        raise DomainError("Say whether the focus was seen.")
    steps = {s.pk: s for s in walk_steps_for(school=walk.school, teacher=teacher)}
    sightings = dict(sightings or {})
    for step_id, result in sightings.items():
        if step_id not in steps:
            raise DomainError("That step is not one this visit can look for.")
        if result not in SightingResult.values:
            raise DomainError("Say seen, not seen or no opportunity for each step.")
    visit = WalkVisit.objects.create(
        school=walk.school,
        walk=walk,
        teacher=teacher,
        relationship=_current_pair(school=walk.school, teacher=teacher),
        visited_at=timezone.now(),
        focus_seen=focus_seen,
        what_seen=what_seen.strip(),
        note=note.strip(),
    )
    WalkStepSighting.objects.bulk_create(
        WalkStepSighting(
            school=walk.school,
            visit=visit,
            step=steps[step_id],
            result=result,
            step_state=steps[step_id].state,
        )
        for step_id, result in sorted(sightings.items())
    )
    audit.record(
        actor=by,
        action="coaching.walk_visit.recorded",
        school=walk.school,
        target=visit,
        subject=teacher,
        data={"walk": walk.pk, "steps": len(sightings), "focus_seen": focus_seen},
    )
    return visit


def walk_visits_mark_read(*, teacher: User, visits: list[WalkVisit]) -> int:
    """The teacher has opened their visits: their “new” notice clears."""
    unread = [v.pk for v in visits if v.teacher_id == teacher.pk and v.teacher_read_at is None]
    if not unread:
        return 0
    return WalkVisit.objects.filter(pk__in=unread).update(teacher_read_at=timezone.now())


# Coaching-on-coaching --------------------------------------------------------------------------


def _require_lead(school: School, by: User) -> None:
    if not _active_memberships(by).filter(school=school, is_coaching_lead=True).exists():
        raise DomainError("Only the coaching lead arranges reviews of coaching.")


@transaction.atomic
def review_assign(*, school: School, by: User, coach: User, reviewer: User) -> CoachingReview:
    """The coaching lead arranges a review: by themselves, or by a coach they choose."""
    _require_lead(school, by)
    if coach.pk == reviewer.pk:
        raise DomainError("A coach can't review their own coaching; choose someone else.")
    if not coach_choices(school=school).filter(pk=coach.pk).exists():
        raise DomainError(f"{coach.full_name} isn't a coach at {school.name}.")
    if not reviewer_choices(school=school, lead=by).filter(pk=reviewer.pk).exists():
        raise DomainError(f"{reviewer.full_name} isn't a coach at {school.name}.")
    review = CoachingReview.objects.create(
        school=school, coach=coach, reviewer=reviewer, assigned_by=by
    )
    audit.record(
        actor=by,
        action="coaching.review.assigned",
        school=school,
        target=review,
        subject=coach,
        data={"reviewer": reviewer.pk},
    )
    return review


def _development_pair(review: CoachingReview, by: User) -> CoachingRelationship:
    """The reviewer→coach pair that holds the coach's own step; a peer pair if none is open."""
    existing = (
        CoachingRelationship.objects.current()
        .for_school(review.school)
        .filter(coach=review.reviewer, coachee=review.coach)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    year = review.school.current_year()
    if year is None:
        raise DomainError("Set up this school's academic year before recording a review.")
    return relationship_create(
        school=review.school,
        by=by,
        coach=review.reviewer,
        coachee=review.coach,
        academic_year=year,
        kind=CoachingRelationship.Kind.PEER,
    )


def _check_review(
    review: CoachingReview,
    by: User,
    mode: str,
    ratings: Mapping[str, str],
    notes: str,
    meeting: FeedbackMeeting | None,
) -> None:
    """Refuse a review that is not the reviewer's to write, or is incomplete."""
    if by.pk != review.reviewer_id:
        raise DomainError("Only the reviewer writes this review.")
    if review.is_done:
        raise DomainError("This review has already been written.")
    if mode not in CoachingReview.Mode.values:
        raise DomainError("Say whether you attended the meeting or read its record.")
    if mode == CoachingReview.Mode.RECORD and meeting is None:
        raise DomainError("Choose the meeting whose record you reviewed.")
    if meeting is not None and not meetings_for_review(review).filter(pk=meeting.pk).exists():
        raise DomainError("That meeting isn't one you may review.")
    missing = [RUBRIC_LABELS[key] for key in RUBRIC_LABELS if key not in ratings]
    if missing or set(ratings) - set(RUBRIC_LABELS):
        raise DomainError("Rate every item of the rubric: seen, partly or not yet.")
    if any(value not in RUBRIC_RATINGS for value in ratings.values()):
        raise DomainError("Rate each item seen, partly or not yet.")
    if not notes.strip():
        raise DomainError("Write a few notes for the coach.")


@transaction.atomic
def review_complete(
    *,
    review: CoachingReview,
    by: User,
    mode: str,
    ratings: Mapping[str, str],
    notes: str,
    held_on: dt.date,
    meeting: FeedbackMeeting | None = None,
    step: StepDraft | None = None,
) -> CoachingReview:
    """Rate the meeting against the rubric, write notes and give the coach their own step.

    Without a new step the coach keeps working on their current development step, if any.
    """
    review = CoachingReview.objects.select_for_update().get(pk=review.pk)
    _check_review(review, by, mode, ratings, notes, meeting)
    pair = _development_pair(review, by)
    current = active_step(pair)
    if step is not None:
        development = step_propose(relationship=pair, by=by, draft=step)
    elif current is not None:
        development = current
    else:
        raise DomainError("Give the coach one development step of their own.")
    ReviewRating.objects.bulk_create(
        ReviewRating(school=review.school, review=review, item=key, rating=ratings[key])
        for key in RUBRIC_LABELS
    )
    review.mode = mode
    review.meeting = meeting
    review.held_on = held_on
    review.notes = notes.strip()
    review.relationship = pair
    review.development_step = development
    review.completed_at = timezone.now()
    review.save()
    audit.record(
        actor=by,
        action="coaching.review.completed",
        school=review.school,
        target=review,
        subject=review.coach,
        data={"mode": mode, "meeting": meeting.pk if meeting else None, "step": development.pk},
    )
    return review


@transaction.atomic
def meeting_set_review_sharing(
    *, meeting: FeedbackMeeting, by: User, shared: bool
) -> FeedbackMeeting:
    """The coach submits a meeting for review (or takes it back). The teacher is told: the
    meeting page says so, and the change is in the record of who can see their coaching."""
    if by.pk != meeting.coach_id:
        raise DomainError("Only the coach who held the meeting can submit it for review.")
    meeting.submitted_for_review = shared
    meeting.save(update_fields=["submitted_for_review"])
    audit.record(
        actor=by,
        action="coaching.meeting.submitted_for_review"
        if shared
        else "coaching.meeting.review_withdrawn",
        school=meeting.school,
        target=meeting,
        subject=meeting.teacher,
    )
    return meeting


# Thanks ----------------------------------------------------------------------------------------


@transaction.atomic
def thanks_send(*, relationship: CoachingRelationship, by: User, message: str = "") -> Thanks:
    if by.pk != relationship.coachee_id or relationship.coach_id == by.pk:
        raise DomainError("You can thank your own coach.")
    if not relationship.is_current:
        raise DomainError("You can thank a current coach of yours.")
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise DomainError(f"Keep the message to {MESSAGE_MAX} characters.")
    thanks = Thanks.objects.create(
        school=relationship.school,
        relationship=relationship,
        teacher=by,
        coach=relationship.coach,
        message=message,
        created_at=timezone.now(),
    )
    audit.record(
        actor=by,
        action="coaching.thanks.sent",
        school=relationship.school,
        target=thanks,
        subject=relationship.coach,
        data={"with_message": bool(message)},
    )
    return thanks
