"""The audit trail, read back: the school's log for its admins, and "who has viewed my coaching
records" for everyone. Neither page ever shows note text: events carry ids and counts only, and
`labels.safe_details()` shows only those.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from coachroom import audit
from coachroom.accounts.access import member_required, memberships_of
from coachroom.accounts.models import Role, School, User
from coachroom.accounts.viewer import MemberRequest
from coachroom.audit.forms import AuditFilterForm
from coachroom.audit.labels import (
    BULK_ACCESS,
    LOG_EXPORTED,
    Kind,
    kind_of,
    kind_q,
    label_for,
    safe_details,
    target_label,
)
from coachroom.audit.models import AuditEvent
from coachroom.core.forms import PageQuery, read_query
from coachroom.core.http import AuthedRequest
from coachroom.core.spreadsheets import safe_cell as spreadsheet_cell

PAGE_SIZE = 50
# Domain §10: the audit trail is shown to each data subject (`my_views`) and to the school's
# data protection lead; school admins read it too, to run the school.
LOG_READERS = (Role.SCHOOL_ADMIN, Role.DATA_PROTECTION_LEAD)

# Domain rule (§10): alert on bulk access. One person reading the notes of more than
# BULK_TEACHERS different teachers within BULK_WINDOW is flagged once per burst.
BULK_TEACHERS = 20
BULK_WINDOW = dt.timedelta(hours=1)
# Checked when an admin opens the log, over this much recent history; no background job.
BULK_LOOKBACK = dt.timedelta(days=30)


# Links for the teacher's own records on "who has viewed my coaching records".
_OWN_RECORD_URLS = {
    "coaching.observation": "coaching:drop-in-detail",
    "coaching.feedbackmeeting": "coaching:meeting-detail",
    "coaching.actionstep": "coaching:step-detail",
    "scheduling.sessionoccurrence": "scheduling:session-detail",
    "video.clip": "video:clip",
}


@dataclass
class Entry:
    """One event as a row: the sentence, the kind and safe details, never note text."""

    event: AuditEvent
    label: str
    kind: Kind | None
    target: str
    details: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    agent: str = ""  # an automated change's agent (a SCIM token), shown as "Who"


def _entry(event: AuditEvent, *, own_links: bool = False) -> Entry:
    target = target_label(event.target_type)
    url = ""
    if own_links and event.target_type in _OWN_RECORD_URLS and event.target_id.isdigit():
        try:
            url = reverse(_OWN_RECORD_URLS[event.target_type], args=[int(event.target_id)])
        except NoReverseMatch:
            url = ""
    return Entry(
        event=event,
        label=label_for(event.action),
        kind=kind_of(event.action),
        target=target,
        details=safe_details(event.data),
        url=url,
        agent=_agent_of(event),
    )


def _agent_of(event: AuditEvent) -> str:
    """Who made an automated change (audit.acting_as), when no person did."""
    agent = event.data.get(audit.AGENT) if isinstance(event.data, dict) else None
    return agent[:120] if isinstance(agent, str) and event.actor_id is None else ""


def _query_string(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _school_events(school: School, form: AuditFilterForm) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(school=school)
        .filter(form.filter_q())
        .select_related("actor", "subject")
        .order_by("-created_at", "-id")
    )


# The school's log --------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")  # one URL answers with a page or a fragment: never mix them up
@member_required(*LOG_READERS)
def log(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    # A history restore asks for the whole page, even though it comes from htmx.
    partial = request.htmx and not request.htmx.history_restore_request
    # Check for bulk access first, so that a new alert is also the newest row of the log.
    alerts = [] if partial else [_alert(e) for e in bulk_access_alerts(school)]
    form = AuditFilterForm(request.GET or None)
    page = Paginator(_school_events(school, form), PAGE_SIZE).get_page(
        read_query(PageQuery, request.GET)["page"]
    )
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "entries": [_entry(e) for e in page.object_list],
        "is_filtered": form.is_filtered,
        "query_string": _query_string(request),
        "alerts": alerts,
    }
    template = "audit/log.html#audit-results" if partial else "audit/log.html"
    return render(request, template, context)


@require_GET
@member_required(*LOG_READERS)
def log_csv(request: MemberRequest) -> HttpResponse:
    school = request.membership.school
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("Check the dates and filters, then try again.")
    events = _school_events(school, form)
    cleaned = form.cleaned_data if form.is_bound else {}
    exported = audit.record(
        actor=request.user,
        action=LOG_EXPORTED,
        school=school,
        data={
            "rows": events.count(),
            "kind": cleaned.get("kind") or "all",
            "from": d.isoformat() if (d := cleaned.get("from_date")) else "",
            "to": d.isoformat() if (d := cleaned.get("to_date")) else "",
            "person": (cleaned.get("q") or "").strip()[:100],
        },
    )
    # The download is the log as it stood just before this export.
    rows = _csv_rows(events.filter(pk__lt=exported.pk))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    filename = f"audit-log-{school.urn or school.pk}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Streamed, so two years of a school's log never sits in memory; the access decorator is
    # typed for HttpResponse, which a StreamingHttpResponse is not.
    return cast(HttpResponse, response)


def safe_cell(value: object) -> str:
    """As text, with formula-like cells made plain (see coachroom.core.spreadsheets)."""
    return str(spreadsheet_cell("" if value is None else str(value)))


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "When",
    "Who",
    "Who (email)",
    "What",
    "Code",
    "About",
    "About (email)",
    "Record",
    "Record id",
    "Details",
]


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark, so that Excel reads names like Zoë as UTF-8.
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for event in events.iterator(chunk_size=2000):
        entry = _entry(event)
        when = timezone.localtime(event.created_at)
        cells = [
            f"{when:%Y-%m-%d %H:%M:%S}",
            event.actor.full_name if event.actor else (entry.agent or "Coachroom"),
            event.actor.email if event.actor else "",
            entry.label,
            event.action,
            event.subject.full_name if event.subject else "",
            event.subject.email if event.subject else "",
            entry.target,
            event.target_id,
            "; ".join(f"{k}: {v}" for k, v in entry.details),
        ]
        yield writer.writerow([safe_cell(c) for c in cells])


# Bulk access ------------------------------------------------------------------------------------


@dataclass
class Alert:
    event: AuditEvent
    teachers: int
    start: dt.datetime | None
    end: dt.datetime | None
    log_query: str


def _parse(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _alert(event: AuditEvent) -> Alert:
    start, end = _parse(event.data.get("from")), _parse(event.data.get("to"))
    params = {"kind": "views"}
    if event.actor:
        params["q"] = event.actor.email
    if start and end:
        params["from_date"] = timezone.localtime(start).date().isoformat()
        params["to_date"] = timezone.localtime(end).date().isoformat()
    teachers = event.data.get("teachers")
    return Alert(
        event=event,
        teachers=teachers if isinstance(teachers, int) else 0,
        start=start,
        end=end,
        log_query=urlencode(params),
    )


def _bursts(views: Iterable[tuple[dt.datetime, int]]) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """Windows of at most BULK_WINDOW with more than BULK_TEACHERS distinct teachers.

    `views` is one reader's (time, teacher id) pairs, oldest first. Each burst is reported once,
    with every view inside the hour from its first view, and the scan resumes after it.
    """
    views = list(views)
    bursts: list[tuple[dt.datetime, dt.datetime, int]] = []
    window: Counter[int] = Counter()
    left = right = 0
    while right < len(views):
        at, teacher = views[right]
        window[teacher] += 1
        while at - views[left][0] > BULK_WINDOW:
            old = views[left][1]
            window[old] -= 1
            if not window[old]:
                del window[old]
            left += 1
        right += 1
        if len(window) > BULK_TEACHERS:
            start = views[left][0]
            while right < len(views) and views[right][0] - start <= BULK_WINDOW:
                window[views[right][1]] += 1
                right += 1
            bursts.append((start, views[right - 1][0], len(window)))
            window.clear()
            left = right
    return bursts


def bulk_access_alerts(school: School, *, now: dt.datetime | None = None) -> list[AuditEvent]:
    """Record any new burst of note-reading as `audit.bulk_access`; return the recent alerts.

    Computed when the log is read: two queries, plus one to name the readers and one insert per
    new burst. Two admins opening the log in the same second could both record a burst; the
    duplicate is harmless, and cheaper than a lock on every read.
    """
    now = now or timezone.now()
    since = now - BULK_LOOKBACK
    alerts = list(
        AuditEvent.objects.filter(school=school, action=BULK_ACCESS, created_at__gte=since)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    checked_until: dict[int, dt.datetime] = {}
    for alert in alerts:
        end = _parse(alert.data.get("to"))
        if alert.actor_id and end and end > checked_until.get(alert.actor_id, since):
            checked_until[alert.actor_id] = end
    views = (
        AuditEvent.objects.filter(school=school, created_at__gte=since)
        .filter(kind_q("views"))
        .exclude(action=BULK_ACCESS)
        .filter(actor__isnull=False, subject__isnull=False)
        .exclude(actor=F("subject"))
        .order_by("actor_id", "created_at", "id")
        .values_list("actor_id", "subject_id", "created_at")
    )
    by_reader: dict[int, list[tuple[dt.datetime, int]]] = {}
    for actor_id, subject_id, at in views:
        if at > checked_until.get(actor_id, since - dt.timedelta(seconds=1)):
            by_reader.setdefault(actor_id, []).append((at, subject_id))
    found = [
        (reader, burst)
        for reader, reader_views in by_reader.items()
        for burst in _bursts(reader_views)
    ]
    if not found:
        return alerts
    readers = User.objects.in_bulk([reader for reader, _ in found])
    new = [
        audit.record(
            actor=readers[reader],
            action=BULK_ACCESS,
            school=school,
            data={
                "teachers": teachers,
                "threshold": BULK_TEACHERS,
                "from": start.isoformat(),
                "to": end.isoformat(),
            },
        )
        for reader, (start, end, teachers) in found
    ]
    return sorted(new, key=lambda e: e.pk, reverse=True) + alerts


# Who has viewed my coaching records --------------------------------------------------------------


@require_GET
def my_views(request: AuthedRequest) -> HttpResponse:
    """Reads, exports and shares of my coaching records by anyone but me, in any school."""
    events = (
        AuditEvent.objects.filter(subject=request.user)
        .filter(kind_q("views", "exports"))
        .exclude(actor=request.user)
        .select_related("actor", "school")
        .order_by("-created_at", "-id")
    )
    page = Paginator(events, PAGE_SIZE).get_page(read_query(PageQuery, request.GET)["page"])
    return render(
        request,
        "audit/my_views.html",
        {
            "page": page,
            "entries": [_entry(e, own_links=True) for e in page.object_list],
            "show_school": len(memberships_of(request.user)) > 1,
            "query_string": "",
        },
    )
