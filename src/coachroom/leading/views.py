"""Learning walks, reviews of coaching, quality signals, recognition and thanks.

Each view: access helper, form, service, then redirect or render. Reads of someone else's
walk visit, meeting or review are audited with the person as subject, so they can see who.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachroom import audit
from coachroom.accounts.access import member_required
from coachroom.accounts.models import CoachingRelationship, Role, User
from coachroom.accounts.submissions import once
from coachroom.accounts.viewer import MemberRequest, coached_pairs
from coachroom.coaching import picker
from coachroom.coaching.access import get_meeting_for_user
from coachroom.coaching.models import ActionStep, FeedbackMeeting
from coachroom.coaching.services import active_step
from coachroom.coaching.step_actions import step_actions
from coachroom.core.errors import DomainError
from coachroom.core.forms import read_query
from coachroom.core.http import AuthedRequest
from coachroom.leading import findings, quality, walks
from coachroom.leading.forms import (
    MeetingQuery,
    ReviewAssignForm,
    ReviewForm,
    ReviewSharingForm,
    ThanksForm,
    WalkPlanForm,
    WalkTeacherForm,
    WalkVisitForm,
)
from coachroom.leading.models import (
    CoachingReview,
    LearningWalk,
    Thanks,
    WalkStepSighting,
    WalkVisit,
)

LEADERS = (Role.SENIOR_LEADER, Role.COACHING_LEAD, Role.SCHOOL_ADMIN)
COACHES = (Role.COACH, Role.COACHING_LEAD)
REVIEW_PAGE = (Role.COACH, Role.COACHING_LEAD, Role.SENIOR_LEADER, Role.SCHOOL_ADMIN)
NOT_APPRAISAL = (
    "Reviews of coaching are for the coach's own development. Senior leaders see only how many "
    "there have been, never what they say, and nothing here feeds appraisal or performance "
    "management."
)


# Learning walks --------------------------------------------------------------------------------


@require_GET
@member_required(*LEADERS)
def walk_list(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    walk_rows = (
        LearningWalk.objects.for_school(school)
        .select_related("led_by", "strand")
        .annotate(visit_count=Count("visits"))
    )
    return render(request, "leading/walk_list.html", {"walks": walk_rows, "school": school})


@require_http_methods(["GET", "POST"])
@member_required(*LEADERS)
@once
def walk_new(request: MemberRequest) -> HttpResponse:
    form = WalkPlanForm(request.POST or None, initial={"walked_on": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        try:
            walk = walks.walk_plan(
                school=request.membership.school,
                by=request.user,
                walked_on=data["walked_on"],
                strand=data["strand"],
                focus=data["focus"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Walk planned. Record each classroom visit as you go.")
            return redirect(walk)
    return render(request, "leading/walk_new.html", {"form": form})


@require_GET
def walk_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    walk = walks.get_walk_for_leader(request, pk)
    visible = list(
        WalkVisit.objects.visible_to(request.user)
        .filter(walk=walk)
        .select_related("teacher")
        .annotate(step_count=Count("sightings"))
        .order_by("visited_at", "pk")
    )
    tally = walk.visits.aggregate(
        total=Count("pk"),
        seen=Count("pk", filter=Q(focus_seen="seen")),
        not_seen=Count("pk", filter=Q(focus_seen="not_seen")),
        no_opportunity=Count("pk", filter=Q(focus_seen="no_opportunity")),
    )
    is_walker = walk.led_by_id == request.user.pk
    teacher_form = None
    if is_walker:
        remaining = walks.walk_teachers(walk).exclude(walk_visits__walk=walk)
        teacher_form = WalkTeacherForm(teachers=remaining)
    audit.audit_read(
        reader=request.user,
        about=None,
        school=walk.school,
        target=walk,
        action="coaching.walk.viewed",
    )
    return render(
        request,
        "leading/walk_detail.html",
        {
            "walk": walk,
            "visits": visible,
            "hidden": tally["total"] - len(visible),
            "tally": tally,
            "is_walker": is_walker,
            "teacher_form": teacher_form,
        },
    )


@require_http_methods(["GET", "POST"])
@once
def walk_visit_new(request: AuthedRequest, pk: int) -> HttpResponse:
    walk = walks.get_walk_for_walker(request, pk)
    teachers = walks.walk_teachers(walk).exclude(walk_visits__walk=walk)
    source = request.POST if request.method == "POST" else request.GET
    teacher_form = WalkTeacherForm(source or None, teachers=teachers)
    context: dict[str, Any] = {"walk": walk, "teacher_form": teacher_form}
    if not teacher_form.is_valid():
        return render(request, "leading/walk_visit_new.html", context)
    teacher: User = teacher_form.cleaned_data["teacher"]
    steps = walks.walk_steps_for(school=walk.school, teacher=teacher)
    form = WalkVisitForm(request.POST if request.method == "POST" else None, steps=steps)
    if form.is_valid():
        data = form.cleaned_data
        try:
            walks.walk_record_visit(
                walk=walk,
                by=request.user,
                teacher=teacher,
                focus_seen=data["focus_seen"],
                what_seen=data["what_seen"],
                note=data["note"],
                sightings=form.sightings(),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Visit saved. {teacher.full_name} can read it on their walks page."
            )
            return redirect(walk)
    earlier = walks.earlier_steps_for(school=walk.school, teacher=teacher)
    context.update({"teacher": teacher, "form": form, "earlier_steps": earlier})
    return render(request, "leading/walk_visit_new.html", context)


@require_GET
def walk_visit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = walks.get_visit_for_user(request, pk)
    is_teacher = visit.teacher_id == request.user.pk
    audit.audit_read(reader=request.user, about=visit.teacher, school=visit.school, target=visit)
    if is_teacher:
        walks.walk_visits_mark_read(teacher=request.user, visits=[visit])
    sightings = visit.sightings.select_related("step").order_by("step__created_at", "step__pk")
    return render(
        request,
        "leading/walk_visit_detail.html",
        {"visit": visit, "walk": visit.walk, "sightings": sightings, "is_teacher": is_teacher},
    )


@require_GET
@member_required()
def my_walk_visits(request: MemberRequest) -> HttpResponse:
    """The teacher's notice of every visit about them, and a coach's list of their coachees'."""
    school, user = request.membership.school, request.user
    sightings = WalkStepSighting.objects.select_related("step").order_by("step__created_at")
    mine = list(
        WalkVisit.objects.visible_to(user)
        .filter(school=school, teacher=user)
        .select_related("walk", "walk__led_by", "walk__strand")
        .prefetch_related(Prefetch("sightings", queryset=sightings))
    )
    new_ids = {v.pk for v in mine if v.teacher_read_at is None}
    walks.walk_visits_mark_read(teacher=user, visits=mine)
    coachees = coached_pairs(user).filter(school=school).values("coachee")
    theirs = (
        WalkVisit.objects.visible_to(user)
        .filter(school=school, teacher__in=coachees)
        .exclude(teacher=user)
        .select_related("teacher", "walk")
    )
    return render(
        request,
        "leading/walk_my_visits.html",
        {"mine": mine, "new_ids": new_ids, "coachee_visits": theirs},
    )


