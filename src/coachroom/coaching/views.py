from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachroom import audit
from coachroom.accounts.models import AcademicYear, CoachingRelationship, School, User
from coachroom.accounts.viewer import viewer_of
from coachroom.coaching import booking, meetings, picker, services
from coachroom.coaching.access import (
    get_drop_in_for_observer,
    get_meeting_for_user,
    get_observation_for_user,
    get_own_observation,
    get_pair_for_coach,
    get_teacher_for_timeline,
    teacher_may_see_observation,
)
from coachroom.coaching.forms import (
    DropInForm,
    MeetingForm,
    ReflectionForm,
    YearQuery,
)
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    StepState,
    StepTransition,
)
from coachroom.core.errors import ClashError, DomainError
from coachroom.core.forms import read_query
from coachroom.core.http import AuthedRequest

# Drop-ins --------------------------------------------------------------------------------------


@require_POST
def drop_in_start(request: AuthedRequest, pair_pk: int) -> HttpResponse:
    pair = get_pair_for_coach(request, pair_pk)
    draft = (
        Observation.objects.visible_to(request.user)
        .filter(relationship=pair, status=Observation.Status.DRAFT)
        .order_by("-created_at")
        .first()
    )
    if draft is None:
        draft = services.observation_start(relationship=pair, by=request.user)
    return redirect("coaching:drop-in-edit", pk=draft.pk)


