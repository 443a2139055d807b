"""Writes that set up an early-career teacher's induction: the induction itself, the mentoring
pair that follows from its mentor, and the absences that can extend it.

Each write is keyword-only, runs in one transaction and records one audit event. Setting up is
idempotent: a second "Set up" for the same ECT at the same school (a double tap, two tutors at
once) finds the first induction instead of making another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts import services as accounts
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.core.errors import DomainError
from coachroom.induction.cadence import cadence_follow, mentoring_cadence
from coachroom.induction.models import Induction, InductionAbsence, TimeOff

SAME_PERSON = (
    "{name} would be both mentor and induction tutor. The mentor coaches and the tutor "
    "assesses, so the guidance keeps them apart: choose someone else, or a senior leader "
    "can allow it with a reason."
)


@dataclass(frozen=True)
class InductionDetails:
    """What the tutor fills in; everything else about the induction is computed from it."""

    starts_on: dt.date
    fte: Decimal
    appropriate_body: str
    appropriate_body_contact: str = ""
    mentor: User | None = None
    tutor: User | None = None
    same_person_reason: str = ""
    left_on: dt.date | None = None
    timetable_hours: Decimal | None = None


def _member(school: School, person: User) -> Membership | None:
    return Membership.objects.active().filter(school=school, user=person).first()


def _check(school: School, ect: User, details: InductionDetails, by: User | None) -> None:
    """Refuse what the form should already have stopped, so no other caller can skip it."""
    if details.left_on is not None and details.left_on < details.starts_on:
        raise DomainError("The last day at this school cannot be before induction started.")
    if not (Decimal("0.1") <= details.fte <= Decimal("1")):
        raise DomainError("FTE must be from 0.1 to 1, for example 0.6.")
    if _member(school, ect) is None:
        raise DomainError(f"{ect.full_name} is not on this school's active staff.")
    mentor, tutor = details.mentor, details.tutor
    if mentor is not None:
        membership = _member(school, mentor)
        if mentor.pk == ect.pk or membership is None or not membership.is_coach:
            raise DomainError("The mentor must be a coach on this school's staff, not the ECT.")
    if tutor is not None:
        membership = _member(school, tutor)
        if tutor.pk == ect.pk or membership is None or not membership.is_induction_tutor:
            raise DomainError("The induction tutor must hold that role here, and not be the ECT.")
    if mentor is not None and tutor is not None and mentor.pk == tutor.pk:
        allower = _member(school, by) if by is not None else None
        if allower is None or not allower.is_senior_leader or not details.same_person_reason:
            raise DomainError(SAME_PERSON.format(name=mentor.full_name))


def _apply(induction: Induction, details: InductionDetails, by: User | None) -> None:
    induction.starts_on = details.starts_on
    induction.fte = details.fte
    induction.appropriate_body = details.appropriate_body
    induction.appropriate_body_contact = details.appropriate_body_contact
    induction.mentor = details.mentor
    if induction.pk and details.tutor != induction.tutor:
        # The ECT shared their mentoring with a person, not a post: a new tutor asks again.
        induction.mentor_notes_shared = False
    induction.tutor = details.tutor
    induction.left_on = details.left_on
    induction.timetable_hours = details.timetable_hours
    same = induction.same_person
    if same and details.same_person_reason != induction.same_person_reason:
        induction.same_person_allowed_by = by
    induction.same_person_reason = details.same_person_reason if same else ""
    if not same:
        induction.same_person_allowed_by = None
    induction.updated_at = timezone.now()


def _audit_data(induction: Induction) -> dict[str, object]:
    return {
        "starts_on": induction.starts_on.isoformat(),
        "fte": str(induction.fte),
        "mentor": induction.mentor_id,
        "tutor": induction.tutor_id,
        "same_person_allowed": bool(induction.same_person_reason),
        "left_on": induction.left_on.isoformat() if induction.left_on else None,
    }


@transaction.atomic
def induction_set_up(
    *, school: School, ect: User, details: InductionDetails, by: User | None
) -> tuple[Induction, bool]:
    """Start recording an ECT's induction here, mark them an ECT, and pair them with their
    mentor. Returns the induction and whether this call made it. `by` is None for an import
    run from the terminal."""
    existing = Induction.objects.filter(school=school, ect=ect).first()
    if existing is not None:
        return existing, False
    _check(school, ect, details, by)
    induction = Induction(school=school, ect=ect, created_by=by)
    _apply(induction, details, by)
    try:
        with transaction.atomic():
            induction.save()
    except IntegrityError:  # set up at the same moment by another request
        return Induction.objects.get(school=school, ect=ect), False
    Membership.objects.filter(school=school, user=ect).update(is_ect=True)
    _pair_with_mentor(induction, by)
    cadence_follow(induction, today=timezone.localdate(), by=by)  # an existing pair's slots
    audit.record(
        actor=by,
        action="induction.set_up",
        school=school,
        target=induction,
        subject=ect,
        data=_audit_data(induction),
    )
    return induction, True


@transaction.atomic
def induction_update(*, induction: Induction, details: InductionDetails, by: User) -> list[str]:
    """Change the set-up; the mentoring follows (a new mentor, a new FTE's rhythm). Returns
    what could not follow, to tell the person (`cadence.cadence_follow`)."""
    _check(induction.school, induction.ect, details, by)
    _apply(induction, details, by)
    induction.save()
    _pair_with_mentor(induction, by)
    followed = cadence_follow(induction, today=timezone.localdate(), by=by)
    audit.record(
        actor=by,
        action="induction.updated",
        school=induction.school,
        target=induction,
        subject=induction.ect,
        data=_audit_data(induction),
    )
    return followed.problems


def _pair_with_mentor(induction: Induction, by: User | None) -> None:
    """The mentor coaches the ECT through an ECT-mentoring pair in the current academic year.

    A new mentor ends the old mentor's pair today, so the old mentor's access ends with it; a
    mentor who already coaches the ECT this year keeps that pair, now as ECT mentoring."""
    school, ect, mentor = induction.school, induction.ect, induction.mentor
    mentoring = CoachingRelationship.objects.current().filter(
        school=school, coachee=ect, kind=CoachingRelationship.Kind.ECF
    )
    for pair in mentoring:
        if mentor is None or pair.coach_id != mentor.pk:
            accounts.relationship_end(relationship=pair, by=by)
    if mentor is None or any(pair.coach_id == mentor.pk for pair in mentoring):
        return
    year = school.current_year()
    if year is None:
        raise DomainError("Set up the school calendar's academic year before choosing a mentor.")
    earlier = CoachingRelationship.objects.current().filter(
        academic_year=year, coach=mentor, coachee=ect
    )
    existing = earlier.first()
    if existing is None:
        accounts.relationship_create(
            school=school,
            by=by,
            coach=mentor,
            coachee=ect,
            academic_year=year,
            kind=CoachingRelationship.Kind.ECF,
            cadence=mentoring_cadence(induction) or CoachingRelationship.Cadence.WEEKLY,
        )
        return
    existing.kind = CoachingRelationship.Kind.ECF
    existing.cadence = mentoring_cadence(induction) or existing.cadence
    existing.save(update_fields=["kind", "cadence"])
    audit.record(
        actor=by,
        action="accounts.pair.made_mentoring",
        school=school,
        target=existing,
        subject=ect,
    )


@transaction.atomic
def absence_add(
    *, induction: Induction, first_day: dt.date, last_day: dt.date, by: User
) -> InductionAbsence:
    """Record a stretch of absence; the same dates twice make one record."""
    if last_day < first_day:
        raise DomainError("The last day of absence must be on or after the first.")
    if last_day < induction.starts_on:
        raise DomainError("That absence ends before induction started, so it cannot extend it.")
    absence, created = InductionAbsence.objects.get_or_create(
        induction=induction,
        first_day=first_day,
        last_day=last_day,
        defaults={"recorded_by": by},
    )
    if created:
        audit.record(
            actor=by,
            action="induction.absence.added",
            school=induction.school,
            target=induction,
            subject=induction.ect,
            data={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
        )
    return absence


@transaction.atomic
def absence_remove(*, absence: InductionAbsence, by: User) -> None:
    induction = absence.induction
    audit.record(
        actor=by,
        action="induction.absence.removed",
        school=induction.school,
        target=induction,
        subject=induction.ect,
        data={"first_day": absence.first_day.isoformat(), "last_day": absence.last_day.isoformat()},
    )
    absence.delete()


@transaction.atomic
def time_off_record(*, induction: Induction, week_of: dt.date, hours: Decimal, by: User) -> TimeOff:
    """The hours off timetable in one week (its Monday); recording the week again replaces them,
    so a double tap or a correction leaves one figure."""
    monday = week_of - dt.timedelta(days=week_of.weekday())
    if monday < induction.starts_on - dt.timedelta(days=6):
        raise DomainError("That week is before induction started.")
    record, _ = TimeOff.objects.update_or_create(
        induction=induction, week_of=monday, defaults={"hours": hours, "recorded_by": by}
    )
    audit.record(
        actor=by,
        action="induction.time_off.recorded",
        school=induction.school,
        target=induction,
        subject=induction.ect,
        data={"week_of": monday.isoformat(), "hours": str(hours)},
    )
    return record
