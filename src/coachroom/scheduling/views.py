"""Timetabled coaching: the team's slots, a coach's week, and one session's fate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachroom import audit
from coachroom.accounts.access import member_required
from coachroom.accounts.models import CoachingRelationship, Role, User
from coachroom.accounts.submissions import once
from coachroom.accounts.viewer import MemberRequest
from coachroom.core.errors import ClashError, DomainError
from coachroom.core.forms import PageQuery, read_query
from coachroom.core.http import AuthedRequest
from coachroom.core.links import pk_links
from coachroom.scheduling import services as scheduling
from coachroom.scheduling import timetable
from coachroom.scheduling.access import (
    can_manage,
    get_pair_for_scheduler,
    get_session_for_manager,
    get_session_for_user,
    get_slot_for_scheduler,
    session_queryset,
)
from coachroom.scheduling.clashes import Busy, free_times_for_session, people_of, session_window
from coachroom.scheduling.forms import (
    ClashOverrideForm,
    CoverForm,
    HeldForm,
    MissedForm,
    MoveSeriesForm,
    RescheduleForm,
    SlotFieldsForm,
    TeamSlotForm,
    WeekQuery,
)
from coachroom.scheduling.models import ScheduledSlot, SessionKind, SessionOccurrence, Weekday

LEADS = (Role.COACHING_LEAD, Role.SCHOOL_ADMIN)
WEEKDAYS = dict(Weekday.choices)


def _posted(request: AuthedRequest, *, day: str, time: str) -> QueryDict | None:
    """The POST, with a free option chosen after a clash (`use_option`) put in its fields:
    "weekday|HH:MM" for a slot, "YYYY-MM-DDTHH:MM" for one session."""
    if request.method != "POST":
        return None
    data = request.POST.copy()
    option = data.pop("use_option", [""])[0]
    if "|" in option:
        data[day], data[time] = option.split("|", 1)
    elif "T" in option:
        data[day], data[time] = option.split("T", 1)
    else:
        return data
    data.pop("clash_override", None)
    return data


def _slot_options(
    slot: ScheduledSlot, *, from_date: dt.date, exclude: ScheduledSlot | None
) -> list[tuple[str, str]]:
    found = timetable.free_slot_times(slot, from_date=from_date, exclude_slot=exclude)
    return [(f"{w}|{t:%H:%M}", f"{WEEKDAYS[w]}s at {t:%H:%M}") for w, t in found]


def _session_options(times: list[dt.datetime]) -> list[tuple[str, str]]:
    return [(f"{t:%Y-%m-%dT%H:%M}", f"{t:%A %-d %B, %H:%M}") for t in times]


@member_required(*LEADS)
@require_http_methods(["GET", "POST"])
def team_schedule(request: MemberRequest) -> HttpResponse:
    """The coaching timetable for the school, and bulk set-up of slots for a team."""
    school = request.membership.school
    form = TeamSlotForm(request.POST or None, school=school, initial={"kind": SessionKind.DROP_IN})
    clash: ClashError | None = None
    if form.is_valid():
        try:
            created, skipped = scheduling.slots_create_for_team(
                relationships=form.cleaned_data["pairs"],
                by=request.user,
                override_reason=form.override_reason(),
                **form.slot_fields(),
            )
        except ClashError as error:
            clash = error
            form.add_error(None, str(error))
            return _team_page(request, form, clash)
        if created:
            messages.success(
                request,
                f"{len(created)} slot{'s' if len(created) != 1 else ''} set up, "
                "with sessions planned for the rest of the year.",
            )
        for reason in skipped:
            messages.warning(request, reason)
        return redirect("scheduling:team-schedule")
    return _team_page(request, form, clash)


def _team_page(
    request: MemberRequest, form: TeamSlotForm, clash: ClashError | None
) -> HttpResponse:
    school = request.membership.school
    pairs = (
        CoachingRelationship.objects.for_school(school)
        .current()
        .select_related("coach", "coachee")
        .order_by("coach__last_name", "coachee__last_name", "pk")
    )
    page = Paginator(pairs, 50).get_page(read_query(PageQuery, request.GET)["page"])
    slots: dict[int, list[ScheduledSlot]] = {}
    for slot in ScheduledSlot.objects.filter(
        relationship__in=[p.pk for p in page.object_list], is_active=True
    ).order_by("kind"):
        slots.setdefault(slot.relationship_id, []).append(slot)
    rows = [(pair, slots.get(pair.pk, [])) for pair in page.object_list]
    return render(
        request,
        "scheduling/team_schedule.html",
        {"form": form, "rows": rows, "page": page, "clash": clash},
    )


@member_required(Role.COACH, *LEADS)
@require_http_methods(["GET", "POST"])
@once
def pair_slots(request: MemberRequest, pair_pk: int) -> HttpResponse:
    pair = get_pair_for_scheduler(request, pair_pk)
    form = SlotFieldsForm(
        _posted(request, day="weekday", time="start_time"), initial={"kind": SessionKind.DROP_IN}
    )
    clash: ClashError | None = None
    if form.is_valid():
        try:
            slot = scheduling.slot_create(
                relationship=pair,
                by=request.user,
                override_reason=form.override_reason(),
                **form.slot_fields(),
            )
        except ClashError as error:
            clash = error
            form.add_error(None, str(error))
            proposed = timetable.unsaved_slot(pair, **form.slot_fields())
            form.offer(_slot_options(proposed, from_date=proposed.starts_on, exclude=None))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{slot} set up for {pair.coachee.full_name}.")
            return redirect("scheduling:pair-slots", pair_pk=pair.pk)
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
        "scheduling/pair_slots.html",
        {"pair": pair, "slots": slots, "form": form, "upcoming": upcoming, "clash": clash},
    )


@member_required(Role.COACH, *LEADS)
@require_http_methods(["GET", "POST"])
def slot_move(request: MemberRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_scheduler(request, pk)
    form = MoveSeriesForm(
        _posted(request, day="weekday", time="start_time"),
        initial={
            "weekday": slot.weekday,
            "start_time": slot.start_time,
            "minutes": slot.minutes,
            "period": slot.period,
            "room": slot.room,
            "from_date": timezone.localdate(),
        },
    )
    clash: ClashError | None = None
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in MOVE_FIELDS}
        try:
            moved = scheduling.slot_move_series(
                slot=slot, by=request.user, override_reason=form.override_reason(), **data
            )
        except ClashError as error:
            clash = error
            form.add_error(None, str(error))
            proposed = timetable.unsaved_slot(
                slot.relationship,
                kind=slot.kind,
                cadence=slot.cadence,
                starts_on=slot.starts_on,
                ends_on=slot.ends_on,
                weekday=data["weekday"],
                start_time=data["start_time"],
                minutes=data["minutes"],
            )
            form.offer(_slot_options(proposed, from_date=data["from_date"], exclude=slot))
        else:
            messages.success(request, f"{moved} planned session{'s' if moved != 1 else ''} moved.")
            return redirect("scheduling:pair-slots", pair_pk=slot.relationship_id)
    return render(
        request, "scheduling/slot_move.html", {"slot": slot, "form": form, "clash": clash}
    )


MOVE_FIELDS = ("weekday", "start_time", "from_date", "room", "period", "minutes")


@member_required(Role.COACH, *LEADS)
@require_http_methods(["GET", "POST"])
def slot_end(request: MemberRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_scheduler(request, pk)
    if request.method == "POST":
        cancelled = scheduling.slot_end(slot=slot, by=request.user)
        messages.success(
            request,
            f"Slot removed; {cancelled} planned session{'s' if cancelled != 1 else ''} cancelled.",
        )
        return redirect("scheduling:pair-slots", pair_pk=slot.relationship_id)
    return render(request, "scheduling/slot_end.html", {"slot": slot})


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekRow:
    """A session as the week lists it, worked out here so the template only prints it."""

    pk: int
    url: str
    starts_at: dt.datetime  # in school time
    day: dt.date
    time: str  # "10:00"
    title: str  # "Drop-in with Alice Example" or "… with your coach, Bob Example"
    room: str
    cover: str  # "", "cover", or "covering for <the pair's own coach>"
    next_drop_in: bool
    coached: bool  # the viewer is the coachee
    status: str
    status_label: str


WEEK_COLUMNS = (
    "pk",
    "starts_at",
    "kind",
    "status",
    "room",
    "coach_id",
    "booked_at_meeting_id",
    "relationship__coach_id",
    "relationship__coachee_id",
    "coach__first_name",
    "coach__last_name",
    "coach__email",
    "relationship__coach__first_name",
    "relationship__coach__last_name",
    "relationship__coach__email",
    "relationship__coachee__first_name",
    "relationship__coachee__last_name",
    "relationship__coachee__email",
)
KIND_LABELS = dict(SessionKind.choices)
STATUS_LABELS = dict(SessionOccurrence.Status.choices)


def week_rows(sessions: QuerySet[SessionOccurrence], user_pk: int) -> list[WeekRow]:
    """The rows from one `values_list` query: no model instances, no per-row `reverse()`."""
    link = pk_links("scheduling:session-detail")
    rows = []
    for (
        pk,
        starts_at,
        kind,
        status,
        room,
        coach_id,
        booked_at_meeting_id,
        pair_coach_id,
        coachee_id,
        *names,
    ) in sessions.values_list(*WEEK_COLUMNS):
        coach, pair_coach, coachee = (User.name_from(*names[i : i + 3]) for i in (0, 3, 6))
        coached = coachee_id == user_pk
        kind_label = KIND_LABELS[kind]
        cover = ""
        if coach_id != pair_coach_id:
            cover = f"covering for {pair_coach}" if coach_id == user_pk else "cover"
        local = timezone.localtime(starts_at)
        rows.append(
            WeekRow(
                pk=pk,
                url=link(pk),
                starts_at=local,
                day=local.date(),
                time=f"{local:%H:%M}",
                title=(
                    f"{kind_label} with your coach, {coach}"
                    if coached
                    else f"{kind_label} with {coachee}"
                ),
                room=room,
                cover=cover,
                next_drop_in=booked_at_meeting_id is not None,
                coached=coached,
                status=status,
                status_label=STATUS_LABELS[status],
            )
        )
    return rows


@member_required()
@require_GET
def week(request: MemberRequest) -> HttpResponse:
    """A person's five school days: sessions they lead (covering included) and sessions in
    which they are coached, plus anything earlier they still have to record."""
    chosen = read_query(WeekQuery, request.GET)["week"] or timezone.localdate()
    monday = _monday(chosen)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
    order = ("starts_at", "minutes", "pk")
    in_school = SessionOccurrence.objects.for_school(request.membership.school)
    rows = week_rows(
        in_school.involving(request.user)
        .filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=5))
        .order_by(*order),
        request.user.pk,
    )
    days = [monday + dt.timedelta(days=i) for i in range(5)]
    # The first twenty overdue sessions found on their own, then joined to the people: with the
    # joins in the same SELECT, SQLite reads every past session of the coach to find them.
    first_overdue = in_school.filter(coach=request.user).overdue().order_by(*order)[:20]
    overdue = week_rows(
        SessionOccurrence.objects.filter(pk__in=first_overdue.values("pk")).order_by(*order),
        request.user.pk,
    )
    return render(
        request,
        "scheduling/week.html",
        {
            "days": [(day, [row for row in rows if row.day == day]) for day in days],
            "monday": monday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "today": timezone.localdate(),
            "overdue": overdue,
        },
    )


@member_required()
@require_GET
def upcoming(request: MemberRequest) -> HttpResponse:
    sessions = list(
        session_queryset(request.user)
        .filter(school=request.membership.school)
        .filter(relationship__coachee=request.user)
        .planned()
        .filter(starts_at__gte=timezone.now())
        .select_related("coach", "relationship__coach")
        .order_by("starts_at", "minutes", "pk")[:30]
    )
    return render(request, "scheduling/upcoming.html", {"sessions": sessions})


def _next_same_time(session: SessionOccurrence) -> dt.datetime:
    """The suggested new time: the same time on the first school day a week on, or later, when
    everyone involved is free (a weekly slot's next session is usually that day)."""
    local = timezone.localtime(session.starts_at)
    days = scheduling.SchoolDays(session.relationship.academic_year)
    first = max(local.date(), timezone.localdate()) + dt.timedelta(days=7)
    school_days = [d for d in (first + dt.timedelta(days=n) for n in range(30)) if d in days]
    people = people_of(session.relationship, session.coach)
    busy = Busy.load(people, first, first + dt.timedelta(days=30), exclude_sessions=[session.pk])
    for day in school_days:
        moment = timezone.make_aware(dt.datetime.combine(day, local.time()))
        if busy.is_free([session_window(moment, session.minutes)], people):
            return moment
    day = school_days[0] if school_days else first
    return timezone.make_aware(dt.datetime.combine(day, local.time()))


def _session_page(
    request: AuthedRequest,
    session: SessionOccurrence,
    status: int = 200,
    clash: ClashError | None = None,
    **forms: Any,
) -> HttpResponse:
    if session.reason_note:
        # Why a session was missed can be about the teacher: a read by anyone outside the pair
        # (a coaching lead, a school admin) is audited, and the coachee sees who read it.
        pair = session.relationship
        audit.audit_read(
            reader=request.user,
            about=pair.coachee,
            school=session.school,
            target=session,
            action="programme.sessionoccurrence.viewed",
            parties=(session.coach_id, pair.coach_id),
        )
    manage = can_manage(session, request.user) and session.status == "planned"
    suggested = _next_same_time(session) if manage else None
    context: dict[str, Any] = {
        "session": session,
        "clash": clash,
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
    return render(request, "scheduling/session_detail.html", context, status=status)


@require_GET
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _session_page(request, get_session_for_user(request, pk))


@require_POST
def session_missed(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_manager(request, pk)
    form = MissedForm(_posted(request, day="reschedule_on", time="reschedule_at"))
    if not form.is_valid():
        return _session_page(request, session, missed_form=form)
    try:
        result = scheduling.session_mark_missed(
            session=session,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            reschedule_to=form.reschedule_to(),
            override_reason=form.override_reason(),
        )
    except ClashError as error:
        return _session_clash(request, session, error, form, "missed_form")
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
    form = RescheduleForm(_posted(request, day="on", time="at"))
    if not form.is_valid():
        return _session_page(request, session, reschedule_form=form)
    try:
        new = scheduling.session_reschedule(
            session=session,
            by=request.user,
            starts_at=form.starts_at(),
            room=form.cleaned_data["room"],
            override_reason=form.override_reason(),
        )
    except ClashError as error:
        return _session_clash(request, session, error, form, "reschedule_form")
    messages.success(request, f"Moved to {_when(new.starts_at)}.")
    return redirect(new)


@require_POST
def session_cover(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_manager(request, pk)
    form = CoverForm(request.POST, session=session)
    if not form.is_valid():
        return _session_page(request, session, cover_form=form)
    try:
        scheduling.session_assign_cover(
            session=session,
            by=request.user,
            coach=form.cleaned_data["coach"],
            override_reason=form.override_reason(),
        )
    except ClashError as error:
        form.add_error(None, str(error))
        return _session_page(request, session, clash=error, cover_form=form)
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


def _session_clash(
    request: AuthedRequest,
    session: SessionOccurrence,
    error: ClashError,
    form: ClashOverrideForm,
    name: str,
) -> HttpResponse:
    """Re-show the form with the clashes and the nearest free times on the following days."""
    form.add_error(None, str(error))
    wanted = timezone.localtime(_wanted(form) or session.starts_at)
    days = scheduling.SchoolDays(session.relationship.academic_year)
    dates = [wanted.date() + dt.timedelta(days=n) for n in range(21)]
    free = free_times_for_session(
        relationship=session.relationship,
        days=[d for d in dates if d in days],
        wanted=wanted.time(),
        minutes=session.minutes,
        coach=session.coach,
        exclude=[session.pk],
    )
    form.offer(_session_options(free))
    forms: dict[str, Any] = {name: form}
    return _session_page(request, session, 200, error, **forms)


def _wanted(form: ClashOverrideForm) -> dt.datetime | None:
    if isinstance(form, RescheduleForm):
        return form.starts_at()
    if isinstance(form, MissedForm):
        return form.reschedule_to()
    return None


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%A %-d %B at %H:%M}"
