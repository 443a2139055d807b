from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship
from coachroom.accounts.submissions import once, posted_key
from coachroom.accounts.viewer import viewer_of
from coachroom.coaching import booking, meetings, offline, picker, services
from coachroom.coaching.access import (
    get_drop_in_for_observer,
    get_meeting_for_user,
    get_observation_for_user,
    get_own_observation,
    get_pair_for_coach,
    get_teacher_for_timeline,
)
from coachroom.coaching.forms import (
    DropInForm,
    MeetingForm,
    ReflectionForm,
    TimelineQuery,
)
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
)
from coachroom.coaching.timeline import choose_year, timeline_for, year_window
from coachroom.core.errors import ClashError, DomainError
from coachroom.core.forms import read_query
from coachroom.core.http import AuthedRequest
from coachroom.core.offline import offline_page

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


@offline_page
@require_http_methods(["GET", "POST"])
def drop_in_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    observation = get_drop_in_for_observer(request, pk)
    if not observation.is_draft:
        # Back (or a second tap on Save) after saving: the observer's saved drop-in, not a 404.
        return redirect("coaching:drop-in-detail", pk=pk)
    return drop_in_form_page(request, observation)


def drop_in_form_page(request: AuthedRequest, observation: Observation) -> HttpResponse:
    """The drop-in form, and its submit without JavaScript. A submit that is not valid yet
    keeps what was typed (so a reload shows it); one sent from a copy older than the saved
    draft changes nothing and shows both, rather than writing over what was saved since."""
    steps = services.steps_to_look_for(observation.relationship)
    form = DropInForm(request.POST or None, instance=observation, steps=steps, submitting=True)
    sent: dict[str, str] | None = None
    if request.method == "POST" and offline.is_stale(observation, request.POST):
        sent = offline.written(request.POST)  # shown beside the saved copy, to choose from
        form = DropInForm(instance=observation, steps=steps)
    elif request.method == "POST" and form.is_valid():
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
    elif request.method == "POST":
        services.observation_autosave(
            observation=observation,
            by=request.user,
            save_key=posted_key(request),
            **form.typed_so_far(request.POST),
        )
    return render(
        request,
        "coaching/drop_in_edit.html",
        {"form": form, "observation": observation, "steps": steps, "sent": sent},
    )


@require_POST
def drop_in_autosave(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save whatever has been typed so far, ratings included; invalid fields are left as they
    were. An autosave that arrives after the drop-in was submitted changes nothing and says so
    calmly."""
    observation = get_own_observation(request, pk)
    rated = observation.is_draft and any(name.startswith("step_") for name in request.POST)
    steps = services.steps_to_look_for(observation.relationship) if rated else []
    form = DropInForm(request.POST, instance=observation, steps=steps)
    form.is_valid()
    saved = observation.is_draft and services.observation_autosave(
        observation=observation, by=request.user, **form.typed_so_far(request.POST)
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
@once
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


@require_GET
@vary_on_headers("HX-Request")
def timeline(request: AuthedRequest, teacher_pk: int) -> HttpResponse:
    """Everything about a teacher, newest first, one academic year at a time, a batch of
    entries at a time: "Show earlier entries" is a link to the same page showing more
    (`?shown=`), which htmx turns into appending just the next batch."""
    teacher, school = get_teacher_for_timeline(request, teacher_pk)
    audit.audit_read(
        reader=request.user, about=teacher, school=school, action="coaching.timeline.viewed"
    )
    query = read_query(TimelineQuery, request.GET)
    year, years = choose_year(school, query["year"])
    entries = timeline_for(
        viewer=viewer_of(request),  # the rule from the ids the request already holds
        teacher=teacher,
        school=school,
        window=year_window(year, years),
        shown=query["shown"],
        self_reviews=True,
    )
    context = {
        "teacher": teacher,
        "school": school,
        "is_teacher": request.user.pk == teacher.pk,
        "year": year,
        "years": years,
        "timeline": entries,
        "items": entries.entries,
        "current_steps": entries.current_steps,
    }
    if request.htmx and not request.htmx.history_restore_request:
        context["items"] = entries.latest_batch
        return render(request, "coaching/timeline.html#earlier-entries", context)
    return render(request, "coaching/timeline.html", context)


@require_GET
def my_timeline(request: AuthedRequest) -> HttpResponse:
    return redirect("coaching:timeline", teacher_pk=request.user.pk)
