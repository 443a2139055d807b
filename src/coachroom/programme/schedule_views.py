"""Timetabled coaching: the team's slots, a coach's week, and one session's fate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from coachroom import audit
from coachroom.accounts.access import school_member_required
from coachroom.accounts.models import CoachingRelationship, Role
from coachroom.errors import DomainError
from coachroom.http import AuthedRequest
from coachroom.programme import scheduling
from coachroom.programme.models import ScheduledSlot, SessionKind, SessionOccurrence
from coachroom.programme.schedule_access import (
    can_manage,
    get_pair_for_scheduler,
    get_session_for_manager,
    get_session_for_user,
    get_slot_for_scheduler,
    session_queryset,
)
from coachroom.programme.schedule_forms import (
    CoverForm,
    HeldForm,
    MissedForm,
    MoveSeriesForm,
    RescheduleForm,
    SlotFieldsForm,
    TeamSlotForm,
)

LEADS = (Role.COACHING_LEAD, Role.SCHOOL_ADMIN)


@school_member_required(*LEADS)
@require_http_methods(["GET", "POST"])
def team_schedule(request: AuthedRequest) -> HttpResponse:
    """The coaching timetable for the school, and bulk set-up of slots for a team."""
    school = request.membership.school
    form = TeamSlotForm(request.POST or None, school=school, initial={"kind": SessionKind.DROP_IN})
    if form.is_valid():
        created, skipped = scheduling.slots_create_for_team(
            relationships=form.cleaned_data["pairs"], by=request.user, **form.slot_fields()
        )
        if created:
            messages.success(
                request,
                f"{len(created)} slot{'s' if len(created) != 1 else ''} set up, "
                "with sessions planned for the rest of the year.",
            )
        for reason in skipped:
            messages.warning(request, reason)
        return redirect("programme:team-schedule")
    pairs = (
        CoachingRelationship.objects.for_school(school)
        .current()
        .select_related("coach", "coachee")
        .order_by("coach__last_name", "coachee__last_name", "pk")
    )
    page = Paginator(pairs, 50).get_page(request.GET.get("page"))
    slots: dict[int, list[ScheduledSlot]] = {}
    for slot in ScheduledSlot.objects.filter(
        relationship__in=[p.pk for p in page.object_list], is_active=True
    ).order_by("kind"):
        slots.setdefault(slot.relationship_id, []).append(slot)
    rows = [(pair, slots.get(pair.pk, [])) for pair in page.object_list]
    return render(
        request,
        "programme/team_schedule.html",
        {"form": form, "rows": rows, "page": page},
    )


@school_member_required(Role.COACH, *LEADS)
@require_http_methods(["GET", "POST"])
def pair_slots(request: AuthedRequest, pair_pk: int) -> HttpResponse:
    pair = get_pair_for_scheduler(request, pair_pk)
    form = SlotFieldsForm(request.POST or None, initial={"kind": SessionKind.DROP_IN})
    if form.is_valid():
        try:
            slot = scheduling.slot_create(relationship=pair, by=request.user, **form.slot_fields())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{slot} set up for {pair.coachee.full_name}.")
            return redirect("programme:pair-slots", pair_pk=pair.pk)
    slots = ScheduledSlot.objects.filter(relationship=pair, is_active=True).order_by("kind")
    upcoming = (
        SessionOccurrence.objects.filter(relationship=pair)
        .planned()
        .filter(starts_at__gte=timezone.now())
        .select_related("coach")
        .order_by("starts_at")[:6]
    )
    return render(
        request,
        "programme/pair_slots.html",
        {"pair": pair, "slots": slots, "form": form, "upcoming": upcoming},
    )


@school_member_required(Role.COACH, *LEADS)
@require_http_methods(["GET", "POST"])
def slot_move(request: AuthedRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_scheduler(request, pk)
    form = MoveSeriesForm(
        request.POST or None,
        initial={
            "weekday": slot.weekday,
            "start_time": slot.start_time,
            "minutes": slot.minutes,
            "period": slot.period,
            "room": slot.room,
            "from_date": timezone.localdate(),
        },
    )
    if form.is_valid():
        moved = scheduling.slot_move_series(slot=slot, by=request.user, **form.cleaned_data)
        messages.success(request, f"{moved} planned session{'s' if moved != 1 else ''} moved.")
        return redirect("programme:pair-slots", pair_pk=slot.relationship_id)
    return render(request, "programme/slot_move.html", {"slot": slot, "form": form})


@school_member_required(Role.COACH, *LEADS)
@require_http_methods(["GET", "POST"])
def slot_end(request: AuthedRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_scheduler(request, pk)
    if request.method == "POST":
        cancelled = scheduling.slot_end(slot=slot, by=request.user)
        messages.success(
            request,
            f"Slot removed; {cancelled} planned session{'s' if cancelled != 1 else ''} cancelled.",
        )
        return redirect("programme:pair-slots", pair_pk=slot.relationship_id)
    return render(request, "programme/slot_end.html", {"slot": slot})


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@school_member_required(Role.COACH)
def week(request: AuthedRequest) -> HttpResponse:
    """A coach's five school days, plus anything earlier still waiting to be recorded."""
    try:
        chosen = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        chosen = timezone.localdate()
    monday = _monday(chosen)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
    mine = (
        SessionOccurrence.objects.for_school(request.membership.school)
        .filter(coach=request.user)
        .select_related("relationship__coachee", "relationship__coach")
    )
    sessions = list(
        mine.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=5)).order_by(
            "starts_at", "minutes", "pk"
        )
    )
    days = [
        (monday + dt.timedelta(days=i), [s for s in sessions if _on(s, monday, i)])
        for i in range(5)
    ]
    return render(
        request,
        "programme/week.html",
        {
            "days": days,
            "monday": monday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "today": timezone.localdate(),
            "overdue": list(mine.overdue().order_by("starts_at", "minutes", "pk")[:20]),
        },
    )


