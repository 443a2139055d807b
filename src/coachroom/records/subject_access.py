"""Subject access (UK GDPR art. 15): everything Coachroom holds about one person, in one zip.

The zip has `data.json` (machine-readable) and `index.html` (the same, readable in any browser,
with no external files). Two ways in:

- the data protection lead answers a request for their school (`school` set): everything the school
  holds about the person, drafts included;
- anyone downloads their own data (`school` None): every school, but drop-ins the teacher
  cannot see yet under the school's rules (a coach's unpublished draft, or a drop-in awaiting
  its meeting) are counted, not shown, until they publish; so are reviews of their coaching
  that have been arranged but not yet written (the coach reads a review once it is written).

Besides drop-ins, meetings, steps and sessions, the person gets learning-walk visits to their
lessons (with the sightings of their steps), reviews of their coaching (notes, rubric ratings
and the development step), thanks they received and sent, and their goals with readings.

Records the person wrote about *other* people (drop-ins and meetings as a coach, visits on
walks they led, reviews they wrote of other coaches) are listed without their notes: those
notes are mostly about someone else (third-party data); the DPO decides on them.
Each export is audited as `records.subject_access.exported`, with the person as the subject.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

import coachroom
from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.audit.models import AuditEvent
from coachroom.coaching import policy
from coachroom.coaching.access import teacher_may_see_observation
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepEvidence,
    StepTransition,
)
from coachroom.coaching.selfreview.models import SelfReview, SelfReviewPoint
from coachroom.core.errors import DomainError
from coachroom.leading.models import (
    CoachingReview,
    WalkVisit,
)
from coachroom.records.serialization import dumps
from coachroom.records.subject_access_fields import name_of as _name
from coachroom.records.subject_access_fields import scoped as _scoped
from coachroom.records.subject_access_fields import when as _when
from coachroom.records.subject_access_induction import induction as _induction
from coachroom.records.subject_access_leading import reviews as _reviews
from coachroom.records.subject_access_leading import thanks as _thanks
from coachroom.records.subject_access_leading import walk_visits as _walk_visits
from coachroom.records.subject_access_video import lesson_videos as _lesson_videos
from coachroom.scheduling.models import CalendarFeed, NotificationPreferences, SessionOccurrence

FORMAT = "coachroom-subject-access"


# Sections --------------------------------------------------------------------------------------


def _person(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "account_active": user.is_active,
        "joined": _when(user.date_joined),
        "last_signed_in": _when(user.last_login),
        "roster_id": user.source_id,
        "trusts_administered": [t.name for t in user.administered_trusts.order_by("name")],
    }


def _memberships(user: User, school: School | None) -> list[dict[str, Any]]:
    qs = _scoped(Membership.objects.filter(user=user), school).select_related("school")
    return [
        {
            "school": m.school.name,
            "job_title": m.job_title,
            "roles": [str(r.label) for r in m.roles],
            "early_career_teacher": m.is_ect,
            "subjects": m.subjects,
            "key_stages": m.key_stages,
            "phase_taught": m.get_phase_display() if m.phase else "",
            "active": m.is_active,
            "left": _when(m.deactivated_at),
            "invited": _when(m.invited_at),
            "roster_id": m.source_id,
        }
        for m in qs.order_by("school__name", "pk")
    ]


def _pairs(user: User, school: School | None) -> list[dict[str, Any]]:
    qs = _scoped(
        CoachingRelationship.objects.filter(Q(coach=user) | Q(coachee=user)), school
    ).select_related("school", "academic_year", "coach", "coachee")
    return [
        {
            "id": p.pk,
            "school": p.school.name,
            "year": p.academic_year.name,
            "your_role": "coachee" if p.coachee_id == user.pk else "coach",
            "coach": _name(p.coach),
            "coachee": _name(p.coachee),
            "kind": str(p.get_kind_display()),
            "cadence": str(p.get_cadence_display()),
            "history_shared_with_coach": p.history_shared,
            "coach_is_line_manager": p.coach_is_line_manager,
            "started": _when(p.started_on),
            "ended": _when(p.ended_on),
        }
        for p in qs.order_by("started_on", "pk")
    ]


def _steps(user: User, school: School | None) -> list[dict[str, Any]]:
    transitions = StepTransition.objects.select_related("by").order_by("at", "pk")
    qs = (
        _scoped(ActionStep.objects.filter(teacher=user), school)
        .select_related("school", "proposed_by", "library_step", "relationship__coach")
        .prefetch_related(Prefetch("transitions", queryset=transitions, to_attr="history"))
    )
    return [
        {
            "id": s.pk,
            "school": s.school.name,
            "title": s.title,
            "success_criteria": s.success_criteria,
            "state": str(s.get_state_display()),
            "coach": _name(s.relationship.coach),
            "proposed_by": _name(s.proposed_by),
            "from_library": s.library_step.title if s.library_step else None,
            "agreed_by_you": s.teacher_confirmed,
            "agreed_by_coach": s.coach_confirmed,
            "seen_in_a_row": s.streak,
            "next_look": _when(s.review_due),
            "agreed": _when(s.agreed_at),
            "secured": _when(s.secured_at),
            "stick_check_due": _when(s.stick_check_due),
            "stuck": _when(s.stuck_at),
            "replaces_step": s.supersedes_id,
            "created": _when(s.created_at),
            "history": [
                {
                    "at": _when(t.at),
                    "what": t.summary,
                    "from_state": t.from_state,
                    "to_state": t.to_state,
                    "reason": t.reason,
                    "by": _name(t.by),
                }
                for t in s.history
            ],
        }
        for s in qs.order_by("created_at", "pk")
    ]


def _drop_ins(user: User, school: School | None) -> tuple[list[dict[str, Any]], int]:
    """Drop-ins about the person; self-service leaves out (and counts) unpublished ones."""
    evidence = StepEvidence.objects.select_related("step").order_by("pk")
    qs = (
        _scoped(Observation.objects.filter(teacher=user), school)
        .select_related("school", "observer")
        .annotate(meeting_count=Count("meetings"))
        .prefetch_related(Prefetch("evidence", queryset=evidence, to_attr="evidence_list"))
        .order_by("observed_at", "pk")
    )
    shown, withheld = [], 0
    for o in qs:
        if school is None and o.observer_id != user.pk and not teacher_may_see_observation(o):
            withheld += 1
            continue
        shown.append(
            {
                "id": o.pk,
                "school": o.school.name,
                "when": _when(o.observed_at),
                "observer": _name(o.observer),
                "status": str(o.get_status_display()),
                "year_group": o.year_group,
                "subject": o.subject,
                "class_or_set": o.class_set,
                "what_went_well": o.went_well,
                "notes": o.notes,
                "suggested_focus": o.suggested_focus,
                "video_link": o.video_url,
                "submitted": _when(o.submitted_at),
                "step_evidence": [
                    {
                        "step": e.step.title,
                        "rating": str(e.get_rating_display()),
                        "did_it_stick_check": e.is_stick_check,
                    }
                    for e in o.evidence_list
                ],
            }
        )
    return shown, withheld


def _meetings(user: User, school: School | None) -> list[dict[str, Any]]:
    rounds = RehearsalRound.objects.order_by("number", "pk")
    qs = (
        _scoped(FeedbackMeeting.objects.filter(teacher=user), school)
        .select_related("school", "coach", "step")
        .prefetch_related(
            Prefetch("rounds", queryset=rounds, to_attr="round_list"),
            Prefetch("observations", queryset=Observation.objects.order_by("pk").only("pk")),
        )
    )
    return [
        {
            "id": m.pk,
            "school": m.school.name,
            "held": _when(m.held_at),
            "coach": _name(m.coach),
            "follows_drop_ins": [o.pk for o in m.observations.all()],
            "precise_praise": m.praise,
            "how_the_step_went": m.step_review,
            "decision": str(m.get_decision_display()),
            "step": m.step.title if m.step else None,
            "modelling": m.modelling,
            "plan": m.plan,
            "rehearsal_rounds": [
                {"round": r.number, "tried": r.attempt, "feedback": r.feedback}
                for r in m.round_list
            ],
            "next_drop_in": _when(m.next_drop_in),
            "your_reflection": m.reflection,
            "reflected": _when(m.reflected_at),
            "submitted_for_review": m.submitted_for_review,
        }
        for m in qs.order_by("held_at", "pk")
    ]


def _sessions(user: User, school: School | None) -> list[dict[str, Any]]:
    qs = (
        _scoped(SessionOccurrence.objects.involving(user), school)
        .select_related("school", "coach", "relationship__coachee")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": s.pk,
            "school": s.school.name,
            "kind": str(s.get_kind_display()),
            "your_role": "coachee" if s.relationship.coachee_id == user.pk else "coach",
            "coach": _name(s.coach),
            "coachee": _name(s.relationship.coachee),
            "starts": _when(s.starts_at),
            "minutes": s.minutes,
            "room": s.room,
            "period": s.period,
            "status": str(s.get_status_display()),
            "reason": str(s.get_reason_display()) if s.reason else "",
            "reason_note": s.reason_note,
            "filmed": s.filmed,
        }
        for s in qs
    ]


def _goal_value(goal: Goal, value: Decimal | None) -> str | None:
    return goal.format_value(value) if value is not None else None


def _goals(user: User, school: School | None) -> list[dict[str, Any]]:
    readings: QuerySet[GoalReading] = GoalReading.objects.order_by("taken_on", "pk")
    steps = ActionStep.objects.order_by("created_at", "pk").only("pk", "title")
    qs = (
        _scoped(Goal.objects.filter(teacher=user), school)
        .select_related("school", "relationship__coach", "priority", "created_by")
        .prefetch_related(
            Prefetch("readings", queryset=readings, to_attr="reading_list"),
            Prefetch("steps", queryset=steps, to_attr="step_list"),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": g.pk,
            "school": g.school.name,
            "coach": _name(g.relationship.coach),
            "written_by": _name(g.created_by),
            "statement": g.statement,
            "about": str(g.get_focus_display()),
            "phase": str(g.get_phase_display()),
            "whole_school_priority": g.priority.title if g.priority else None,
            "measure": g.measure,
            "unit": str(g.get_unit_display()) if g.unit else "",
            "baseline": _goal_value(g, g.baseline),
            "target": _goal_value(g, g.target),
            "how_it_is_measured": g.method,
            "target_date": _when(g.target_date),
            "created": _when(g.created_at),
            "steps": [s.title for s in g.step_list],
            "readings": [
                {
                    "date": _when(r.taken_on),
                    "value": _goal_value(g, r.value),
                    "note": r.note,
                }
                for r in g.reading_list
            ],
        }
        for g in qs
    ]


def _self_reviews(user: User, school: School | None) -> list[dict[str, Any]]:
    """The person's reviews of their own lessons, in full, with whether each is shared."""
    points = SelfReviewPoint.objects.order_by("number")
    qs = (
        _scoped(SelfReview.objects.filter(teacher=user), school)
        .select_related("school", "step")
        .prefetch_related(Prefetch("points", queryset=points, to_attr="point_list"))
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": r.pk,
            "school": r.school.name,
            "step": r.step.title,
            "lesson_date": _when(r.taught_on),
            "of_a_clip": r.clip_id is not None,
            "points": [
                {
                    "what_it_looks_like": p.criterion,
                    "seen": str(p.get_rating_display()),
                    "in_the_clip_at": p.at_label,
                }
                for p in r.point_list
            ],
            "what_you_noticed": r.noticed,
            "decision": str(r.get_decision_display()),
            "shared_with_your_coach": r.shared_with_coach,
            "written": _when(r.created_at),
        }
        for r in qs
    ]