@require_http_methods(["GET", "POST"])
def drop_in_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    observation = get_drop_in_for_observer(request, pk)
    if not observation.is_draft:
        # Back (or a second tap on Save) after saving: the observer's saved drop-in, not a 404.
        return redirect("coaching:drop-in-detail", pk=pk)
    steps = services.steps_to_look_for(observation.relationship)
    form = DropInForm(request.POST or None, instance=observation, steps=steps, submitting=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.observation_submit(
                observation=observation,
                by=request.user,
                ratings=form.ratings(),
                **form.observation_fields(),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Drop-in for {observation.teacher.full_name} saved. Next: the feedback meeting.",
            )
            return redirect(observation)
    return render(
        request,
        "coaching/drop_in_edit.html",
        {"form": form, "observation": observation, "steps": steps},
    )


@require_POST
def drop_in_autosave(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save whatever has been typed so far; invalid fields are left as they were. An autosave
    that arrives after the drop-in was submitted changes nothing and says so calmly."""
    observation = get_own_observation(request, pk)
    form = DropInForm(request.POST, instance=observation, steps=[])
    form.is_valid()
    fields = {
        name: form.cleaned_data[name]
        for name in DropInForm.Meta.fields
        if name in form.cleaned_data and name in request.POST
    }
    saved = observation.is_draft and services.observation_autosave(
        observation=observation, by=request.user, **fields
    )
    if not saved:
        if request.htmx:
            return render(
                request, "coaching/drop_in_edit.html#autosave-status", {"submitted": True}
            )
        messages.info(request, "This drop-in was already submitted; the draft was left as it is.")
        return redirect("coaching:drop-in-detail", pk=observation.pk)
    saved_at = timezone.localtime(observation.updated_at)
    if request.htmx:
        return render(request, "coaching/drop_in_edit.html#autosave-status", {"saved_at": saved_at})
    messages.success(request, f"Draft saved at {saved_at:%H:%M}.")
    return redirect("coaching:drop-in-edit", pk=observation.pk)


@require_GET
def drop_in_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    observation = get_observation_for_user(request, pk)
    audit.audit_read(
        reader=request.user,
        about=observation.teacher,
        school=observation.school,
        target=observation,
    )
    evidence = observation.evidence.select_related("step")
    can_hold_meeting = (
        observation.observer_id == request.user.pk
        and observation.relationship.is_current
        and not observation.is_draft
    )
    return render(
        request,
        "coaching/drop_in_detail.html",
        {"observation": observation, "evidence": evidence, "can_hold_meeting": can_hold_meeting},
    )


# Feedback meetings -----------------------------------------------------------------------------

RECENT_DROP_INS = 5  # the drop-ins a meeting may follow: the pair's newest few


@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthedRequest, pair_pk: int) -> HttpResponse:
    pair = get_pair_for_coach(request, pair_pk)
    current = services.active_step(pair)
    recent = (
        Observation.objects.visible_to(viewer_of(request))
        .filter(relationship=pair)
        .submitted()
        .order_by("-observed_at", "-pk")
    )
    latest = list(recent[:RECENT_DROP_INS])
    # "Find steps" (or "More steps") without JavaScript posts the form back: keep what was
    # typed, save nothing.
    finding = picker.FIND in request.POST or "page" in request.POST
    query = request.POST if request.method == "POST" else request.GET
    step_picker = picker.picker_from(
        query, relationship=pair, suggest=lambda: picker.suggested_steps(pair, current)
    )
    initial = {**_next_drop_in_initial(pair), "observations": [o.pk for o in latest[:1]]}
    form = MeetingForm(
        None if finding else _with_chosen_time(request),
        relationship=pair,
        has_current_step=current is not None,
        library=lambda: picker.library_for(pair.school),
        recent_drop_ins=lambda: recent,
        latest_drop_ins=latest,
        initial=_kept_or_chosen(
            initial, query, finding=finding, picked=step_picker, current=current
        ),
    )
    clash: ClashError | None = None
    if form.is_valid():
        try:
            meeting = _record_meeting(request, pair, form)
        except ClashError as error:
            clash = error
            form.add_error(None, str(error))
            form.offer([(f"{t:%Y-%m-%dT%H:%M}", f"{t:%A %-d %B, %H:%M}") for t in error.free])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _saved_message(meeting, form))
            return redirect(meeting)
    return render(
        request,
        "coaching/meeting_new.html",
        {
            "pair": pair,
            "form": form,
            "current": current,
            "picker": step_picker,
            "drop_ins": latest,
            "clash": clash,
        },
    )


def _kept_or_chosen(
    initial: dict[str, Any],
    query: Any,
    *,
    finding: bool,
    picked: picker.StepPicker,
    current: ActionStep | None,
) -> dict[str, Any]:
    """What the meeting form starts with: everything typed, when "Find steps" posted it back
    without JavaScript; the library step chosen, when the coach came from "Use in a meeting"."""
    if finding:
        return {k: query.getlist(k) if k == "observations" else query[k] for k in query}
    if picked.chosen is not None:
        decision = FeedbackMeeting.Decision.REFINE if current else FeedbackMeeting.Decision.NEW
        return {**initial, "library_step": picked.chosen.pk, "decision": decision}
    return initial


def _with_chosen_time(request: AuthedRequest) -> Any:
    """A free time chosen after a clash (`use_option`, ISO) replaces the day and time."""
    if request.method != "POST":
        return None
    data = request.POST.copy()
    try:
        chosen = dt.datetime.fromisoformat(data.pop("use_option", [""])[0])
    except ValueError:
        return data
    data["next_drop_in"], data["next_drop_in_time"] = f"{chosen:%Y-%m-%d}", f"{chosen:%H:%M}"
    data.pop("clash_override", None)
    return data


def _next_drop_in_initial(pair: CoachingRelationship) -> dict[str, Any]:
    suggested = booking.suggest(pair)
    if suggested is not None:
        return {"next_drop_in": suggested.date(), "next_drop_in_time": suggested.time()}
    day = pair.school.add_school_days(timezone.localdate(), services.REVIEW_WITHIN_SCHOOL_DAYS)
    return {"next_drop_in": day}


def _record_meeting(
    request: AuthedRequest, pair: CoachingRelationship, form: MeetingForm
) -> FeedbackMeeting:
    data = form.cleaned_data
    return meetings.meeting_record(
        relationship=pair,
        by=request.user,
        praise=data["praise"],
        step_review=data["step_review"],
        decision=data["decision"],
        rounds=form.rounds(),
        modelling=data["modelling"],
        plan=data["plan"],
        next_drop_in=data["next_drop_in"],
        next_drop_in_time=data["next_drop_in_time"],
        clash_override_reason=form.override_reason(),
        observations=data["observations"],
        new_step=form.step_draft() if data["decision"] != "continue" else None,
        teacher_proposed=data["teacher_proposed"],
        teacher_agreed_in_meeting=form.teacher_agreed_in_meeting,
    )


def _saved_message(meeting: FeedbackMeeting, form: MeetingForm) -> str:
    booked = ""
    if meeting.next_drop_in and form.cleaned_data["next_drop_in_time"]:
        when = form.cleaned_data["next_drop_in_time"]
        booked = f" Next drop-in booked for {meeting.next_drop_in:%A %-d %B} at {when:%H:%M}."
    return "Meeting saved. The teacher can now see it and reflect." + booked


@require_GET
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    audit.audit_read(
        reader=request.user, about=meeting.teacher, school=meeting.school, target=meeting
    )
    meetings.meeting_mark_reflection_read(meeting, by=request.user)
    is_teacher = meeting.teacher_id == request.user.pk
    return render(
        request,
        "coaching/meeting_detail.html",
        {
            "meeting": meeting,
            "rounds": meeting.rounds.all(),
            "observations": meeting.observations.all(),
            "is_teacher": is_teacher,
            "reflection_form": ReflectionForm(initial={"reflection": meeting.reflection})
            if is_teacher
            else None,
        },
    )


@require_POST
def meeting_reflect(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    form = ReflectionForm(request.POST)
    if meeting.teacher_id != request.user.pk:
        raise DomainError("Only the teacher adds their reflection.")
    if form.is_valid():
        meetings.meeting_reflect(
            meeting=meeting, by=request.user, reflection=form.cleaned_data["reflection"]
        )
        messages.success(request, "Your reflection has been saved. Your coach can read it.")
        return redirect(meeting)
    return render(
        request,
        "coaching/meeting_detail.html",
        {
            "meeting": meeting,
            "rounds": meeting.rounds.all(),
            "observations": meeting.observations.all(),
            "is_teacher": True,
            "reflection_form": form,
        },
    )


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    obj: Any


def _timeline_year(request: AuthedRequest, school: School) -> tuple[Any, list[Any]]:
    """The academic year the timeline shows (the current one unless ?year= picks another)."""
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))
    chosen = school.current_year()
    wanted = read_query(YearQuery, request.GET)["year"]
    for year in years:
        if year.pk == wanted:
            chosen = year
    return chosen, years


def _year_window(year: AcademicYear, years: list[AcademicYear]) -> dict[str, datetime]:
    """A year's part of the record: from its first day until the next year's first day.

    The holidays between two years belong to the year just ended, the time after the latest
    year to that year, and the time before the earliest to the earliest, so that everything
    written about a teacher shows in exactly one year, even a drop-in made in the summer
    holiday or before the first term starts.
    """
    window: dict[str, datetime] = {}
    if any(other.starts_on < year.starts_on for other in years):
        window["gte"] = timezone.make_aware(dt.datetime.combine(year.starts_on, dt.time()))
    later = [other.starts_on for other in years if other.starts_on > year.starts_on]
    if later:
        window["lt"] = timezone.make_aware(dt.datetime.combine(min(later), dt.time()))
    return window


@require_GET
def timeline(request: AuthedRequest, teacher_pk: int) -> HttpResponse:
    """Everything about a teacher, newest first, one academic year at a time."""
    teacher, school = get_teacher_for_timeline(request, teacher_pk)
    # Every view is audited, including one served from the page cache.
    audit.audit_read(
        reader=request.user, about=teacher, school=school, action="coaching.timeline.viewed"
    )
    return render(request, "coaching/timeline.html", _timeline_context(request, teacher, school))


def _timeline_context(request: AuthedRequest, teacher: User, school: School) -> dict[str, Any]:
    viewer = request.user
    is_teacher = viewer.pk == teacher.pk
    year, years = _timeline_year(request, school)
    window = _year_window(year, years) if year is not None else {}

    def in_year(field: str) -> dict[str, Any]:
        return {f"{field}__{op}": value for op, value in window.items()}

    observations = list(
        Observation.objects.for_school(school)
        .filter(teacher=teacher, **in_year("observed_at"))
        .visible_to(viewer)
        .select_related("observer", "school")
        .annotate(meeting_count=Count("meetings"))
        .prefetch_related(Prefetch("evidence", to_attr="evidence_list"))
    )
    if is_teacher:
        observations = [
            o for o in observations if o.observer_id == viewer.pk or teacher_may_see_observation(o)
        ]
    meetings = (
        FeedbackMeeting.objects.for_school(school)
        .filter(teacher=teacher, **in_year("held_at"))
        .visible_to(viewer)
        .select_related("coach", "step")
        .annotate(round_count=Count("rounds"))
    )
    steps = {
        s.pk: s
        for s in ActionStep.objects.for_school(school).filter(teacher=teacher).visible_to(viewer)
    }
    transitions = (
        StepTransition.objects.filter(step__in=list(steps), **in_year("at"))
        .select_related("by")
        .order_by("at", "pk")
    )
    items = [TimelineItem(o.observed_at, "drop-in", o) for o in observations]
    items += [TimelineItem(m.held_at, "meeting", m) for m in meetings]
    stepped_this_year: set[int] = set()
    for t in transitions:
        t.step_obj = steps[t.step_id]  # type: ignore[attr-defined]
        stepped_this_year.add(t.step_id)
        items.append(TimelineItem(t.at, "step", t))
    items.sort(key=lambda item: item.at, reverse=True)
    current = [
        s
        for s in steps.values()
        if s.is_active or (s.state == StepState.SECURED and s.pk in stepped_this_year)
    ]
    return {
        "teacher": teacher,
        "school": school,
        "items": items,
        "is_teacher": is_teacher,
        "current_steps": sorted(current, key=lambda s: s.created_at, reverse=True),
        "year": year,
        "years": years,
    }


@require_GET
def my_timeline(request: AuthedRequest) -> HttpResponse:
    return redirect("coaching:timeline", teacher_pk=request.user.pk)