@require_GET
@member_required()
def walk_findings(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    return render(
        request,
        "leading/walk_findings.html",
        {"findings": findings.walk_findings(school), "school": school},
    )


# Reviews of coaching ---------------------------------------------------------------------------


@require_GET
@member_required(*REVIEW_PAGE)
def review_list(request: MemberRequest) -> HttpResponse:
    membership, user = request.membership, request.user
    school = membership.school
    reviews = (
        CoachingReview.objects.visible_to(user)
        .filter(school=school)
        .select_related("coach", "reviewer", "development_step")
    )
    context: dict[str, Any] = {
        "counts": quality.review_counts(school),
        "not_appraisal": NOT_APPRAISAL,
        "is_lead": membership.is_coaching_lead,
        "is_coach": membership.is_coach or membership.is_coaching_lead,
    }
    if context["is_coach"]:
        context["about_me"] = reviews.completed().filter(coach=user)
        context["to_do"] = reviews.filter(reviewer=user, completed_at__isnull=True)
        context["written"] = reviews.completed().filter(reviewer=user)
    if membership.is_coaching_lead:
        # who reviews whom, and whether it is done: arrangements, never content
        context["arranged"] = (
            CoachingReview.objects.activity_in(school)
            .exclude(reviewer=user)
            .select_related("coach", "reviewer")
            .order_by("coach__last_name", "coach__first_name", "-created_at")
        )
    return render(request, "leading/review_list.html", context)


@require_http_methods(["GET", "POST"])
@member_required(Role.COACHING_LEAD)
@once
def review_new(request: MemberRequest) -> HttpResponse:
    school, user = request.membership.school, request.user
    form = ReviewAssignForm(
        request.POST or None,
        coaches=walks.coach_choices(school=school),
        reviewers=walks.reviewer_choices(school=school, lead=user),
        initial={"reviewer": user.pk},
    )
    if form.is_valid():
        try:
            review = walks.review_assign(
                school=school,
                by=user,
                coach=form.cleaned_data["coach"],
                reviewer=form.cleaned_data["reviewer"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if review.reviewer_id == user.pk:
                return redirect(review)
            messages.success(
                request,
                f"{review.reviewer.full_name} will review {review.coach.full_name}'s coaching. "
                "It is on their reviews page.",
            )
            return redirect("leading:reviews")
    return render(request, "leading/review_new.html", {"form": form})


def _development_step(review: CoachingReview) -> ActionStep | None:
    pair = (
        CoachingRelationship.objects.current()
        .for_school(review.school)
        .filter(coach=review.reviewer, coachee=review.coach)
        .order_by("pk")
        .first()
    )
    return active_step(pair) if pair is not None else None


@require_http_methods(["GET", "POST"])
def review_record(request: AuthedRequest, pk: int) -> HttpResponse:
    review = walks.get_open_review_for_reviewer(request, pk)
    meetings = walks.meetings_for_review(review)
    current = _development_step(review)
    library = picker.library_for(review.school)
    initial: dict[str, Any] = {}
    shown: FeedbackMeeting | None = None
    chosen = read_query(MeetingQuery, request.GET)["meeting"]
    if chosen is not None:
        shown = meetings.filter(pk=chosen).select_related("coach").first()
    if shown is not None:
        initial = {"meeting": shown.pk, "mode": CoachingReview.Mode.RECORD}
        audit.audit_read(
            reader=request.user, about=shown.teacher, school=review.school, target=shown
        )
    form = ReviewForm(
        request.POST or None,
        meetings=meetings,
        current_step=current,
        library=library,
        initial=initial,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = walks.review_complete(
                review=review,
                by=request.user,
                mode=data["mode"],
                ratings=form.ratings(),
                notes=data["notes"],
                held_on=data["held_on"],
                meeting=data["meeting"],
                step=form.new_step(),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Review saved. {review.coach.full_name} can read it, and agree their step.",
            )
            return redirect(review)
    return render(
        request,
        "leading/review_record.html",
        {
            "review": review,
            "form": form,
            "meetings": meetings,
            "shown": shown,
            "rounds": shown.rounds.all() if shown else [],
            "current_step": current,
            "not_appraisal": NOT_APPRAISAL,
        },
    )


@require_GET
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    review = walks.get_review_for_user(request, pk)
    if not review.is_done:
        return redirect("leading:review-record", pk=review.pk)
    audit.audit_read(reader=request.user, about=review.coach, school=review.school, target=review)
    ratings = [
        {"label": walks.RUBRIC_LABELS.get(r.item, r.item), "rating": r}
        for r in sorted(review.ratings.all(), key=lambda r: _rubric_order(r.item))
    ]
    return render(
        request,
        "leading/review_detail.html",
        {
            "review": review,
            "ratings": ratings,
            "is_coach": review.coach_id == request.user.pk,
            "not_appraisal": NOT_APPRAISAL,
            "step": review.development_step,
            "step_actions": step_actions(review.development_step, request.user)
            if review.development_step
            else None,
        },
    )


def _rubric_order(key: str) -> int:
    keys = list(walks.RUBRIC_LABELS)
    return keys.index(key) if key in keys else len(keys)


@require_POST
def meeting_review_sharing(request: AuthedRequest, pk: int) -> HttpResponse:
    """The coach submits a meeting for review, or takes it back; the teacher is told."""
    meeting = get_meeting_for_user(request, pk)
    if meeting.coach_id != request.user.pk:
        raise PermissionDenied("Only the coach who held the meeting can submit it for review.")
    form = ReviewSharingForm(request.POST)
    shared = form.is_valid() and bool(form.cleaned_data["share"])
    walks.meeting_set_review_sharing(meeting=meeting, by=request.user, shared=shared)
    if shared:
        messages.success(
            request,
            f"Submitted for review. The coaching lead, or a coach they ask, may now read this "
            f"meeting to help your coaching. {meeting.teacher.first_name} can see that it was "
            "shared.",
        )
    else:
        messages.success(request, "This meeting is no longer submitted for review.")
    return redirect(meeting)


# Quality signals and recognition ---------------------------------------------------------------


def _coaches_for(request: MemberRequest) -> list[User]:
    membership = request.membership
    if membership.is_coaching_lead:
        return list(walks.coach_choices(school=membership.school))
    return [request.user]


@require_GET
@member_required(*COACHES)
def quality_signals(request: MemberRequest) -> HttpResponse:
    membership, user = request.membership, request.user
    rows = quality.quality_for(school=membership.school, coaches=_coaches_for(request))
    own = next((r for r in rows if r.coach.pk == user.pk), None)
    months = sorted({m.month for r in rows for m in r.rubric})[-6:]
    trend = [
        {"coach": r.coach, "cells": [{m.month: m for m in r.rubric}.get(month) for month in months]}
        for r in rows
    ]
    return render(
        request,
        "leading/quality.html",
        {
            "rows": rows,
            "own": own,
            "is_lead": membership.is_coaching_lead,
            "months": months,
            "trend": trend,
            "within_days": quality.REOBSERVE_WITHIN_DAYS,
            "chart": quality.rubric_chart(
                chart_id="rubric-trend",
                title="Your meetings against the rubric: share of items seen, by month",
                months=own.rubric,
            )
            if own and own.rubric
            else None,
        },
    )


@require_GET
@member_required(*COACHES)
def recognition(request: MemberRequest) -> HttpResponse:
    membership, user = request.membership, request.user
    rows = quality.recognition_for(school=membership.school, coaches=_coaches_for(request))
    own = next((r for r in rows if r.coach.pk == user.pk), None)
    thanks = (
        Thanks.objects.visible_to(user)
        .filter(school=membership.school, coach=user)
        .select_related("teacher")
        if own
        else Thanks.objects.none()
    )
    return render(
        request,
        "leading/recognition.html",
        {
            "rows": rows,
            "own": own,
            "thanks": thanks,
            "is_lead": membership.is_coaching_lead,
        },
    )


def _thanks_page(request: MemberRequest, form: ThanksForm | None = None) -> HttpResponse:
    school, user = request.membership.school, request.user
    pairs = walks.current_coaches_of(school=school, teacher=user)
    form = form or ThanksForm(pairs=pairs)
    sent = (
        Thanks.objects.visible_to(user).filter(school=school, teacher=user).select_related("coach")
    )
    return render(
        request,
        "leading/recognition_thanks.html",
        {"form": form, "has_coach": pairs.exists(), "sent": sent},
    )


@require_GET
@member_required()
def thanks(request: MemberRequest) -> HttpResponse:
    return _thanks_page(request)


@require_POST
@member_required()
def thank_coach(request: MemberRequest) -> HttpResponse:
    school, user = request.membership.school, request.user
    form = ThanksForm(request.POST, pairs=walks.current_coaches_of(school=school, teacher=user))
    if form.is_valid():
        pair: CoachingRelationship = form.cleaned_data["relationship"]
        try:
            walks.thanks_send(relationship=pair, by=user, message=form.cleaned_data["message"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Thank you sent to {pair.coach.full_name}.")
            return redirect("leading:thanks")
    return _thanks_page(request, form)