def _written_by(user: User, school: School | None) -> dict[str, list[dict[str, Any]]]:
    """Records the person made about other people, as a coach, on a walk they led or as a
    reviewer: listed, notes (and the judgements in them) withheld."""
    drop_ins = (
        _scoped(Observation.objects.filter(observer=user).exclude(teacher=user), school)
        .select_related("school", "teacher")
        .order_by("observed_at", "pk")
    )
    meetings = (
        _scoped(FeedbackMeeting.objects.filter(coach=user).exclude(teacher=user), school)
        .select_related("school", "teacher")
        .order_by("held_at", "pk")
    )
    return {
        "drop_ins": [
            {
                "id": o.pk,
                "school": o.school.name,
                "teacher": _name(o.teacher),
                "when": _when(o.observed_at),
                "status": str(o.get_status_display()),
            }
            for o in drop_ins
        ],
        "meetings": [
            {
                "id": m.pk,
                "school": m.school.name,
                "teacher": _name(m.teacher),
                "held": _when(m.held_at),
            }
            for m in meetings
        ],
        **_led_or_reviewed(user, school),
    }


def _led_or_reviewed(user: User, school: School | None) -> dict[str, list[dict[str, Any]]]:
    """Walk visits the person made to others' lessons, and reviews they wrote of other coaches."""
    walk_visits = (
        _scoped(WalkVisit.objects.filter(walk__led_by=user).exclude(teacher=user), school)
        .select_related("school", "teacher", "walk")
        .order_by("visited_at", "pk")
    )
    reviews = (
        _scoped(CoachingReview.objects.filter(reviewer=user).exclude(coach=user), school)
        .select_related("school", "coach")
        .order_by("created_at", "pk")
    )
    return {
        "walk_visits": [
            {
                "id": v.pk,
                "school": v.school.name,
                "teacher": _name(v.teacher),
                "when": _when(v.visited_at),
                "walk": v.walk_id,
                "walked_on": _when(v.walk.walked_on),
            }
            for v in walk_visits
        ],
        "reviews": [
            {
                "id": r.pk,
                "school": r.school.name,
                "coach_reviewed": _name(r.coach),
                "held": _when(r.held_on),
                "status": "Written" if r.is_done else "Not yet written",
            }
            for r in reviews
        ],
    }


