"""Reminder and digest emails: who gets which email, and sending each one exactly once.

Every email has a key in `SentMessage` (`morning:{user_id}:{date}`). The row and the send share
one transaction: a key that exists is skipped, and a failed send rolls its row back so the next
run tries again. A worker restarted halfway through a run therefore never sends twice.

Leaders' digests carry counts and coach names only, never notes (domain §3).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import AcademicYear, CoachingRelationship, Membership, Role, User
from coachroom.coaching.models import ActionStep, Observation
from coachroom.scheduling.models import (
    NotificationPreferences,
    SentMessage,
    SessionKind,
    SessionOccurrence,
)
from coachroom.scheduling.services import SchoolDays

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "coachroom.unsubscribe"
NUDGE_LIST_LIMIT = 10  # sessions listed in one nudge; the rest are counted


@dataclass(frozen=True)
class EmailKind:
    field: str  # the NotificationPreferences field that switches it off
    label: str
    name: str  # for "You won't get … any more"
    audience: str


MORNING_LIST = EmailKind(
    "morning_list",
    "Today's sessions, each school morning",
    "the morning list of your coaching sessions",
    "Coaches, on school days when they have a drop-in or meeting: sent from 7am.",
)
WEEKLY_DIGEST = EmailKind(
    "weekly_digest",
    "Weekly programme digest",
    "the weekly programme digest",
    "Coaching leads, on Monday mornings: last week's counts for the school, never notes.",
)
OVERDUE_NUDGES = EmailKind(
    "overdue_nudges",
    "A nudge when a session has no record",
    "nudges about sessions with no record",
    "Coaches, at most once a school day at 4.30pm, when a past session has no record.",
)
KINDS: dict[str, EmailKind] = {k.field: k for k in (MORNING_LIST, OVERDUE_NUDGES, WEEKLY_DIGEST)}


@dataclass
class Counts:
    """What one run did. Skipped: already sent (or being sent by another worker)."""

    sent: int = 0
    skipped: int = 0
    opted_out: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# Unsubscribe links -----------------------------------------------------------------------------


class BadToken(Exception):
    """An unsubscribe token that was not made by us, or names no email kind."""


def unsubscribe_token(user: User | int, kind: str) -> str:
    user_id = user if isinstance(user, int) else user.pk
    if kind not in KINDS:
        raise ValueError(f"Unknown email kind {kind!r}")
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{user_id}:{kind}")


def read_unsubscribe_token(token: str) -> tuple[int, EmailKind]:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise BadToken(token) from None
    user_id, _, kind = value.partition(":")
    if not user_id.isdigit() or kind not in KINDS:
        raise BadToken(token)
    return int(user_id), KINDS[kind]


def unsubscribe_url(user: User | int, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "scheduling:unsubscribe", args=[unsubscribe_token(user, kind)]
    )


# Preferences -----------------------------------------------------------------------------------


def preferences_of(user: User) -> NotificationPreferences:
    prefs, _ = NotificationPreferences.objects.get_or_create(user=user)
    return prefs


def preferences_for(user_ids: Collection[int]) -> dict[int, NotificationPreferences]:
    """Everyone's preferences in two queries, creating the defaults (all on) where missing."""
    found = {p.user_id: p for p in NotificationPreferences.objects.filter(user_id__in=user_ids)}
    missing = [NotificationPreferences(user_id=uid) for uid in user_ids if uid not in found]
    if missing:
        NotificationPreferences.objects.bulk_create(missing, ignore_conflicts=True)
        found.update((p.user_id, p) for p in missing)
    return found


def unsubscribe(*, user: User, kind: EmailKind) -> NotificationPreferences:
    prefs = preferences_of(user)
    setattr(prefs, kind.field, False)
    prefs.save(update_fields=[kind.field])
    logger.info("email kind switched off", extra={"user_id": user.pk, "kind": kind.field})
    return prefs


# Sending ---------------------------------------------------------------------------------------


