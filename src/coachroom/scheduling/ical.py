"""Personal calendar feeds: each person's planned drop-ins and meetings, and nothing private.

A feed holds only what a calendar needs: the kind of session, who with, when and where. Notes,
reasons, action steps and anything else written during coaching stay in Coachroom. The feed's
secret address (`CalendarFeed.token`) is the credential; getting a new one revokes the old.

The events are written out by hand (RFC 5545: CRLF line ends, lines folded before 75 octets,
TEXT escaping) from one `values_list` query: building icalendar's object model for a few hundred
events cost a hundred times more than the bare page. The output is byte for byte what icalendar
writes for the same sessions (tests/scheduling/test_ical.py keeps its writer as the reference),
except that the calendar's name is escaped as the TEXT it is (icalendar wrote a person's name
raw). The VTIMEZONE is still built with icalendar, once per zone and span of years, and kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from icalendar import Component, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.timezone.tzid import is_utc

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, Membership, User
from coachroom.core.errors import DomainError
from coachroom.scheduling.models import CalendarFeed, SessionKind, SessionOccurrence

PRODID = "-//Coachroom//Coaching calendar//EN"
DESCRIPTION = "Planned coaching drop-ins and meetings. Notes stay in Coachroom."
WEEKS_BACK = 4  # past sessions stay in the feed this long, so last week's changes still show
REFRESH = "PT1H"  # an hour (an RFC 5545 DURATION): a hint; calendar apps poll as they please

# Moved, missed and cancelled sessions stay in the feed as cancelled, so calendars drop them.
CANCELLED = {
    SessionOccurrence.Status.RESCHEDULED: "moved",
    SessionOccurrence.Status.MISSED: "did not take place",
    SessionOccurrence.Status.CANCELLED: "cancelled",
}
KIND_LABELS = {str(kind.value): str(kind.label) for kind in SessionKind}

# The longest physical line, in octets, before the CRLF (a continuation line adds its space):
# RFC 5545 §3.1 says no longer than 75; this is icalendar's limit, so the output matches it.
FOLD_OCTETS = 74
# TEXT escaping (RFC 5545 §3.3.11); a CRLF or a lone CR is a line break too.
TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": "\\n"})

# What an event needs, in one query: no model instances (building them was most of the cost).
EVENT_COLUMNS = (
    "uid",
    "sequence",
    "updated_at",
    "starts_at",
    "minutes",
    "kind",
    "status",
    "room",
    "period",
    "coach_id",
    "relationship__coach_id",
    "coach__first_name",
    "coach__last_name",
    "coach__email",
    "relationship__coachee__first_name",
    "relationship__coachee__last_name",
    "relationship__coachee__email",
)


def feed_sessions(user: User, *, now: dt.datetime | None = None) -> QuerySet[SessionOccurrence]:
    """The sessions in a person's feed: as coach (covering included) or as the coachee.

    Only schools where the person is still an active member count, so someone who has left a
    school stops seeing its sessions. One query, whatever the number of sessions.
    """
    since = (now or timezone.now()) - dt.timedelta(weeks=WEEKS_BACK)
    schools = Membership.objects.active().filter(user=user).values("school_id")
    as_coachee = CoachingRelationship.objects.filter(coachee=user).values("pk")
    # The same rows as `.involving(user)`, put so that SQLite reads two indexes, the coach's
    # sessions by time and the pairs' sessions, rather than every session in the school.
    either = Q(coach=user, starts_at__gte=since) | Q(
        relationship__in=as_coachee, starts_at__gte=since
    )
    return (
        SessionOccurrence.objects.filter(either, school_id__in=schools)
        .select_related("coach", "relationship__coachee")
        .order_by("starts_at", "minutes", "pk")
    )


def escape_text(value: str) -> str:
    """A TEXT value with backslash, semicolon, comma and line breaks escaped."""
    return value.replace("\r\n", "\n").translate(TEXT_ESCAPES)


def fold(line: str) -> str:
    """A content line folded (RFC 5545 §3.1): CRLF and a space before it passes 74 octets.

    Folds fall between characters, never inside one's UTF-8 bytes, and a backslash (or ^, RFC
    6868's escape) that would end a line moves to the next, so an escaped comma and the like
    stay whole: icalendar's rule, as some calendar apps misread a split escape.
    """
    if len(line) <= FOLD_OCTETS and line.isascii():
        return line
    lines: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width > FOLD_OCTETS:
            carried = current.pop() if len(current) > 1 and current[-1] in "\\^" else ""
            lines.append("".join(current))
            current = [carried] if carried else []
            size = len(carried.encode())
        current.append(char)
        size += width
    lines.append("".join(current))
    return "\r\n ".join(lines)


def text_line(name: str, value: str) -> str:
    """`NAME:value` for a TEXT property, escaped and folded, with its CRLF."""
    return fold(f"{name}:{escape_text(value)}") + "\r\n"


def _summary(
    kind: str, status: str, *, as_coach: bool, cover: bool, coach: str, coachee: str
) -> str:
    label = KIND_LABELS[kind]
    if as_coach:
        summary = f"{label}: {coachee}"
        if cover:
            summary = f"Cover – {summary}"
    else:
        summary = f"{label} with {coach}"
    if status in CANCELLED:
        summary = f"{summary} ({CANCELLED[SessionOccurrence.Status(status)]})"
    return summary


def _utc_text(moment: dt.datetime) -> str:
    """A UTC DATE-TIME (`20261007T090000Z`); %-formatting is three times quicker than strftime."""
    m = moment.astimezone(dt.UTC)
    fields = (m.year, m.month, m.day, m.hour, m.minute, m.second)
    return "%04d%02d%02dT%02d%02d%02dZ" % fields  # noqa: UP031


def _local_text(m: dt.datetime) -> str:
    """A DATE-TIME in the zone its TZID names (`20261007T100000`)."""
    fields = (m.year, m.month, m.day, m.hour, m.minute, m.second)
    return "%04d%02d%02dT%02d%02d%02d" % fields  # noqa: UP031


def _header(user: User, zone: ZoneInfo) -> str:
    name = f"Coachroom – {user.full_name}"
    return "".join(
        [
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
            text_line("PRODID", PRODID),
            text_line("DESCRIPTION", DESCRIPTION),
            text_line("X-WR-CALDESC", DESCRIPTION),
            text_line("NAME", name),
            text_line("X-WR-CALNAME", name),
            f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}\r\n",  # VALUE is required by RFC 7986
            text_line("UID", f"calendar-{user.pk}@coachroom"),
            f"X-PUBLISHED-TTL:{REFRESH}\r\n",  # Outlook's name for REFRESH-INTERVAL
            text_line("X-WR-TIMEZONE", zone.key),
        ]
    )


@dataclass(frozen=True)
class Feed:
    """A built feed and its version (`feed_version`'s ETag and time), from the same rows."""

    body: bytes
    etag: str
    last_modified: dt.datetime | None


class _EventWriter:
    """Writes one person's VEVENTs. Summaries and locations repeat (the same few people and
    rooms), so each is escaped once."""

    def __init__(self, user: User, zone: ZoneInfo) -> None:
        self.user = user
        self.zone = zone
        in_utc = is_utc(zone)
        self.tzid = "" if in_utc else f";TZID={zone.key}"
        self.when = _utc_text if in_utc else _local_text
        self.summaries: dict[tuple[object, ...], str] = {}
        self.locations: dict[tuple[str, str], str] = {}

    def summary(
        self, kind: str, status: str, coach_id: int, pair_coach_id: int, names: list[str]
    ) -> str:
        # the coach and the coachee (by email, which is unique) settle who is named
        key = (kind, status, coach_id, pair_coach_id, names[5])
        if key not in self.summaries:
            text = _summary(
                kind,
                status,
                as_coach=coach_id == self.user.pk,
                cover=coach_id != pair_coach_id,
                coach=User.name_from(*names[:3]),
                coachee=User.name_from(*names[3:]),
            )
            self.summaries[key] = text_line("SUMMARY", text)
        return self.summaries[key]

    def location(self, room: str, period: str) -> str:
        if (room, period) not in self.locations:
            text = ", ".join(part for part in (room, period) if part)
            self.locations[room, period] = text_line("LOCATION", text) if text else ""
        return self.locations[room, period]

    def event(self, row: tuple[Any, ...]) -> tuple[str, dt.datetime, dt.datetime]:
        """The VEVENT of one row of EVENT_COLUMNS, with its local start and end."""
        (uid, sequence, updated_at, starts_at, minutes, kind, status, room, period,
         coach_id, pair_coach_id, *names) = row  # fmt: skip
        start = starts_at.astimezone(self.zone)
        end = (starts_at + dt.timedelta(minutes=minutes)).astimezone(self.zone)
        stamp = _utc_text(updated_at)
        cancelled = status in CANCELLED
        text = (
            f"BEGIN:VEVENT\r\n{self.summary(kind, status, coach_id, pair_coach_id, names)}"
            f"DTSTART{self.tzid}:{self.when(start)}\r\n"
            f"DTEND{self.tzid}:{self.when(end)}\r\n"
            f"DTSTAMP:{stamp}\r\n"
            f"UID:{uid}@coachroom\r\n"
            f"SEQUENCE:{sequence}\r\n"
            f"LAST-MODIFIED:{stamp}\r\n"
            f"{self.location(room, period)}"
            f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}\r\n"
            f"TRANSP:{'TRANSPARENT' if cancelled else 'OPAQUE'}\r\n"
            "END:VEVENT\r\n"
        )
        return text, start, end


