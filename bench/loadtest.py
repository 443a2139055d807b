"""Load test: gunicorn with 2 workers on 127.0.0.1, driven by signed-in page requests.

    .venv/bin/python bench/loadtest.py                      # school scale, SQLite in var/
    .venv/bin/python bench/loadtest.py --seconds 30 --concurrency 8
    .venv/bin/python bench/loadtest.py --database-url postgres://postgres@127.0.0.1:5432/NAME
    .venv/bin/python bench/loadtest.py --database-url … --servers 2 --writes   # scale-out

What it does, in order:

1. prepares or reuses the data: `COACHROOM_DATA_DIR` (default `var/loadtest-SCALE`) holds the
   SQLite database, or `--database-url` names a PostgreSQL one; migrations run, and an empty
   database gets `coachroom seed --scale SCALE` (a database that already has seeded schools is
   reused as it is); `collectstatic` runs when the settings need hashed static files;
2. picks the typical users of `coachroom.benchmark.typical_pages` (the median coach and teacher,
   the school's coaching lead);
3. starts `--servers` (default 1) `python -m gunicorn coachroom.config.wsgi --bind
   127.0.0.1:PORT --workers 2` on one database and key (docs/deploy.md); waits for `/healthz`;
4. signs each user in by posting the sign-in form with its CSRF token, as a browser does;
5. requests a fixed mix of pages from `--concurrency` threads, each with its own connection
   (gunicorn's sync workers close it after every response, so each request connects anew), for
   `--seconds`, and never more than `--max-requests` requests in all; thread n uses server
   n mod `--servers` (round robin, as a proxy shares them);
6. prints requests/s and p50/p95/p99 per page and overall, then one JSON line; always stops
   gunicorn. The exit status is 1 when any request failed (an exception or a status other than
   200) or a page was never requested, and 2 when the set-up failed.

Only 127.0.0.1 is ever contacted. No dependency beyond the project's own: Python threads and
`http.client`. The client shares the machine with the server, so the JSON line also says where
the CPU went during the run: gunicorn's processes, this client, and the machine as a whole.
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class SetupError(Exception):
    """The load test could not start: a one-line reason for the terminal."""


@dataclass
class Page:
    name: str
    url: str
    email: str | None  # None: no session (the calendar feed's secret address is its credential)
    form: dict[str, str] | None = None  # a POST of this form instead of a GET


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # milliseconds, successful requests
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)  # the first few error messages

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(message)

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.samples += other.samples[: max(0, 5 - len(self.samples))]


# Set-up ------------------------------------------------------------------------------------------


def child_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The environment for this process's Django and for gunicorn: the same data, the same key."""
    env = dict(os.environ)
    env["COACHROOM_DATA_DIR"] = str(data_dir)
    env["ALLOWED_HOSTS"] = f"{HOST},localhost"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if database_url:
        env["DATABASE_URL"] = database_url
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        env["SECURE_COOKIES"] = "false"  # plain HTTP on 127.0.0.1
    else:
        env.pop("DATABASE_URL", None)  # SQLite in the data directory, never an inherited server
    return env