def _audit_about(user: User, school: School | None) -> list[dict[str, Any]]:
    qs = (
        _scoped(AuditEvent.objects.filter(subject=user), school)
        .select_related("actor", "school")
        .order_by("created_at", "pk")
    )
    return [
        {
            "when": _when(e.created_at),
            "what": e.action,
            "by": _name(e.actor) or "Coachroom",
            "school": e.school.name if e.school else None,
            "record": f"{e.target_type} {e.target_id}".strip(),
            "details": e.data,
        }
        for e in qs
    ]


def _audit_by(user: User, school: School | None) -> list[dict[str, Any]]:
    """What the person did. Who it was about is left out: that is someone else's data."""
    qs = (
        _scoped(AuditEvent.objects.filter(actor=user), school)
        .select_related("school")
        .order_by("created_at", "pk")
    )
    return [
        {
            "when": _when(e.created_at),
            "what": e.action,
            "school": e.school.name if e.school else None,
            "record": f"{e.target_type} {e.target_id}".strip(),
        }
        for e in qs
    ]


def _settings(user: User) -> dict[str, Any]:
    feed = CalendarFeed.objects.filter(user=user).first()
    prefs = NotificationPreferences.objects.filter(user=user).first()
    return {
        "calendar_feed": {"created": _when(feed.created_at)} if feed else None,
        "email_preferences": (
            {
                "morning_list": prefs.morning_list,
                "weekly_digest": prefs.weekly_digest,
                "overdue_nudges": prefs.overdue_nudges,
            }
            if prefs
            else None
        ),
    }