def render_feed(user: User, *, now: dt.datetime | None = None) -> Feed:
    """The person's feed as iCalendar bytes (UTF-8, CRLF line endings), from one query.

    One VEVENT per session: kind, people, time and room only. Never notes, reasons or steps.
    """
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    writer = _EventWriter(user, zone)
    events: list[str] = []
    first = last = newest = None
    for row in feed_sessions(user, now=now).values_list(*EVENT_COLUMNS):
        text, start, end = writer.event(row)
        events.append(text)
        first = first or start  # the rows come in time order
        last = end if last is None or end > last else last
        updated_at = row[2]
        newest = updated_at if newest is None or updated_at > newest else newest
    parts = [_header(user, zone)]
    if first is not None and last is not None and not is_utc(zone):
        # A VTIMEZONE for the whole years the feed spans (so both GMT and BST are defined).
        parts.append(_vtimezone_text(zone.key, first.year, last.year + 1))
    parts.extend(events)
    parts.append("END:VCALENDAR\r\n")
    body = "".join(parts).encode()
    return Feed(body, _version(user, len(events), newest, now), newest)


def build_calendar(user: User, *, now: dt.datetime | None = None) -> bytes:
    """The person's feed as iCalendar bytes (UTF-8, CRLF line endings)."""
    return render_feed(user, now=now).body