def prepare(scale: str, seed_number: int, *, writes: bool) -> tuple[list[Page], dict[str, Any]]:
    """Migrate, seed when empty, collect static files when needed; the pages and the data size."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachroom.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import Count
    from django.urls import reverse

    from coachroom.accounts.models import CoachingRelationship, School
    from coachroom.benchmark import typical_pages
    from coachroom.coaching.models import Observation
    from coachroom.scheduling.models import SessionOccurrence
    from coachroom.seed import seed

    call_command("migrate", interactive=False, verbosity=0)
    if not School.objects.filter(name__startswith="Seeded School").exists():
        started = time.monotonic()
        print(f"seeding: coachroom seed --scale {scale} --seed {seed_number}", file=sys.stderr)
        seed(scale, seed=seed_number, progress=lambda m: print(f"  {m}", file=sys.stderr))
        print(f"seeded in {time.monotonic() - started:.1f} s", file=sys.stderr)
    else:
        print("reusing the seeded data already in the database", file=sys.stderr)
    storage = settings.STORAGES["staticfiles"]["BACKEND"]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if "Manifest" in storage and not manifest.exists():
        print("collectstatic", file=sys.stderr)
        call_command("collectstatic", interactive=False, verbosity=0)
    school = (
        School.objects.filter(name__startswith="Seeded School")
        .annotate(n=Count("relationships"))
        .order_by("-n", "pk")
        .first()
    )
    assert school is not None  # noqa: S101 - seeded just above
    typical = {p.name: p for p in typical_pages(school)}
    lead = typical["completion dashboard"].user
    # The mix, in the order each thread cycles through it (thread n starts at page n).
    pages = [
        Page("coach home", typical["coach home"].url, typical["coach home"].user.email),
        Page(
            "teacher timeline",
            typical["teacher timeline"].url,
            typical["teacher timeline"].user.email,
        ),
        Page("library search", typical["library search"].url, typical["library search"].user.email),
        Page("completion dashboard", reverse("reporting:completion"), lead.email),
        Page("programme dashboard", reverse("reporting:dashboard"), lead.email),
        Page("ical feed", typical["ical feed"].url, None),
    ]
    if writes:
        # A real write in the mix: the coach saves their details (the same name).
        coach = typical["coach home"].user
        pages.append(
            Page(
                "profile save (POST)",
                reverse("accounts:profile"),
                coach.email,
                form={"profile-first_name": coach.first_name, "profile-last_name": coach.last_name},
            )
        )
    data = {
        "database": connection.vendor,
        "school": school.name,
        "pairs": CoachingRelationship.objects.filter(school=school).count(),
        "sessions": SessionOccurrence.objects.filter(school=school).count(),
        "drop_ins": Observation.objects.filter(school=school).count(),
    }
    connections.close_all()  # no open SQLite transaction or idle PostgreSQL session meanwhile
    return pages, data


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def start_gunicorn(
    port: int, workers: int, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "coachroom.config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
    ]
    if hasattr(importlib.import_module("gunicorn.config"), "ControlSocketDisable"):
        command.append("--no-control-socket")  # newer gunicorns share one socket in $HOME
    with log.open("ab") as out:
        # Its own process group, so that a stuck master and its workers can be killed together.
        return subprocess.Popen(  # noqa: S603 - a fixed argument list
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_gunicorn(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group this script started, and nothing else
        proc.wait(timeout=15)


def wait_for_health(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise SetupError(f"gunicorn exited with status {proc.returncode}:\n{tail}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SetupError(f"gunicorn did not answer /healthz within {timeout:.0f} s (see {log})")


def gunicorn_pids(master: int) -> list[int]:
    """The master and its workers, from /proc (empty where there is no /proc)."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [master, *(int(pid) for pid in children)]


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user and system) used so far by these processes."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_cpu() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return 0, 0
    ticks = [int(n) for n in first[1:9]]  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    return sum(ticks) - idle, sum(ticks)


# HTTP --------------------------------------------------------------------------------------------


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the form, as a browser does; the Cookie header for later requests."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/sign-in/")
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        if response.status != 200:
            raise SetupError(f"GET /sign-in/ answered {response.status}")
        cookies = _cookies(response)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if match is None or "csrftoken" not in cookies:
            raise SetupError("the sign-in page has no CSRF token")
        form = urlencode(
            {
                "csrfmiddlewaretoken": match.group(1),
                "username": email,
                "password": password,
                "next": "",
            }
        )
        conn.request(
            "POST",
            "/sign-in/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": _cookie_header(cookies),
            },
        )
        response = conn.getresponse()
        response.read()
        cookies.update(_cookies(response))
        if response.status != 302 or "sessionid" not in cookies:
            raise SetupError(f"signing in as {email} answered {response.status}, not a redirect")
        return _cookie_header(cookies)
    finally:
        conn.close()


