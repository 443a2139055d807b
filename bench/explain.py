"""EXPLAIN (ANALYZE, BUFFERS) of the queries behind the key pages, on PostgreSQL.

    URL=postgres://postgres@127.0.0.1:5432/coachroom_explain
    .venv/bin/python bench/explain.py --database-url $URL --create --scale school --audit-history
    .venv/bin/python bench/explain.py --database-url $URL --brief     # plans of flagged queries
    .venv/bin/python bench/explain.py --database-url $URL --drop      # drop the throwaway database

Each key page is requested in-process with Django's test client as a typical user (the users of
`coachroom.benchmark.typical_pages`, plus the school admin for the audit log), and the SQL it
runs is captured with `CaptureQueriesContext`. Every SELECT is then run again under
`EXPLAIN (ANALYZE, BUFFERS)` and its plan printed. A sequential scan on a table of more than
`--min-rows` rows (3,000 by default) is flagged, with the filter it applied: that filter is the
one an index would serve. The statistics are refreshed with ANALYZE first, as autovacuum would
have done on a live database. The last line printed is one JSON object.

`--create` creates the database when it does not exist, `--scale` seeds it when it holds no
seeded school, and `--audit-history` gives the seeded school an audit log as long as its
history (one view per drop-in, meeting and step change, at the time it happened), so that the
audit log's plan is read on a realistic table. Only use these on a throwaway database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import textwrap
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SELECT = ("SELECT", "WITH")


class ExplainError(Exception):
    """A one-line reason for the terminal."""


# The database itself -----------------------------------------------------------------------------


def _server_url(url: str) -> tuple[str, str]:
    """The same server's maintenance database, and the name of the one in `url`."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        raise ExplainError(f"not a PostgreSQL database URL: {url}")
    return urlunsplit(parts._replace(path="/postgres")), name


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    server, name = _server_url(url)
    with psycopg.connect(server, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", file=sys.stderr)


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    server, name = _server_url(url)
    if name in ("postgres", "template0", "template1"):
        raise ExplainError(f"refusing to drop {name}")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    print(f"dropped database {name}", file=sys.stderr)


# Django --------------------------------------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachroom.config.settings")
    import django

    django.setup()


def seeded_school(scale: str | None, seed_number: int) -> Any:
    from django.core.management import call_command
    from django.db.models import Count

    from coachroom.accounts.models import School
    from coachroom.seed import seed

    call_command("migrate", interactive=False, verbosity=0)
    seeded = School.objects.filter(name__startswith="Seeded School")
    if not seeded.exists():
        if scale is None:
            raise ExplainError("the database has no seeded school: pass --scale school")
        print(f"seeding: coachroom seed --scale {scale} --seed {seed_number}", file=sys.stderr)
        seed(scale, seed=seed_number)
    return seeded.annotate(n=Count("relationships")).order_by("-n", "pk").first()


def add_audit_history(school: Any) -> int:
    """One audit event per drop-in, meeting and step change, as a coach viewing it then."""
    import datetime as dt

    from coachroom.audit.models import AuditEvent
    from coachroom.coaching.models import FeedbackMeeting, Observation, StepTransition

    if AuditEvent.objects.filter(school=school).count() > 1000:
        return 0
    hour = dt.timedelta(hours=1)
    events = [
        AuditEvent(
            school=school,
            actor_id=o.observer_id,
            subject_id=o.teacher_id,
            action="coaching.observation.viewed",
            target_type="coaching.observation",
            target_id=str(o.pk),
            created_at=o.observed_at + hour,
        )
        for o in Observation.objects.filter(school=school).only(
            "pk", "observer", "teacher", "observed_at"
        )
    ]
    events += [
        AuditEvent(
            school=school,
            actor_id=m.coach_id,
            subject_id=m.teacher_id,
            action="coaching.feedbackmeeting.viewed",
            target_type="coaching.feedbackmeeting",
            target_id=str(m.pk),
            created_at=m.held_at + hour,
        )
        for m in FeedbackMeeting.objects.filter(school=school).only(
            "pk", "coach", "teacher", "held_at"
        )
    ]
    events += [
        AuditEvent(
            school=school,
            actor_id=t.by_id,
            subject_id=t.step.teacher_id,
            action="coaching.timeline.viewed",
            created_at=t.at + hour,
        )
        for t in StepTransition.objects.filter(school=school).select_related("step")
    ]
    field = AuditEvent._meta.get_field("created_at")
    field.auto_now_add = False  # type: ignore[attr-defined]  # keep the historical times
    try:
        AuditEvent.objects.bulk_create(events, batch_size=2000)
    finally:
        field.auto_now_add = True  # type: ignore[attr-defined]
    return len(events)


def key_pages(school: Any) -> list[tuple[str, Any, str]]:
    """(name, user, url) for every page whose queries are explained."""
    from django.urls import reverse

    from coachroom.accounts.models import CoachingRelationship, Membership
    from coachroom.benchmark import typical_pages

    typical = {p.name: p for p in typical_pages(school)}
    coach, teacher = typical["coach home"].user, typical["teacher timeline"].user
    lead = typical["completion dashboard"].user
    pair = (
        CoachingRelationship.objects.for_school(school)
        .current()
        .filter(coachee=teacher)
        .select_related("coach")
        .first()
    )
    admin = (
        Membership.objects.active()
        .for_school(school)
        .filter(is_school_admin=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if pair is None or admin is None:
        raise ExplainError("the seeded school needs a current pair and a school admin")
    timeline = typical["teacher timeline"].url
    return [
        ("coach home", coach, typical["coach home"].url),
        ("week view", coach, reverse("scheduling:week")),
        ("teacher timeline", teacher, timeline),
        ("teacher timeline (coach)", pair.coach, timeline),
        ("library search", coach, typical["library search"].url),
        ("completion dashboard", lead, reverse("reporting:completion")),
        ("programme dashboard", lead, reverse("reporting:dashboard")),
        ("leader home", typical["leader home"].user, typical["leader home"].url),
        ("ical feed", coach, typical["ical feed"].url),
        ("audit log", admin.user, reverse("audit:log")),
    ]


def capture(user: Any, url: str) -> tuple[int, list[str]]:
    """The page's status and the SQL it ran, after one warm-up request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
        # read now: the next request's `request_started` signal clears the query log
        captured = [q["sql"] for q in queries.captured_queries]
    return status, captured


# Plans -------------------------------------------------------------------------------------------


def table_rows() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, GREATEST(reltuples, 0)::bigint FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        return {name: int(rows) for name, rows in cursor.fetchall()}


def explain(sql: str) -> tuple[dict[str, Any], str]:
    """The JSON plan (for the checks) and the text plan (for people) of one query."""
    from django.db import connection

    with connection.cursor() as cursor:
        # The captured SQL has its parameters inlined already: no placeholders are passed.
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
    return plan, text


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("Plans", []):
        found += _nodes(child)
    return found


def seq_scans(plan: dict[str, Any], rows: dict[str, int], min_rows: int) -> list[dict[str, Any]]:
    flagged = []
    for node in _nodes(plan["Plan"]):
        if node.get("Node Type") != "Seq Scan":
            continue
        table = node.get("Relation Name", "")
        if rows.get(table, 0) <= min_rows:
            continue
        flagged.append(
            {
                "table": table,
                "table_rows": rows.get(table, 0),
                "filter": node.get("Filter", ""),
                "rows_returned": node.get("Actual Rows", 0),
                "rows_removed": node.get("Rows Removed by Filter", 0),
                "loops": node.get("Actual Loops", 1),
                "ms": round(node.get("Actual Total Time", 0.0), 2),
            }
        )
    return flagged


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    school = seeded_school(args.scale, args.seed)
    if args.audit_history:
        added = add_audit_history(school)
        if added:
            print(f"added {added} audit events to {school.name}", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = table_rows()
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    summary: dict[str, Any] = {
        "database": connection.vendor,
        "server": connection.pg_version,  # type: ignore[attr-defined]
        "school": school.name,
        "min_rows": args.min_rows,
        "tables": {t: n for t, n in sorted(rows.items()) if n > args.min_rows},
        "pages": {},
        "flagged": [],
    }
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False, STORAGES=plain_static):
        pages = key_pages(school)
        captured = [(name, url, *capture(user, url)) for name, user, url in pages]
    # The calendar feed's address is a credential: keep it out of the output.
    feed = re.search(r"/calendar/([^/]+)\.ics", " ".join(url for _, url, _, _ in captured))
    secret = feed.group(1) if feed else None

    def shown(text: str) -> str:
        return text.replace(secret, "<token>") if secret else text

    for name, url, status, queries in captured:
        selects = [q for q in queries if q.lstrip().upper().startswith(SELECT)]
        print(f"\n==== {name}: GET {shown(url)} -> {status}; {len(queries)} queries, ", end="")
        print(f"{len(selects)} reads")
        page: dict[str, Any] = {"status": status, "queries": len(queries), "select_ms": 0.0}
        for n, sql in enumerate(selects, 1):
            plan, text = explain(sql)
            ms = plan.get("Execution Time", 0.0)
            page["select_ms"] += ms
            flags = seq_scans(plan, rows, args.min_rows)
            marks = "".join(
                f"  [SEQ SCAN {f['table']} ({f['table_rows']} rows): {f['filter'] or 'no filter'}]"
                for f in flags
            )
            print(f"\n-- {name} #{n}: {ms:.2f} ms{marks}")
            print(textwrap.shorten(shown(sql), 600, placeholder=" …"))
            if flags or not args.brief:
                print(textwrap.indent(text, "   "))
            for flag in flags:
                flag["sql"] = shown(sql)[:300]
                summary["flagged"].append({"page": name, "query": n, **flag})
        page["select_ms"] = round(page["select_ms"], 2)
        summary["pages"][name] = page
    print("\n==== Sequential scans on tables of more than", args.min_rows, "rows")
    for flag in summary["flagged"]:
        print(
            f"{flag['page']} #{flag['query']}: {flag['table']} ({flag['table_rows']} rows, "
            f"{flag['loops']} loop(s), {flag['ms']} ms) filter {flag['filter'] or '-'}"
        )
    if not summary["flagged"]:
        print("none")
    print(json.dumps(summary, default=str))
    bad = [name for name, page in summary["pages"].items() if page["status"] != 200]
    if bad:
        print(f"explain: these pages did not answer 200: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://… (not SQLite)")
    parser.add_argument("--create", action="store_true", help="create the database if missing")
    parser.add_argument("--drop", action="store_true", help="drop the database, then exit")
    parser.add_argument("--scale", choices=["small", "school", "trust"], help="seed when empty")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--audit-history", action="store_true", help="give the seeded school a realistic audit log"
    )
    parser.add_argument("--min-rows", type=int, default=3000, help="flag seq scans above this")
    parser.add_argument("--brief", action="store_true", help="print only the flagged plans")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _server_url(args.database_url)
        if args.drop:
            drop_database(args.database_url)
            return 0
        if args.create:
            create_database(args.database_url)
        setup_django(args.database_url)
        return run(args)
    except ExplainError as error:
        print(f"explain: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