@functools.lru_cache(maxsize=16)
def _vtimezone_text(key: str, first_year: int, last_year: int) -> str:
    """The zone's VTIMEZONE for whole years, built once per process: it is pure and small."""
    zone = ZoneInfo(key)
    text: str = (
        vtimezone(zone, dt.date(first_year, 1, 1), dt.date(last_year, 1, 1)).to_ical().decode()
    )
    return text


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


def feed_version(user: User, *, now: dt.datetime | None = None) -> tuple[str, dt.datetime | None]:
    """An ETag for the person's feed, and when it last changed, from one small query.

    Calendar apps poll every few minutes and the feed rarely changes, so the feed view answers
    a conditional GET with 304 Not Modified without building the feed. The tag changes when a
    session in the feed changes (every change bumps its `updated_at`), when one enters or leaves
    the window (the count), when the person's own name changes, and each day (the window moves).
    A change to someone else's name reaches the feed the next day, or with the next change.
    `render_feed` works out the same tag from the rows it writes.
    """
    now = now or timezone.now()
    shape = (
        feed_sessions(user, now=now).order_by().aggregate(n=Count("pk"), newest=Max("updated_at"))
    )
    return _version(user, shape["n"], shape["newest"], now), shape["newest"]


def _version(user: User, count: int, newest: dt.datetime | None, now: dt.datetime) -> str:
    text = "|".join(
        [
            str(user.pk),
            user.full_name,
            str(count),
            newest.isoformat() if newest else "-",
            timezone.localdate(now).isoformat(),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


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
