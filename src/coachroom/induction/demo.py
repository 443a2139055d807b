"""The demo's inductions: each ECT mentored in an ECT-mentoring pair has an induction, with
their mentor as that pair's coach and the school's induction tutor. Half are in their first
year and half in their second (mentored fortnightly); one part-time ECT has had an absence.
Second-year ECTs have their first year's reviews signed by all, and one of them is at risk:
their latest review says not on track in managing behaviour, and they are on a support plan.
First-year ECTs have their first progress review still to come. One first-year ECT at each
school shares their mentoring with their tutor. Later (`tag_mentoring`, once the coaching
history exists), each mentor has tagged their ECT's steps and meetings with the framework
section the step's strand works on, so the timelines show the coverage picture."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from coachroom.accounts.calendar import academic_start_year, uk_default_terms
from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.core.demo import DemoContext
from coachroom.induction.dates import plan_for
from coachroom.induction.models import (
    FrameworkTag,
    Induction,
    InductionAbsence,
    InductionReview,
    ReviewOutcome,
    SupportPlan,
    TimeOff,
)
from coachroom.induction.reviews import period_of

APPROPRIATE_BODY = ("Riverside Teaching School Hub", "induction@riverside-tsh.example")
SECOND_YEAR = {"oak-t6", "elm-t6"}
AT_RISK = {"elm-t6"}
EVIDENCE = (
    "Routines for entry and transitions are secure; explanations are short and checked with "
    "the whole class. Lesson observations, planning and the mentor's drop-ins agree."
)
CONCERN = (
    "Since Easter, low-level disruption in Year 9 has gone uncorrected, and lessons with that "
    "class lose ten minutes or more. Other classes are settled."
)
PART_TIME = {"elm-t1": Decimal("0.8")}
SHARING = {"oak-t1", "elm-t1"}  # share their mentoring with their induction tutor
# The framework section each library strand's steps mostly work on (Teachers' Standards 1-8).
SECTION_OF_STRAND = {
    "culture-routines": 7,  # managing behaviour
    "attention": 1,  # high expectations
    "communication-explanation": 4,  # classroom practice
    "thinking-questioning": 2,  # how pupils learn
    "feedback-assessment": 6,  # assessment
    "consolidation-practice": 5,  # adaptive teaching
}


def load(ctx: DemoContext) -> None:
    keys = {person.pk: key for key, person in ctx.people.items()}
    mentoring = CoachingRelationship.objects.filter(kind=CoachingRelationship.Kind.ECF)
    for pair in mentoring.select_related("academic_year", "school"):
        key = keys[pair.coachee_id]
        tutor = Membership.objects.filter(school=pair.school, is_induction_tutor=True).first()
        started = pair.started_on
        if key in SECOND_YEAR:
            # the first day of the autumn term a year earlier (a year the demo did not set up)
            started = uk_default_terms(academic_start_year(started) - 1)[0].starts_on
            pair.cadence = CoachingRelationship.Cadence.FORTNIGHTLY
            pair.save(update_fields=["cadence"])
        induction = Induction.objects.create(
            school=pair.school,
            ect=pair.coachee,
            starts_on=started,
            fte=PART_TIME.get(key, Decimal("1")),
            appropriate_body=APPROPRIATE_BODY[0],
            appropriate_body_contact=APPROPRIATE_BODY[1],
            mentor=pair.coach,
            tutor=tutor.user if tutor else None,
            timetable_hours=(Decimal("20") * PART_TIME.get(key, Decimal("1"))).quantize(
                Decimal("0.1")
            ),
            mentor_notes_shared=key in SHARING and tutor is not None,
        )
        _time_off(induction)
        if key in SECOND_YEAR:
            _first_year_reviewed(induction, at_risk=key in AT_RISK)
        if key in AT_RISK:
            SupportPlan.objects.create(
                school=induction.school,
                induction=induction,
                concerns=CONCERN,
                support=(
                    "The mentor's drop-ins focus on Year 9 for half a term; the ECT rehearses "
                    "a calm correction script with the mentor each week and observes the head "
                    "of year teaching the same class."
                ),
                review_on=timezone.localdate() + dt.timedelta(weeks=4),
                created_by=induction.tutor,
            )
        if key in PART_TIME:
            first = started + dt.timedelta(weeks=3)
            InductionAbsence.objects.create(
                induction=induction, first_day=first, last_day=first + dt.timedelta(days=4)
            )


def _first_year_reviewed(induction: Induction, *, at_risk: bool) -> None:
    """Every review due before today written and signed on its due date."""
    school = induction.school
    head = (
        Membership.objects.filter(school=school, is_senior_leader=True)
        .exclude(user=induction.tutor)
        .first()
    )
    today = timezone.localdate()
    due = [p for p in plan_for(induction).points if p.due_on < today]
    for index, point in enumerate(due):
        concern = at_risk and index == len(due) - 1
        signed = timezone.make_aware(dt.datetime.combine(point.due_on, dt.time(16, 0)))
        InductionReview.objects.create(
            school=school,
            induction=induction,
            kind=str(point.kind),
            period=period_of(point),
            due_on=point.due_on,
            outcome=ReviewOutcome.NOT_ON_TRACK if concern else ReviewOutcome.ON_TRACK,
            standards_of_concern=[7] if concern else [],
            evidence=CONCERN if concern else EVIDENCE,
            targets="Use a consistent, calm correction script with Year 9." if concern else "",
            tutor_signed_by=induction.tutor,
            tutor_signed_at=signed,
            head_signed_by=head.user if head else induction.tutor,
            head_signed_at=signed,
            ect_signed_at=signed + dt.timedelta(days=1),
        )


def _time_off(induction: Induction) -> None:
    """Time off timetable each week since induction began, about what is due (10% of the
    timetable in year 1, 5% in year 2, to the half hour); one week in five not recorded."""
    year_one_ends = plan_for(induction).year_one_ends_on
    weekly = induction.timetable_hours or Decimal("20")
    monday = induction.starts_on - dt.timedelta(days=induction.starts_on.weekday())
    records = []
    for index in itertools.count():
        if monday + dt.timedelta(days=4) >= timezone.localdate():
            break
        if index % 5 != 3:
            share = Decimal("0.1") if monday <= year_one_ends else Decimal("0.05")
            hours = (weekly * share * 2).quantize(Decimal("1")) / 2
            records.append(
                TimeOff(
                    induction=induction, week_of=monday, hours=hours, recorded_by=induction.tutor
                )
            )
        monday += dt.timedelta(weeks=1)
    TimeOff.objects.bulk_create(records)


def tag_mentoring(ctx: DemoContext) -> None:
    """The mentors' framework tags: each ECT-mentoring step with its strand's section, and the
    meeting that set the step with the same."""
    steps = ActionStep.objects.filter(
        relationship__kind=CoachingRelationship.Kind.ECF, library_step__isnull=False
    ).select_related("library_step__strand", "relationship")
    tags = []
    for step in steps:
        section = SECTION_OF_STRAND.get(step.library_step.strand.slug)  # type: ignore[union-attr]
        if section is None:
            continue
        tags.append(
            FrameworkTag(
                school_id=step.school_id,
                step=step,
                section=section,
                added_by_id=step.relationship.coach_id,
                added_at=step.created_at,
            )
        )
        for meeting in FeedbackMeeting.objects.filter(step=step).only("pk", "held_at"):
            tags.append(
                FrameworkTag(
                    school_id=step.school_id,
                    meeting=meeting,
                    section=section,
                    added_by_id=step.relationship.coach_id,
                    added_at=meeting.held_at,
                )
            )
    FrameworkTag.objects.bulk_create(tags)