# The export ----------------------------------------------------------------------------------


def subject_access_data(person: User, *, school: School | None) -> dict[str, Any]:
    """Everything held about `person`: in one school, or (`school` None) everywhere."""
    drop_ins, withheld = _drop_ins(person, school)
    reviews, reviews_withheld = _reviews(person, school)
    return {
        "format": FORMAT,
        "format_version": 1,
        "coachroom_version": coachroom.__version__,
        "generated_at": _when(timezone.now()),
        "scope": f"Held by {school.name}" if school else "Everything, in every school",
        "person": _person(person),
        "memberships": _memberships(person, school),
        "coaching_pairs": _pairs(person, school),
        "action_steps": _steps(person, school),
        "drop_ins_about_you": drop_ins,
        "drop_ins_not_yet_published": withheld,
        "feedback_meetings_about_you": _meetings(person, school),
        "sessions": _sessions(person, school),
        "learning_walk_visits_to_you": _walk_visits(person, school),
        "reviews_of_your_coaching": reviews,
        "reviews_not_yet_written": reviews_withheld,
        "thanks": _thanks(person, school),
        "goals": _goals(person, school),
        "self_reviews": _self_reviews(person, school),
        "induction": _induction(person, school),
        "lesson_videos": _lesson_videos(person, school),
        "records_you_wrote_about_others": _written_by(person, school),
        "settings": _settings(person),
        "audit_events_about_you": _audit_about(person, school),
        "audit_events_by_you": _audit_by(person, school),
    }


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def readable(value: Any) -> Any:
    """The data with its ISO dates as people write them ("25 Sep 2026, 08:15"), for the page."""
    if isinstance(value, dict):
        return {k: readable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [readable(v) for v in value]
    try:
        if isinstance(value, str) and _ISO_DATETIME.match(value):
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment.day} {moment:%b %Y, %H:%M}"
        if isinstance(value, str) and _ISO_DATE.match(value):
            day = dt.date.fromisoformat(value)
            return f"{day.day} {day:%b %Y}"
    except ValueError:  # looked like a date but was not one: show it as it is
        pass
    return value


def write_subject_access_zip(data: dict[str, Any], out: IO[bytes]) -> None:
    page = render_to_string("records/subject_access/index.html", {"d": readable(data)})
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", dumps(data))
        archive.writestr("index.html", page)


@transaction.atomic
def subject_access_export(*, person: User, by: User, school: School | None) -> IO[bytes]:
    """Build the zip (in a temporary file, rewound) and audit it."""
    if school is not None and not policy.may_export_for_school(by, school):
        raise DomainError("Only the school's data protection lead answers subject access requests.")
    data = subject_access_data(person, school=school)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that streams it
    write_subject_access_zip(data, out)
    out.seek(0)
    audit.record(
        actor=by,
        action="records.subject_access.exported",
        school=school,
        subject=person,
        data={"scope": "school" if school else "self"},
    )
    return out
