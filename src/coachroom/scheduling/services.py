"""Writes for protected coaching time: slots, the sessions they plan, and what happened.

Each function is one transaction with one audit entry. Changing a session's time, coach or
status raises its `sequence`, so calendar subscribers see the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.core.errors import DomainError
from coachroom.scheduling.clashes import Clash, assert_no_clashes, clashes_for_session
from coachroom.scheduling.models import (
    DEFAULT_MINUTES,
    ScheduledSlot,
    SessionKind,
    SessionOccurrence,
)
from coachroom.scheduling.signals import sessions_changed
from coachroom.scheduling.tapering.models import WEEKS_APART
from coachroom.scheduling.timetable import SchoolDays as SchoolDays
from coachroom.scheduling.timetable import at as _at
from coachroom.scheduling.timetable import slot_clashes, team_clashes, unsaved_slot
from coachroom.scheduling.timetable import slot_dates as slot_dates

LATE_RECORD_DAYS = 6  # a drop-in recorded up to six days late still fulfils its session


def _generate(slot: ScheduledSlot, *, from_date: dt.date) -> int:
    """Plan a session for every school day the slot falls on; safe to run again."""
    days = SchoolDays(slot.relationship.academic_year)
    existing = {
        timezone.localdate(s)
        for s in SessionOccurrence.objects.filter(slot=slot).values_list("starts_at", flat=True)
    }
    new = [
        SessionOccurrence(
            school_id=slot.school_id,
            relationship_id=slot.relationship_id,
            slot=slot,
            kind=slot.kind,
            coach_id=slot.relationship.coach_id,
            starts_at=_at(day, slot.start_time),
            minutes=slot.minutes,
            room=slot.room,
            period=slot.period,
        )
        for day in slot_dates(slot, days, from_date=from_date)
        if day not in existing
    ]
    SessionOccurrence.objects.bulk_create(new)
    if new:  # bulk_create skips save(): say which days changed, for the counters
        sessions_changed.send(
            sender=SessionOccurrence,
            school_id=slot.school_id,
            pair_ids=[slot.relationship_id],
            days=[timezone.localdate(s.starts_at) for s in new],
        )
    return len(new)


def _check_pair(relationship: CoachingRelationship, kind: str) -> None:
    if not relationship.is_current:
        raise DomainError("This coaching pair has ended.")
    if ScheduledSlot.objects.filter(relationship=relationship, kind=kind, is_active=True).exists():
        label = SessionKind(kind).label.lower()
        raise DomainError(
            f"{relationship.coachee.full_name} already has a {label} slot; move it instead."
        )


@transaction.atomic
def slot_create(
    *,
    relationship: CoachingRelationship,
    by: User,
    kind: str,
    weekday: int,
    start_time: dt.time,
    starts_on: dt.date,
    minutes: int | None = None,
    cadence: str | None = None,
    room: str = "",
    period: str = "",
    ends_on: dt.date | None = None,
    override_reason: str = "",
    known_clashes: list[Clash] | None = None,
) -> ScheduledSlot:
    """Set up a slot and plan its sessions. Clashes with anyone's sessions refuse it
    (`ClashError`) unless `override_reason` says why it must go ahead."""
    _check_pair(relationship, kind)
    slot = ScheduledSlot(
        school_id=relationship.school_id,
        relationship=relationship,
        kind=kind,
        weekday=weekday,
        start_time=start_time,
        minutes=minutes or DEFAULT_MINUTES[SessionKind(kind)],
        cadence=cadence or relationship.cadence,
        room=room,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    clashes = slot_clashes(slot, from_date=starts_on) if known_clashes is None else known_clashes
    assert_no_clashes(clashes, override_reason)
    slot.clash_override_reason = override_reason.strip() if clashes else ""
    slot.save()
    planned = _generate(slot, from_date=starts_on)
    audit.record(
        actor=by,
        action="programme.slot.created",
        school=relationship.school,
        target=slot,
        subject=relationship.coachee,
        data={"sessions_planned": planned, **_override_data(clashes, slot.clash_override_reason)},
    )
    return slot


def _override_data(clashes: list[Clash], reason: str) -> dict[str, Any]:
    return {"clashes": len(clashes), "override_reason": reason} if reason else {}


@transaction.atomic
def slots_create_for_team(
    *,
    relationships: Iterable[CoachingRelationship],
    by: User,
    override_reason: str = "",
    **slot_fields: Any,
) -> tuple[list[ScheduledSlot], list[str]]:
    """Bulk set-up: one slot per pair; pairs that already have one are reported, not changed.

    If any pair clashes (with anyone's sessions, or with another pair of this set-up), nothing
    is planned for any pair (`ClashError`, each clash naming its pair) unless overridden.
    """
    pairs = list(relationships)
    fresh = [
        p
        for p in pairs
        if p.is_current
        and not ScheduledSlot.objects.filter(
            relationship=p, kind=slot_fields["kind"], is_active=True
        ).exists()
    ]
    by_pair = team_clashes(fresh, **slot_fields)
    assert_no_clashes([c for found in by_pair.values() for c in found], override_reason)
    created, skipped = [], []
    for relationship in pairs:
        try:
            created.append(
                slot_create(
                    relationship=relationship,
                    by=by,
                    override_reason=override_reason,
                    known_clashes=by_pair.get(relationship, []),
                    **slot_fields,
                )
            )
        except DomainError as error:
            skipped.append(str(error))
    return created, skipped


@transaction.atomic
def slot_move_series(
    *,
    slot: ScheduledSlot,
    by: User,
    weekday: int,
    start_time: dt.time,
    from_date: dt.date,
    room: str,
    period: str,
    minutes: int,
    override_reason: str = "",
) -> int:
    """Move every future planned session of a slot; held and missed ones keep their history.
    Clashes at the new time refuse the move unless `override_reason` says why."""
    proposed = unsaved_slot(
        slot.relationship,
        kind=slot.kind,
        weekday=weekday,
        start_time=start_time,
        minutes=minutes,
        cadence=slot.cadence,
        starts_on=max(from_date, slot.starts_on),
        ends_on=slot.ends_on,
    )
    clashes = slot_clashes(proposed, from_date=from_date, exclude_slot=slot)
    assert_no_clashes(clashes, override_reason)
    moved = _move_planned_sessions(slot, weekday, start_time, from_date, room, period, minutes)
    slot.weekday, slot.start_time, slot.room, slot.period, slot.minutes = (
        weekday,
        start_time,
        room,
        period,
        minutes,
    )
    slot.clash_override_reason = override_reason.strip() if clashes else ""
    slot.save()
    audit.record(
        actor=by,
        action="programme.slot.moved",
        school=slot.school,
        target=slot,
        subject=slot.relationship.coachee,
        data={"sessions_moved": moved, **_override_data(clashes, slot.clash_override_reason)},
    )
    return moved


def _move_planned_sessions(
    slot: ScheduledSlot,
    weekday: int,
    start_time: dt.time,
    from_date: dt.date,
    room: str,
    period: str,
    minutes: int,
) -> int:
    """Each planned session from `from_date` moves to the new weekday of its week; one that
    would land on a day the school is closed is cancelled instead. Returns how many changed."""
    days = SchoolDays(slot.relationship.academic_year)
    moved = 0
    for session in SessionOccurrence.objects.filter(
        slot=slot, status=SessionOccurrence.Status.PLANNED, starts_at__gte=_at(from_date, dt.time())
    ):
        old_day = timezone.localdate(session.starts_at)
        new_day = old_day + dt.timedelta(days=weekday - old_day.weekday())
        session.sequence += 1
        if new_day in days and new_day >= from_date:
            session.starts_at = _at(new_day, start_time)
            session.room, session.period, session.minutes = room, period, minutes
        else:
            session.status = SessionOccurrence.Status.CANCELLED
            session.reason = SessionOccurrence.Reason.CLOSURE
        session.save()
        moved += 1
    return moved


@transaction.atomic
def slot_end(*, slot: ScheduledSlot, by: User, from_date: dt.date | None = None) -> int:
    """Stop a slot; its future planned sessions are cancelled (calendars show them cancelled)."""
    from_date = from_date or timezone.localdate()
    slot.is_active = False
    slot.ends_on = from_date
    slot.save(update_fields=["is_active", "ends_on"])
    ending = SessionOccurrence.objects.filter(
        slot=slot, status=SessionOccurrence.Status.PLANNED, starts_at__gte=_at(from_date, dt.time())
    )
    days = {timezone.localdate(at) for at in ending.values_list("starts_at", flat=True)}
    cancelled = ending.update(
        status=SessionOccurrence.Status.CANCELLED,
        reason=SessionOccurrence.Reason.OTHER,
        reason_note="The slot was removed",
        sequence=F("sequence") + 1,
        updated_at=timezone.now(),
    )
    audit.record(
        actor=by,
        action="programme.slot.ended",
        school=slot.school,
        target=slot,
        subject=slot.relationship.coachee,
        data={"sessions_cancelled": cancelled},
    )
    # update() skips save(): say which days changed, for the counters
    sessions_changed.send(
        sender=SessionOccurrence,
        school_id=slot.school_id,
        pair_ids=[slot.relationship_id],
        days=sorted(days),
    )
    return cancelled


@transaction.atomic
def slot_change_cadence(
    *, slot: ScheduledSlot, cadence: str, from_date: dt.date, by: User | None
) -> ScheduledSlot:
    """The slot continues at the same time with a new rhythm from `from_date`: the old slot
    ends the day before and a new one starts, so each slot is one rhythm and its history stays
    as it was. Future planned sessions of the old slot go (they were only a plan; a rebooked
    session stays), and are planned again in the new rhythm.

    Fewer sessions at the same time cannot clash where the old ones did not, so only a change
    to more sessions is checked for clashes (`ClashError`)."""
    if slot.cadence == cadence:
        return slot
    future = SessionOccurrence.objects.filter(
        slot=slot,
        status=SessionOccurrence.Status.PLANNED,
        starts_at__gte=_at(from_date, dt.time()),
        rescheduled_from__isnull=True,
    )
    days = sorted({timezone.localdate(at) for at in future.values_list("starts_at", flat=True)})
    dropped, _ = future.delete()
    if days:  # delete() skips the counters' signal: say which days changed
        sessions_changed.send(
            sender=SessionOccurrence,
            school_id=slot.school_id,
            pair_ids=[slot.relationship_id],
            days=days,
        )
    slot.is_active = False
    ends_on, slot.ends_on = slot.ends_on, from_date - dt.timedelta(days=1)
    slot.save(update_fields=["is_active", "ends_on"])
    fewer = WEEKS_APART.get(cadence, 1) > WEEKS_APART.get(slot.cadence, 1)
    new = ScheduledSlot(
        school_id=slot.school_id,
        relationship=slot.relationship,
        kind=slot.kind,
        weekday=slot.weekday,
        start_time=slot.start_time,
        minutes=slot.minutes,
        cadence=cadence,
        room=slot.room,
        period=slot.period,
        starts_on=from_date,
        ends_on=ends_on,
        clash_override_reason=slot.clash_override_reason,
    )
    if not fewer:
        assert_no_clashes(slot_clashes(new, from_date=from_date, exclude_slot=slot), "")
    new.save()
    planned = _generate(new, from_date=from_date)
    audit.record(
        actor=by,
        action="programme.slot.cadence_changed",
        school=slot.school,
        target=new,
        subject=slot.relationship.coachee,
        data={"cadence": cadence, "sessions_dropped": dropped, "sessions_planned": planned},
    )
    return new


def _require_open(session: SessionOccurrence) -> None:
    if session.status != SessionOccurrence.Status.PLANNED:
        raise DomainError(
            f"This session is already {session.get_status_display().lower()}; "
            "only a planned session can change."
        )


def _copy_to(session: SessionOccurrence, starts_at: dt.datetime) -> SessionOccurrence:
    return SessionOccurrence.objects.create(
        school_id=session.school_id,
        relationship_id=session.relationship_id,
        slot=session.slot,
        kind=session.kind,
        coach_id=session.coach_id,
        starts_at=starts_at,
        minutes=session.minutes,
        room=session.room,
        period=session.period,
        booked_at_meeting_id=session.booked_at_meeting_id,
    )


def _check_session(
    session: SessionOccurrence,
    *,
    override_reason: str,
    starts_at: dt.datetime | None = None,
    coach: User | None = None,
) -> dict[str, Any]:
    """Refuse a session's new time or coach if anyone involved is busy, unless overridden;
    returns what the audit entry should say about an override."""
    clashes = clashes_for_session(
        relationship=session.relationship,
        starts_at=starts_at or session.starts_at,
        minutes=session.minutes,
        coach=coach or session.coach,
        exclude=[session.pk],
    )
    assert_no_clashes(clashes, override_reason)
    return _override_data(clashes, override_reason.strip())


def _audit_session(session: SessionOccurrence, by: User, action: str, **data: Any) -> None:
    audit.record(
        actor=by,
        action=f"programme.session.{action}",
        school=session.school,
        target=session,
        subject=session.relationship.coachee,
        data={"status": session.status, **data},
    )


@transaction.atomic
def session_reschedule(
    *,
    session: SessionOccurrence,
    by: User,
    starts_at: dt.datetime,
    room: str | None = None,
    override_reason: str = "",
) -> SessionOccurrence:
    """Move one session. The old time shows as moved (cancelled in calendars), linked to the new.
    Clashes at the new time refuse the move unless `override_reason` says why."""
    session = SessionOccurrence.objects.select_for_update().get(pk=session.pk)
    if session.status not in (SessionOccurrence.Status.PLANNED, SessionOccurrence.Status.MISSED):
        raise DomainError("Only a planned or missed session can be rescheduled.")
    if session.rescheduled_to_id:
        raise DomainError("This session has already been rescheduled.")
    override = _check_session(session, override_reason=override_reason, starts_at=starts_at)
    new = _copy_to(session, starts_at)
    new.clash_override_reason = override.get("override_reason", "")
    if room is not None:
        new.room = room
    new.save(update_fields=["room", "clash_override_reason"])
    if session.status == SessionOccurrence.Status.PLANNED:
        session.status = SessionOccurrence.Status.RESCHEDULED
    session.rescheduled_to = new
    session.sequence += 1
    session.save()
    if new.booked_at_meeting_id:
        _follow_booked_drop_in(new)
    _audit_session(session, by, "rescheduled", to=new.pk, **override)
    return new


def _follow_booked_drop_in(session: SessionOccurrence) -> None:
    """A next drop-in booked at a meeting moved: the meeting and its step show the new day."""
    day = timezone.localdate(session.starts_at)
    meeting = session.booked_at_meeting
    if meeting is None:
        return
    meeting.next_drop_in = day
    meeting.save(update_fields=["next_drop_in"])
    step = meeting.step
    if step is not None and step.is_active:
        step.review_due = day
        step.save(update_fields=["review_due", "updated_at"])


@transaction.atomic
def session_mark_missed(
    *,
    session: SessionOccurrence,
    by: User,
    reason: str,
    note: str = "",
    reschedule_to: dt.datetime | None = None,
    override_reason: str = "",
) -> SessionOccurrence:
    """Record why a session did not happen, and optionally book it again in the same step."""
    session = SessionOccurrence.objects.select_for_update().get(pk=session.pk)
    _require_open(session)
    if reason == SessionOccurrence.Reason.OTHER and not note.strip():
        raise DomainError("Add a short note when the reason is “Other”.")
    session.status = SessionOccurrence.Status.MISSED
    session.reason, session.reason_note = reason, note.strip()
    session.sequence += 1
    session.save()
    _audit_session(session, by, "missed", reason=reason)
    if reschedule_to is not None:
        return session_reschedule(
            session=session, by=by, starts_at=reschedule_to, override_reason=override_reason
        )
    return session


@transaction.atomic
def session_cancel(
    *, session: SessionOccurrence, by: User, reason: str, note: str = ""
) -> SessionOccurrence:
    session = SessionOccurrence.objects.select_for_update().get(pk=session.pk)
    _require_open(session)
    session.status = SessionOccurrence.Status.CANCELLED
    session.reason, session.reason_note = reason, note.strip()
    session.sequence += 1
    session.save()
    _audit_session(session, by, "cancelled", reason=reason)
    return session


@transaction.atomic
def session_assign_cover(
    *, session: SessionOccurrence, by: User, coach: User, override_reason: str = ""
) -> SessionOccurrence:
    """Hand one session to another coach of the school, e.g. the lead covering and filming.
    A covering coach who is busy then is refused unless `override_reason` says why."""
    session = SessionOccurrence.objects.select_for_update().get(pk=session.pk)
    _require_open(session)
    if not coach.memberships.filter(school=session.school, is_active=True, is_coach=True).exists():
        raise DomainError("Choose a coach from this school.")
    override = _check_session(session, override_reason=override_reason, coach=coach)
    session.coach = coach
    session.clash_override_reason = override.get("override_reason", "")
    session.sequence += 1
    session.save()
    _audit_session(session, by, "cover_assigned", coach=coach.pk, **override)
    return session


@transaction.atomic
def session_mark_held(
    *, session: SessionOccurrence, by: User, filmed: bool = False
) -> SessionOccurrence:
    """Held without a record in Coachroom, e.g. a covered drop-in filmed for later review."""
    session = SessionOccurrence.objects.select_for_update().get(pk=session.pk)
    _require_open(session)
    session.status = SessionOccurrence.Status.DONE
    session.filmed = filmed
    session.sequence += 1
    session.save()
    _audit_session(session, by, "held", filmed=filmed)
    return session


def fulfil_session(
    *, relationship: CoachingRelationship, kind: str, at: dt.datetime, by: User, **link: Any
) -> SessionOccurrence:
    """A drop-in or meeting was recorded: mark its planned session held, or log it as unplanned.

    The planned session on the same day wins; failing that, the most recent unrecorded one from
    the last few days (records are often written up late).
    """
    day = timezone.localdate(at)
    planned = SessionOccurrence.objects.filter(
        relationship=relationship, kind=kind, status=SessionOccurrence.Status.PLANNED
    )
    session = (
        planned.filter(starts_at__date=day).order_by("starts_at").first()
        or planned.filter(
            starts_at__lt=_at(day, dt.time()),
            starts_at__gte=_at(day - dt.timedelta(days=LATE_RECORD_DAYS), dt.time()),
        )
        .order_by("-starts_at")
        .first()
    )
    if session is None:
        session = SessionOccurrence(
            school_id=relationship.school_id,
            relationship=relationship,
            kind=kind,
            coach=by,
            starts_at=at,
            minutes=DEFAULT_MINUTES[SessionKind(kind)],
        )
    else:
        session.sequence += 1
    session.status = SessionOccurrence.Status.DONE
    for name, value in link.items():
        setattr(session, name, value)
    session.save()
    return session


def upcoming_for_coachee(user: User, school: School, *, limit: int = 5) -> list[SessionOccurrence]:
    """The next sessions in which this person is the one being coached."""
    return list(
        SessionOccurrence.objects.for_school(school)
        .filter(relationship__coachee=user)
        .planned()
        .filter(starts_at__gte=timezone.now())
        .select_related("relationship__coachee", "coach")
        .order_by("starts_at")[:limit]
    )