@dataclass
class Email:
    key: str
    user: User
    kind: EmailKind
    subject: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def _site(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _message(email: Email) -> EmailMessage:
    unsubscribe = unsubscribe_url(email.user, email.kind.field)
    body = render_to_string(
        email.template,
        {
            **email.context,
            "user": email.user,
            "kind": email.kind,
            "unsubscribe_url": unsubscribe,
            "preferences_url": _site("scheduling:notifications"),
        },
    )
    return EmailMessage(
        subject=email.subject,
        body=body,
        to=[email.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def _deliver(emails: list[Email], counts: Counts) -> Counts:
    """Send each email once: its SentMessage row and the send commit or roll back together."""
    keys = [e.key for e in emails]
    already = set(SentMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    for email in emails:
        log = {"key": email.key, "user_id": email.user.pk, "kind": email.kind.field}
        if email.key in already:
            counts.skipped += 1
            continue
        message = _message(email)  # rendered outside the transaction to keep it short
        try:
            with transaction.atomic():
                SentMessage.objects.create(key=email.key, user=email.user)
                message.send()
        except IntegrityError:  # another worker claimed this key a moment ago
            counts.skipped += 1
        except Exception:  # an unreachable mail server: the row rolled back, so it is retried
            logger.exception("email not sent", extra=log)
            counts.failed += 1
        else:
            counts.sent += 1
            logger.info("email sent", extra=log)
    return counts


def _wanted(candidates: Iterable[User], kind: EmailKind, counts: Counts) -> list[User]:
    """The candidates who still want this kind of email; the rest are counted as opted out."""
    people = list(candidates)
    prefs = preferences_for([u.pk for u in people])
    wanted = [u for u in people if getattr(prefs[u.pk], kind.field)]
    counts.opted_out += len(people) - len(wanted)
    return wanted


# Shared reads ----------------------------------------------------------------------------------


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, school time."""
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


def uk_date(day: dt.date) -> str:
    """Dates as schools write them: Monday 23 November."""
    return f"{day:%A} {day.day} {day:%B}"


def _open_days(school_ids: Collection[int], days: Collection[dt.date]) -> set[tuple[int, dt.date]]:
    """(school, day) pairs that are school days: in term, a weekday, not a closure."""
    if not school_ids or not days:
        return set()
    years = AcademicYear.objects.filter(
        school_id__in=school_ids, starts_on__lte=max(days), ends_on__gte=min(days)
    ).prefetch_related("terms", "closures")
    open_days: set[tuple[int, dt.date]] = set()
    for year in years:
        calendar = SchoolDays(year)
        open_days.update((year.school_id, d) for d in days if d in calendar)
    return open_days


def _active_members(user_ids: Collection[int], school_ids: Collection[int]) -> set[tuple[int, int]]:
    """(user, school) pairs where the person is active staff: leavers get nothing."""
    return set(
        Membership.objects.active()
        .filter(user_id__in=user_ids, school_id__in=school_ids)
        .values_list("user_id", "school_id")
    )


@dataclass(frozen=True)
class SessionLine:
    """One session as an email lists it."""

    when: str
    kind: str
    teacher: str
    place: str
    school: str
    cover_for: str
    url: str


def _session_line(session: SessionOccurrence, *, with_date: bool) -> SessionLine:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    when = f"{start:%H:%M}–{end:%H:%M}"
    if with_date:
        when = f"{uk_date(start.date())}, {start:%H:%M}"
    pair = session.relationship
    return SessionLine(
        when=when,
        kind=str(SessionKind(session.kind).label),
        teacher=pair.coachee.full_name,
        place=", ".join(p for p in (session.room, session.period) if p),
        school=session.school.name,
        cover_for=pair.coach.full_name if session.coach_id != pair.coach_id else "",
        url=_site("scheduling:session-detail", session.pk),
    )


def _by_coach(
    sessions: Iterable[SessionOccurrence], open_days: set[tuple[int, dt.date]] | None
) -> dict[User, list[SessionOccurrence]]:
    """Group sessions by coach, keeping those the coach is still staff for (and, if given,
    whose school is open that day)."""
    sessions = list(sessions)
    members = _active_members({s.coach_id for s in sessions}, {s.school_id for s in sessions})
    grouped: dict[User, list[SessionOccurrence]] = defaultdict(list)
    for s in sessions:
        if (s.coach_id, s.school_id) not in members:
            continue
        if (
            open_days is not None
            and (s.school_id, timezone.localdate(s.starts_at)) not in open_days
        ):
            continue
        grouped[s.coach].append(s)
    return grouped


def _sessions() -> Any:
    return (
        SessionOccurrence.objects.planned()
        .filter(coach__is_active=True)
        .select_related("school", "coach", "relationship__coach", "relationship__coachee")
        .order_by("coach_id", "starts_at", "pk")
    )


# The three emails ------------------------------------------------------------------------------


def send_morning_lists(today: dt.date) -> Counts:
    """Each coach with planned sessions today (their own or covered) gets one list of them.

    Only on a school day at the session's school: closures and holidays get no email.
    """
    counts = Counts()
    sessions = list(
        _sessions()
        .filter(starts_at__gte=day_start(today))
        .filter(starts_at__lt=day_start(today + dt.timedelta(days=1)))
    )
    open_days = _open_days({s.school_id for s in sessions}, [today])
    grouped = _by_coach(sessions, open_days)
    emails = []
    for coach in _wanted(grouped, MORNING_LIST, counts):
        mine = grouped[coach]
        n = len(mine)
        plural = "session" if n == 1 else "sessions"
        emails.append(
            Email(
                key=f"morning:{coach.pk}:{today.isoformat()}",
                user=coach,
                kind=MORNING_LIST,
                subject=f"Your coaching today, {uk_date(today)}: {n} {plural}",
                template="scheduling/email/morning_list.txt",
                context={
                    "day": uk_date(today),
                    "sessions": [_session_line(s, with_date=False) for s in mine],
                    "several_schools": len({s.school_id for s in mine}) > 1,
                    "week_url": _site("scheduling:week"),
                },
            )
        )
    return _deliver(emails, counts)


def send_overdue_nudges(today: dt.date) -> Counts:
    """Each coach whose past planned sessions were never recorded gets one nudge a day.

    Sent only on a school day at the session's school, so nobody is nudged in the holidays.
    """
    counts = Counts()
    sessions = list(_sessions().overdue(now=day_start(today)))
    open_days = _open_days({s.school_id for s in sessions}, [today])
    grouped = _by_coach(sessions, None)
    grouped = {
        coach: [s for s in mine if (s.school_id, today) in open_days]
        for coach, mine in grouped.items()
    }
    grouped = {coach: mine for coach, mine in grouped.items() if mine}
    emails = []
    for coach in _wanted(grouped, OVERDUE_NUDGES, counts):
        mine = grouped[coach]
        n = len(mine)
        emails.append(
            Email(
                key=f"overdue:{coach.pk}:{today.isoformat()}",
                user=coach,
                kind=OVERDUE_NUDGES,
                subject=(
                    "A coaching session has no record yet"
                    if n == 1
                    else f"{n} coaching sessions have no record yet"
                ),
                template="scheduling/email/overdue_nudge.txt",
                context={
                    "sessions": [_session_line(s, with_date=True) for s in mine[:NUDGE_LIST_LIMIT]],
                    "more": max(0, n - NUDGE_LIST_LIMIT),
                    "week_url": _site("scheduling:week"),
                },
            )
        )
    return _deliver(emails, counts)


@dataclass
class CoachWeek:
    name: str
    planned: int = 0
    held: int = 0


@dataclass
class SchoolDigest:
    """One school's week in counts. No notes, no coachee names."""

    school: str
    unseen_weeks: int
    drop_ins_planned: int = 0
    drop_ins_held: int = 0
    meetings_planned: int = 0
    meetings_held: int = 0
    overdue: int = 0
    steps_secured: int = 0
    coaches: list[CoachWeek] = field(default_factory=list)
    unseen_by_coach: list[tuple[str, int]] = field(default_factory=list)

    @property
    def unseen(self) -> int:
        return sum(n for _, n in self.unseen_by_coach)


def _digests(schools: dict[int, Any], start: dt.date, end: dt.date) -> dict[int, SchoolDigest]:
    """Counts for each school for the week [start, end), in a fixed number of queries."""
    digests = {
        pk: SchoolDigest(school=s.name, unseen_weeks=s.unseen_weeks_alert)
        for pk, s in schools.items()
    }
    _add_sessions(digests, start, end)
    _add_overdue_and_secured(digests, start, end)
    _add_unseen(digests, end)
    for d in digests.values():  # alphabetical: thank coaches, never rank them
        d.coaches.sort(key=lambda cw: cw.name)
    return digests


def _add_sessions(digests: dict[int, SchoolDigest], start: dt.date, end: dt.date) -> None:
    schools = list(digests)
    # Planned: sessions that were meant to happen (moved ones count once, at their new time;
    # cancelled ones weren't meant to). Held: those that happened.
    week = (
        SessionOccurrence.objects.filter(
            school_id__in=schools, starts_at__gte=day_start(start), starts_at__lt=day_start(end)
        )
        .filter(
            status__in=[
                SessionOccurrence.Status.PLANNED,
                SessionOccurrence.Status.DONE,
                SessionOccurrence.Status.MISSED,
            ]
        )
        .values("school_id", "kind", "coach_id", "coach__first_name", "coach__last_name")
        .annotate(planned=Count("pk"), held=Count("pk", filter=Q(status="done")))
        .order_by()
    )
    coaches: dict[tuple[int, int], CoachWeek] = {}
    for row in week:
        d = digests[row["school_id"]]
        if row["kind"] == SessionKind.DROP_IN:
            d.drop_ins_planned += row["planned"]
            d.drop_ins_held += row["held"]
        else:
            d.meetings_planned += row["planned"]
            d.meetings_held += row["held"]
        name = f"{row['coach__first_name']} {row['coach__last_name']}".strip()
        cw = coaches.setdefault((row["school_id"], row["coach_id"]), CoachWeek(name))
        cw.planned += row["planned"]
        cw.held += row["held"]
    for (school_id, _), cw in coaches.items():
        digests[school_id].coaches.append(cw)


def _add_overdue_and_secured(
    digests: dict[int, SchoolDigest], start: dt.date, end: dt.date
) -> None:
    schools = list(digests)
    overdue = (
        SessionOccurrence.objects.filter(school_id__in=schools)
        .overdue(now=day_start(end))
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in overdue:
        digests[row["school_id"]].overdue = row["n"]

    secured = (
        ActionStep.objects.activity_in(schools)
        .filter(secured_at__gte=day_start(start), secured_at__lt=day_start(end))
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in secured:
        digests[row["school_id"]].steps_secured = row["n"]


def _add_unseen(digests: dict[int, SchoolDigest], end: dt.date) -> None:
    schools = list(digests)
    # Coachees not seen in a submitted drop-in for longer than the school's alert, as at the
    # end of the week. Counted per coach: leaders see who may need support, not who is coached.
    seen = Q(observations__status=Observation.Status.SUBMITTED) & Q(
        observations__observed_at__lt=day_start(end)
    )
    pairs = (
        CoachingRelationship.objects.current(today=end)
        .filter(school_id__in=schools, started_on__lt=end)
        .exclude(kind=CoachingRelationship.Kind.SELF)
        .values("school_id", "started_on", "coach__first_name", "coach__last_name")
        .annotate(last_seen=Max("observations__observed_at", filter=seen))
        .order_by()
    )
    unseen: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in pairs:
        d = digests[row["school_id"]]
        since = timezone.localdate(row["last_seen"]) if row["last_seen"] else row["started_on"]
        if end - since > dt.timedelta(weeks=d.unseen_weeks):
            name = f"{row['coach__first_name']} {row['coach__last_name']}".strip()
            unseen[row["school_id"]][name] += 1
    for school_id, by_coach in unseen.items():
        digests[school_id].unseen_by_coach = sorted(by_coach.items())


def send_lead_digests(week_start: dt.date) -> Counts:
    """Each coaching lead gets the week beginning `week_start` (a Monday) for their schools.

    Figures are as at the end of that week, so the same week always gives the same digest.
    A school whose week had no school days (a holiday) is left out.
    """
    counts = Counts()
    start = week_start - dt.timedelta(days=week_start.weekday())
    end = start + dt.timedelta(days=7)
    leads = list(
        Membership.objects.active()
        .with_role(Role.COACHING_LEAD)
        .select_related("user", "school")
        .order_by("user_id", "school__name")
    )
    schools = {m.school_id: m.school for m in leads}
    weekdays = [start + dt.timedelta(days=i) for i in range(5)]
    in_term = {school_id for school_id, _ in _open_days(schools, weekdays)}
    schools = {pk: s for pk, s in schools.items() if pk in in_term}
    digests = _digests(schools, start, end)
    per_lead: dict[User, list[SchoolDigest]] = defaultdict(list)
    for m in leads:
        if m.school_id in digests:
            per_lead[m.user].append(digests[m.school_id])
    emails = [
        Email(
            key=f"digest:{lead.pk}:{start.isoformat()}",
            user=lead,
            kind=WEEKLY_DIGEST,
            subject=f"Coaching last week: the week beginning {uk_date(start)}",
            template="scheduling/email/lead_digest.txt",
            context={"week": uk_date(start), "schools": per_lead[lead]},
        )
        for lead in _wanted(per_lead, WEEKLY_DIGEST, counts)
    ]
    return _deliver(emails, counts)
