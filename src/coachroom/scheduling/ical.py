"""Personal calendar feeds: each person's planned drop-ins and meetings, and nothing private.

A feed holds only what a calendar needs: the kind of session, who with, when and where. Notes,
reasons, action steps and anything else written during coaching stay in Coachroom. The feed's
secret address (`CalendarFeed.token`) is the credential; getting a new one revokes the old.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from icalendar import Calendar, Component, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.enums import STATUS, TRANSP
from icalendar.prop import vDuration

from coachroom import audit
from coachroom.accounts.models import Membership, User
from coachroom.core.errors import DomainError
from coachroom.scheduling.models import CalendarFeed, SessionKind, SessionOccurrence

PRODID = "-//Coachroom//Coaching calendar//EN"
WEEKS_BACK = 4  # past sessions stay in the feed this long, so last week's changes still show
REFRESH = dt.timedelta(hours=1)  # a hint; calendar apps poll on their own schedules

# Moved, missed and cancelled sessions stay in the feed as cancelled, so calendars drop them.
CANCELLED = {
    SessionOccurrence.Status.RESCHEDULED: "moved",
    SessionOccurrence.Status.MISSED: "did not take place",
    SessionOccurrence.Status.CANCELLED: "cancelled",
}


def feed_sessions(user: User, *, now: dt.datetime | None = None) -> QuerySet[SessionOccurrence]:
    """The sessions in a person's feed: as coach (covering included) or as the coachee.

    Only schools where the person is still an active member count, so someone who has left a
    school stops seeing its sessions. One query, whatever the number of sessions.
    """
    since = (now or timezone.now()) - dt.timedelta(weeks=WEEKS_BACK)
    schools = Membership.objects.active().filter(user=user).values("school_id")
    return (
        SessionOccurrence.objects.involving(user)
        .filter(school_id__in=schools, starts_at__gte=since)
        .select_related("coach", "relationship__coachee")
        .order_by("starts_at", "minutes", "pk")
    )


def _summary(session: SessionOccurrence, user: User) -> str:
    kind = SessionKind(session.kind).label
    if session.coach_id == user.pk:
        summary = f"{kind}: {session.relationship.coachee.full_name}"
        if session.coach_id != session.relationship.coach_id:
            summary = f"Cover – {summary}"
    else:
        summary = f"{kind} with {session.coach.full_name}"
    if session.status in CANCELLED:
        summary = f"{summary} ({CANCELLED[SessionOccurrence.Status(session.status)]})"
    return summary


def _location(session: SessionOccurrence) -> str | None:
    return ", ".join(part for part in (session.room, session.period) if part) or None


def session_event(session: SessionOccurrence, user: User, zone: ZoneInfo) -> Event:
    """One VEVENT: kind, people, time and room only. Never notes, reasons or steps."""
    cancelled = session.status in CANCELLED
    return Event.new(
        uid=f"{session.uid}@coachroom",
        sequence=session.sequence,
        stamp=session.updated_at,
        last_modified=session.updated_at,
        start=timezone.localtime(session.starts_at, zone),
        end=timezone.localtime(session.ends_at, zone),
        summary=_summary(session, user),
        location=_location(session),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        transparency=TRANSP.TRANSPARENT if cancelled else TRANSP.OPAQUE,
    )


def _calendar(user: User, sessions: Iterable[SessionOccurrence]) -> Calendar:
    zone = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar.new(
        prodid=PRODID,
        name=f"Coachroom – {user.full_name}",
        description="Planned coaching drop-ins and meetings. Notes stay in Coachroom.",
        uid=f"calendar-{user.pk}@coachroom",
        refresh_interval=REFRESH,
    )
    cal["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # required by RFC 7986
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))  # Outlook's name for REFRESH-INTERVAL
    cal.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    events = [session_event(session, user, zone) for session in sessions]
    for event in events:
        cal.add_component(event)
    if events and settings.TIME_ZONE in cal.get_missing_tzids():
        # A VTIMEZONE for the whole years the feed spans (so both GMT and BST are defined).
        first = min(e.start for e in events)
        last = max(e.end for e in events)
        cal.subcomponents.insert(
            0, vtimezone(zone, dt.date(first.year, 1, 1), dt.date(last.year + 1, 1, 1))
        )
    return cal


def _transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The instants (UTC, to the minute) between start and end when the zone's offset changes."""
    found = []
    day = dt.timedelta(days=1)
    instant = start
    while instant < end:
        before, after = instant, instant + day
        if before.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            while after - before > dt.timedelta(minutes=1):
                middle = before + (after - before) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle.astimezone(zone).utcoffset() == before.astimezone(zone).utcoffset():
                    before = middle
                else:
                    after = middle
            found.append(after)
        instant += day
    return found


