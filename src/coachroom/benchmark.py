"""`coachroom bench`: p50/p95 latency and query counts of the key pages against a bare view.

Requests go through Django's full middleware stack in-process (the test client), so the
baseline — a trivial signed-in view — isolates what each page itself costs. Nothing is cached:
every view renders the page from the database, as every view in production does. Run it on a
seeded database (`coachroom seed --scale …`). The last line printed is one JSON object.
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.views.decorators.http import require_GET

from coachroom.accounts.access import member_required
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.accounts.viewer import MemberRequest
from coachroom.coaching.models import Observation
from coachroom.coaching.services import observation_start
from coachroom.core.errors import DomainError
from coachroom.scheduling.ical import feed_version
from coachroom.scheduling.models import CalendarFeed


def baseline(request: HttpRequest) -> HttpResponse:
    """The cheapest signed-in page: the floor every other page is compared with."""
    return HttpResponse("ok")


@member_required()
@require_GET
def layout(request: MemberRequest) -> HttpResponse:
    """A member's page with nothing on it: what the shared layout (base.html, the nav, the
    school switcher, messages) adds to every page, the memberships read included."""
    return render(request, "base.html")


urlpatterns = [
    path("__bench__/baseline/", baseline, name="bench-baseline"),
    path("__bench__/layout/", layout, name="bench-layout"),
    path("", include("coachroom.config.urls")),
]


# A calendar app polling with the feed's ETag is told nothing changed.
EXPECTED_STATUS = {"ical poll (304)": 304}


@dataclass
class Page:
    name: str
    user: User
    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    name: str
    p50_ms: float
    p95_ms: float
    queries: int
    status: int
    gzip_bytes: int


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _largest_school() -> School:
    school = School.objects.annotate(n=Count("relationships")).order_by("-n", "pk").first()
    if school is None:
        raise DomainError("the database has no schools: run `coachroom seed` first")
    return school


def _median(users: list[tuple[int, int]]) -> int:
    ordered = sorted(users, key=lambda row: (row[1], row[0]))
    return ordered[len(ordered) // 2][0]


def typical_pages(school: School) -> list[Page]:
    """A typical user for each key page: the median coach, teacher, and the school's lead."""
    pairs = CoachingRelationship.objects.for_school(school).current()
    coach_id = _median(list(pairs.values_list("coach").annotate(n=Count("pk"))))
    teacher_id = _median(
        list(
            CoachingRelationship.objects.for_school(school)
            .values_list("coachee")
            .annotate(n=Count("observations"))
        )
    )
    members = Membership.objects.active().for_school(school)
    lead = members.filter(is_coaching_lead=True).select_related("user").first()
    admin = members.filter(is_senior_leader=True).select_related("user").first()
    if lead is None or admin is None:
        raise DomainError("the school needs a coaching lead and a senior leader")
    coach, teacher = User.objects.get(pk=coach_id), User.objects.get(pk=teacher_id)
    pair = pairs.filter(coach=coach).order_by("pk").first()
    if pair is None:
        raise DomainError("the median coach has no current pair")
    feed, _ = CalendarFeed.objects.get_or_create(user=coach)
    feed_url = reverse("scheduling:calendar-feed", args=[feed.token])
    return [
        Page("baseline", coach, "/__bench__/baseline/"),
        Page("layout", coach, "/__bench__/layout/"),
        Page("coach home", coach, reverse("home")),
        Page("teacher timeline", teacher, reverse("coaching:timeline", args=[teacher.pk])),
        Page("library search", coach, reverse("library:step-list") + "?q=pause"),
        Page("completion dashboard", lead.user, reverse("reporting:completion")),
        Page("leader home", admin.user, reverse("home")),
        Page("drop-in form", coach, _drop_in_form_url(coach, pair)),
        Page("meeting form", coach, reverse("coaching:meeting-new", args=[pair.pk])),
        Page("week", coach, reverse("scheduling:week")),
        Page("ical feed", coach, feed_url),
        Page("ical poll (304)", coach, feed_url, {"if-none-match": f'"{feed_version(coach)[0]}"'}),
    ]


def _drop_in_form_url(coach: User, pair: CoachingRelationship) -> str:
    """The coach's draft drop-in for the pair, started once (as the drop-in button does)."""
    draft = (
        Observation.objects.visible_to(coach)
        .filter(relationship=pair, observer=coach, status=Observation.Status.DRAFT)
        .first()
    )
    if draft is None:
        draft = observation_start(relationship=pair, by=coach)
    return reverse("coaching:drop-in-edit", args=[draft.pk])


def _timed(client: Client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    status = client.get(url).status_code
    return (time.perf_counter() - started) * 1000, status


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # read now: the next request's `request_started` signal clears the query log
    return len(queries)


def measure(pages: list[Page], *, requests: int, warmup: int = 3) -> list[Result]:
    """Time every page, interleaved so that a noisy moment on the machine hits all of them."""
    clients = []
    for page in pages:
        client = Client(headers=page.headers)
        client.force_login(page.user)
        for _ in range(warmup):
            client.get(page.url)
        clients.append(client)
    queries = [_queries(c, p.url) for c, p in zip(clients, pages, strict=True)]
    sizes = [len(gzip.compress(c.get(p.url).content)) for c, p in zip(clients, pages, strict=True)]
    timings: list[list[float]] = [[] for _ in pages]
    statuses = [0] * len(pages)
    for _ in range(requests):
        for i, (client, page) in enumerate(zip(clients, pages, strict=True)):
            elapsed, statuses[i] = _timed(client, page.url)
            timings[i].append(elapsed)
    results = []
    for i, page in enumerate(pages):
        p50, p95 = percentiles(timings[i])
        results.append(Result(page.name, p50, p95, queries[i], statuses[i], sizes[i]))
    return results


def run(*, requests: int = 30, out: Callable[[str], Any] = print) -> dict[str, Any]:
    with override_settings(
        ROOT_URLCONF="coachroom.benchmark", ALLOWED_HOSTS=["testserver", "*"], DEBUG=False
    ):
        school = _largest_school()
        results = measure(typical_pages(school), requests=requests)
    base = results[0]
    out(
        f"{'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'× p50':>6} {'× p95':>6} "
        f"{'queries':>7} {'status':>6} {'gzip B':>7}"
    )
    summary: dict[str, Any] = {"school": school.name, "requests": requests, "pages": {}}
    for r in results:
        p50_ratio = r.p50_ms / base.p50_ms if base.p50_ms else 0.0
        p95_ratio = r.p95_ms / base.p95_ms if base.p95_ms else 0.0
        out(
            f"{r.name:<22} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {p50_ratio:>6.1f} "
            f"{p95_ratio:>6.1f} {r.queries:>7} {r.status:>6} {r.gzip_bytes:>7}"
        )
        summary["pages"][r.name] = {
            "p50_ms": round(r.p50_ms, 2),
            "p95_ms": round(r.p95_ms, 2),
            "ratio_to_baseline_p50": round(p50_ratio, 2),
            "ratio_to_baseline_p95": round(p95_ratio, 2),
            "queries": r.queries,
            "status": r.status,
            "gzip_bytes": r.gzip_bytes,
        }
    out(json.dumps(summary))
    return summary