def get(conn: http.client.HTTPConnection, url: str, cookie: str | None) -> tuple[int, int]:
    headers = {"Accept": "text/html,text/calendar,*/*"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", url, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body)


def post(conn: http.client.HTTPConnection, page: Page, cookie: str) -> int:
    """POST the page's form; the CSRF cookie's value goes in the header, as htmx sends it."""
    token = dict(part.split("=", 1) for part in cookie.split("; "))["csrftoken"]
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "X-CSRFToken": token,
        "Referer": f"http://{HOST}/",
    }
    conn.request("POST", page.url, body=urlencode(page.form or {}), headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def fetch(conn: http.client.HTTPConnection, page: Page, cookie: str | None) -> tuple[int, bool]:
    """Request the page; its status and whether that status is a success."""
    if page.form is not None and cookie:
        status = post(conn, page, cookie)
        return status, status == 302  # saved, then redirected back to the form
    status, _ = get(conn, page.url, cookie)
    return status, status == 200


# The run -----------------------------------------------------------------------------------------


def drive(
    ports: list[int],
    pages: list[Page],
    cookies: dict[str, str],
    *,
    seconds: float,
    concurrency: int,
    max_requests: int,
) -> tuple[dict[str, Tally], float]:
    """Request the pages in turn from every thread until the time or the request budget is up."""
    budget = threading.Semaphore(max_requests)
    deadline = time.monotonic() + seconds
    results: list[dict[str, Tally]] = [{p.name: Tally() for p in pages} for _ in range(concurrency)]

    def worker(n: int) -> None:
        tallies = results[n]
        port = ports[n % len(ports)]  # round robin over the servers, by thread
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        turn = n
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            page = pages[turn % len(pages)]
            turn += 1
            tally = tallies[page.name]
            started = time.perf_counter()
            try:
                status, ok = fetch(conn, page, cookies.get(page.email or ""))
            except (OSError, http.client.HTTPException) as error:
                tally.error(f"{page.url}: {type(error).__name__}: {error}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            tally.statuses[str(status)] = tally.statuses.get(str(status), 0) + 1
            if ok:
                tally.latencies.append(elapsed)
            else:
                tally.error(f"{page.url}: HTTP {status}")
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    merged = {p.name: Tally() for p in pages}
    per_server = {str(port): 0 for port in ports}
    for n, tallies in enumerate(results):
        for name, tally in tallies.items():
            merged[name].merge(tally)
            per_server[str(ports[n % len(ports)])] += len(tally.latencies) + tally.errors
    return merged, per_server, elapsed


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def stats(tally: Tally, elapsed: float) -> dict[str, Any]:
    ordered = sorted(tally.latencies)
    count = len(ordered) + tally.errors
    return {
        "requests": count,
        "errors": tally.errors,
        "rps": round(count / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(percentile(ordered, 50), 1),
        "p95_ms": round(percentile(ordered, 95), 1),
        "p99_ms": round(percentile(ordered, 99), 1),
        "max_ms": round(ordered[-1], 1) if ordered else 0.0,
        "statuses": dict(sorted(tally.statuses.items())),
    }


def report(summary: dict[str, Any]) -> None:
    head = f"{'page':<22} {'requests':>8} {'errors':>6} {'req/s':>7} "
    print(head + f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [*summary["pages"].items(), ("overall", summary["overall"])]
    for name, s in rows:
        print(
            f"{name:<22} {s['requests']:>8} {s['errors']:>6} {s['rps']:>7.1f} "
            f"{s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['p99_ms']:>8.1f} {s['max_ms']:>8.1f}"
        )
    for sample in summary["error_samples"]:
        print(f"error: {sample}")
    print(json.dumps(summary))


def warm_up(ports: list[int], pages: list[Page], cookies: dict[str, str], workers: int) -> None:
    """Every page once per worker of every server, untimed, so templates are loaded."""
    for port in ports:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        for page in pages * workers:
            status, ok = fetch(conn, page, cookies.get(page.email or ""))
            if not ok:
                raise SetupError(f"warm-up: {page.name} ({page.url}) answered {status}")
        conn.close()


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir or ROOT / "var" / f"loadtest-{args.scale}").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = child_env(data_dir, args.database_url)
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)
    pages, data = prepare(args.scale, args.seed, writes=args.writes)
    from coachroom.seed import SEED_PASSWORD

    log = data_dir / "gunicorn.log"  # every server's, one after another
    ports = [args.port or free_port()] + [free_port() for _ in range(args.servers - 1)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            procs.append(start_gunicorn(port, args.workers, env, log))
        for port, proc in zip(ports, procs, strict=True):
            wait_for_health(port, proc, log, timeout=60)
        emails = sorted({p.email for p in pages if p.email})
        # Signed in through the servers in turn: a session made on one is good on all.
        cookies = {
            email: sign_in(ports[n % len(ports)], email, SEED_PASSWORD)
            for n, email in enumerate(emails)
        }
        warm_up(ports, pages, cookies, args.workers)
        server_pids = [pid for proc in procs for pid in gunicorn_pids(proc.pid)]
        machine_before, server_before = machine_cpu(), process_cpu(server_pids)
        cpu = time.process_time()
        tallies, per_server, elapsed = drive(
            ports,
            pages,
            cookies,
            seconds=args.seconds,
            concurrency=args.concurrency,
            max_requests=args.max_requests,
        )
        driver_cpu = time.process_time() - cpu
        server_cpu = process_cpu(server_pids) - server_before
        machine_after = machine_cpu()
        busy = machine_after[0] - machine_before[0]
        total = machine_after[1] - machine_before[1]
    finally:
        for proc in procs:
            stop_gunicorn(proc)
    overall = Tally()
    for tally in tallies.values():
        overall.merge(tally)
    summary: dict[str, Any] = {
        "tool": "python-threads",
        "server": f"{args.servers} × gunicorn --workers {args.workers}",
        "servers": args.servers,
        "requests_per_server": per_server,  # by port
        "data": data,
        "seconds": round(elapsed, 2),
        "concurrency": args.concurrency,
        "writes": args.writes,
        "requests": len(overall.latencies) + overall.errors,
        "errors": overall.errors,
        "rps": round((len(overall.latencies) + overall.errors) / elapsed, 2),
        # Where the CPU went during the run (Linux only; 0 elsewhere). The machine's busy share
        # well above what gunicorn and this client used means something else was running.
        "cpus": os.cpu_count(),
        "machine_cpu_busy_pct": round(100 * busy / total, 1) if total else 0.0,
        "server_cpu_s": round(server_cpu, 2),
        "driver_cpu_s": round(driver_cpu, 2),
        "overall": stats(overall, elapsed),
        "pages": {name: stats(tally, elapsed) for name, tally in tallies.items()},
        "error_samples": overall.samples,
    }
    report(summary)
    unrequested = [name for name, s in summary["pages"].items() if s["requests"] == 0]
    if unrequested:
        print(f"loadtest: never requested: {', '.join(unrequested)}", file=sys.stderr)
    return 1 if overall.errors or unrequested else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["small", "school", "trust"], default="school")
    parser.add_argument("--seed", type=int, default=1, help="seed of `coachroom seed`")
    parser.add_argument(
        "--data-dir", help="COACHROOM_DATA_DIR to use (default var/loadtest-SCALE in the repo)"
    )
    parser.add_argument("--database-url", help="a PostgreSQL database instead of SQLite")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to send requests")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--servers", type=int, default=1, help="separate gunicorn servers, shared round robin"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="the first server's port on 127.0.0.1 (default: free)"
    )
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="stop after this many requests"
    )
    parser.add_argument(
        "--writes",
        action="store_true",
        help="add a POST to the mix (the coach saves their details)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.seconds <= 0 or min(args.concurrency, args.max_requests, args.servers) < 1:
        print(
            "loadtest: --seconds, --concurrency, --max-requests and --servers must be positive",
            file=sys.stderr,
        )
        return 2
    if args.concurrency < args.servers:
        print("loadtest: --concurrency must be at least --servers", file=sys.stderr)
        return 2
    try:
        return run(args)
    except (SetupError, OSError, http.client.HTTPException) as error:
        print(f"loadtest: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