def _on(session: SessionOccurrence, monday: dt.date, offset: int) -> bool:
    return timezone.localdate(session.starts_at) == monday + dt.timedelta(days=offset)


@school_member_required()
def upcoming(request: AuthedRequest) -> HttpResponse:
    sessions = list(
        session_queryset(request.user)
        .filter(school=request.membership.school)
        .filter(relationship__coachee=request.user)
        .planned()
        .filter(starts_at__gte=timezone.now())
        .select_related("coach", "relationship__coach")
        .order_by("starts_at", "minutes", "pk")[:30]
    )
    return render(request, "programme/upcoming.html", {"sessions": sessions})


def _next_same_time(session: SessionOccurrence) -> dt.datetime:
    """The suggested new time: the same time on the next school day a week on, or later."""
    local = timezone.localtime(session.starts_at)
    days = scheduling.SchoolDays(session.relationship.academic_year)
    day = max(local.date(), timezone.localdate()) + dt.timedelta(days=7)
    for _ in range(30):
        if day in days:
            break
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, local.time()))


def _audit_note_read(request: AuthedRequest, session: SessionOccurrence) -> None:
    """Why a session was missed can be about the teacher: a read by anyone outside the pair (a
    coaching lead, a school admin) is audited, and the coachee sees who read it."""
    pair = session.relationship
    parties = {session.coach_id, pair.coach_id, pair.coachee_id}
    if session.reason_note and request.user.pk not in parties:
        audit.record(
            actor=request.user,
            action="programme.sessionoccurrence.viewed",
            school=session.school,
            target=session,
            subject=pair.coachee,
        )


def _session_page(
    request: AuthedRequest, session: SessionOccurrence, status: int = 200, **forms: Any
) -> HttpResponse:
    _audit_note_read(request, session)
    manage = can_manage(session, request.user) and session.status == "planned"
    suggested = _next_same_time(session) if manage else None
    context: dict[str, Any] = {
        "session": session,
        "can_manage": manage,
        "suggested": suggested,
        "missed_form": forms.get("missed_form")
        or MissedForm(
            initial={"reschedule_on": suggested.date(), "reschedule_at": suggested.time()}
            if suggested
            else {}
        ),
        "reschedule_form": forms.get("reschedule_form")
        or RescheduleForm(
            initial={"on": suggested.date(), "at": suggested.time(), "room": session.room}
            if suggested
            else {}
        ),
        "cover_form": forms.get("cover_form") or CoverForm(session=session),
        "held_form": HeldForm(),
    }
    return render(request, "programme/session_detail.html", context, status=status)


def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _session_page(request, get_session_for_user(request, pk))


@require_POST
def session_missed(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_manager(request, pk)
    form = MissedForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, missed_form=form)
    result = scheduling.session_mark_missed(
        session=session,
        by=request.user,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        reschedule_to=form.reschedule_to(),
    )
    if result.pk != session.pk:
        messages.success(
            request, f"Recorded as missed and booked again for {_when(result.starts_at)}."
        )
        return redirect(result)
    messages.success(request, "Recorded as missed.")
    return redirect(session)


@require_POST
def session_reschedule(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_manager(request, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, reschedule_form=form)
    new = scheduling.session_reschedule(
        session=session, by=request.user, starts_at=form.starts_at(), room=form.cleaned_data["room"]
    )
    messages.success(request, f"Moved to {_when(new.starts_at)}.")
    return redirect(new)


@require_POST
def session_cover(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_manager(request, pk)
    form = CoverForm(request.POST, session=session)
    if not form.is_valid():
        return _session_page(request, session, cover_form=form)
    scheduling.session_assign_cover(
        session=session, by=request.user, coach=form.cleaned_data["coach"]
    )
    messages.success(request, f"{form.cleaned_data['coach'].full_name} will cover this session.")
    return redirect(session)


@require_POST
def session_held(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_manager(request, pk)
    form = HeldForm(request.POST)
    filmed = form.is_valid() and form.cleaned_data["filmed"]
    scheduling.session_mark_held(session=session, by=request.user, filmed=filmed)
    messages.success(request, "Marked as held." + (" Filmed for later review." if filmed else ""))
    return redirect(session)


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%A %-d %B at %H:%M}"