def vtimezone(zone: ZoneInfo, first: dt.date, last: dt.date) -> Timezone:
    """The zone's rules from `first` to `last`, written out from the zone database.

    Each change starts at its local time *before* the change (RFC 5545 §3.6.5): in London, summer
    time begins at 01:00 GMT on the last Sunday in March and ends at 02:00 BST in October.
    (icalendar's own `add_missing_timezones` writes the spring change as 02:00.)
    """
    start = dt.datetime.combine(first, dt.time(), zone)
    end = dt.datetime.combine(last, dt.time(), zone)
    # The rules in force at the start, then each change: (local onset, offset before, time after).
    onsets = [(start.replace(tzinfo=None), _offset(start), start)]
    for moment in _transitions(zone, start.astimezone(dt.UTC), end.astimezone(dt.UTC)):
        offset_from = _offset((moment - dt.timedelta(minutes=1)).astimezone(zone))
        onset = (moment + offset_from).replace(tzinfo=None)
        onsets.append((onset, offset_from, moment.astimezone(zone)))
    tz = Timezone()
    tz.add("tzid", zone.key)
    parts: dict[tuple[object, ...], Component] = {}
    for onset, offset_from, after in onsets:
        key = (bool(after.dst()), offset_from, _offset(after), after.tzname())
        if key in parts:  # the same change in a later year
            parts[key].add("rdate", onset)
            continue
        part = parts[key] = TimezoneDaylight() if after.dst() else TimezoneStandard()
        part.add("dtstart", onset)
        part.add("tzname", after.tzname())
        part.add("tzoffsetfrom", offset_from)
        part.add("tzoffsetto", _offset(after))
        tz.add_component(part)
    return tz


def _offset(moment: dt.datetime) -> dt.timedelta:
    return moment.utcoffset() or dt.timedelta(0)


def build_calendar(user: User, *, now: dt.datetime | None = None) -> bytes:
    """The person's feed as iCalendar bytes (UTF-8, CRLF line endings)."""
    body: bytes = _calendar(user, feed_sessions(user, now=now)).to_ical()
    return body


def feed_version(user: User, *, now: dt.datetime | None = None) -> tuple[str, dt.datetime | None]:
    """An ETag for the person's feed, and when it last changed, from one small query.

    Calendar apps poll every few minutes and the feed rarely changes, so the feed view answers
    a conditional GET with 304 Not Modified without building the feed. The tag changes when a
    session in the feed changes (every change bumps its `updated_at`), when one enters or leaves
    the window (the count), when the person's own name changes, and each day (the window moves).
    A change to someone else's name reaches the feed the next day, or with the next change.
    """
    shape = (
        feed_sessions(user, now=now).order_by().aggregate(n=Count("pk"), newest=Max("updated_at"))
    )
    newest = shape["newest"]
    text = "|".join(
        [
            str(user.pk),
            user.full_name,
            str(shape["n"]),
            newest.isoformat() if newest else "-",
            timezone.localdate(now).isoformat(),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32], newest


def calendar_for_email(email: str) -> str:
    """The feed of the active person with this email, for `coachroom calendar EMAIL`."""
    address = email.strip().lower()
    user = User.objects.filter(email=address, is_active=True).first()
    if user is None:
        raise DomainError(f"no active Coachroom account has the email {address}")
    return build_calendar(user).decode("utf-8")


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """Give the person a new secret address; the old one stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.regenerate()
    # The token itself never reaches the audit log.
    audit.record(actor=user, action="programme.calendar.regenerated", target=feed)
    return feed
