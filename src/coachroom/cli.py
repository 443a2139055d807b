"""The `coachroom` command: serve, demo, manage and friends."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from coachroom.core.errors import DomainError


class CommandError(Exception):
    """A one-line reason to show the person at the terminal before exiting non-zero."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachroom.config.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _role_rank(membership: Any) -> int:
    """Leaders first, then coaches, then teachers."""
    for rank, role in enumerate(("school_admin", "senior_leader", "coaching_lead", "coach")):
        if getattr(membership, f"is_{role}"):
            return rank
    return 4


def _print_demo_accounts(url: str) -> None:
    """Every active account, school by school, leaders first."""
    from coachroom.accounts.models import Membership, User
    from coachroom.demo import DEMO_PASSWORD

    print(f"\nDemo accounts (every password is: {DEMO_PASSWORD})")
    memberships = (
        Membership.objects.active()
        .select_related("user", "school")
        .order_by("school__name", "user__last_name", "user__first_name")
    )
    rows = sorted(memberships, key=lambda m: (m.school.name, _role_rank(m)))
    school = None
    for m in rows:
        if m.school.name != school:
            school = m.school.name
            print(f"\n  {school}")
        extra = ", ECT" if m.is_ect else ""
        print(f"    {m.user.email:<34} {m.user.full_name:<18} {m.role_labels}{extra}")
    admins = User.objects.filter(is_active=True, administered_trusts__isnull=False).distinct()
    for admin in admins:
        print(f"\n  Trust\n    {admin.email:<34} {admin.full_name:<18} Trust admin")
    print(f"\nSign in at {url}/sign-in/\n")


def _load_demo(force: bool) -> bool:
    from django.core.management import call_command

    from coachroom.demo import database_is_empty, load_demo

    if not database_is_empty():
        if not force:
            return False
        call_command("flush", interactive=False, verbosity=0)
    load_demo()
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate()
    if not _load_demo(force=args.force):
        raise CommandError(
            "the database already has data; "
            "use `coachroom demo --force` to replace it with the demo"
        )
    print("Demo data loaded.")
    _print_demo_accounts("http://127.0.0.1:8000")
    return 0


def _address(host: str, port: int) -> str:
    """The web address of a server bound to host:port; a wildcard host is reached locally."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def cmd_serve(args: argparse.Namespace) -> int:
    url = _address(args.host, args.port)
    site_url_given = bool(os.environ.get("SITE_URL", "").strip())
    if not site_url_given:
        # Before Django starts, so settings, the worker and gunicorn's workers all see it: links
        # in invitations, resets and unsubscribes then point at this server.
        os.environ["SITE_URL"] = url
    _setup_django()
    from django.conf import settings

    _migrate()
    if args.demo:
        if _load_demo(force=False):
            print("Loaded the demo trust into an empty database.")
        _print_demo_accounts(url)
    if settings.PRODUCTION:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    worker = None
    if args.demo:  # the demo also sends its reminders; production runs `coachroom worker`
        from coachroom.scheduling.worker import start_worker_process

        worker = start_worker_process()
    if not site_url_given:
        print(f"Links in emails point to {url}; set SITE_URL if people reach Coachroom elsewhere.")
    print(f"Coachroom is running at {url} (press Ctrl+C to stop)", flush=True)
    try:
        return _run_web_server(args.host, args.port, args.workers)
    finally:
        if worker is not None:
            worker.terminate()


def _run_web_server(host: str, port: int, workers: int) -> int:
    if shutil.which("gunicorn") or _has_module("gunicorn"):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "coachroom.config.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
    else:  # Windows has no gunicorn: Django's server with whitenoise still serves static files.
        command = [
            sys.executable,
            "-m",
            "django",
            "runserver",
            f"{host}:{port}",
            "--noreload",
        ]
    server = subprocess.Popen(command)  # noqa: S603 - fixed argument list
    # A supervisor that stops `coachroom serve` with SIGTERM must stop the server too, or
    # gunicorn would outlive us and keep the port. Ctrl+C reaches both through the terminal.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: server.send_signal(signum))
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def cmd_calendar(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.scheduling.ical import calendar_for_email

    sys.stdout.write(calendar_for_email(args.email))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.scheduling.worker import run_worker

    return run_worker(once=args.once)


def cmd_import(args: argparse.Namespace) -> int:
    _setup_django()
    if args.format == "ittecf":
        from coachroom.induction.cli import run_import as run_framework_import

        return run_framework_import(args)
    from coachroom.imports.cli import run_import

    return run_import(args)


def cmd_export_ect(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.induction.portable.cli import run_export_ect

    return run_export_ect(args)


def cmd_export_research(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.records.research_cli import run_export_research

    return run_export_research(args)


def cmd_scim_token(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.integrations.provisioning.cli import run_scim_token

    return run_scim_token(args)


def cmd_backup(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.records.backup import run_backup

    return run_backup(args)


def cmd_restore(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.records.backup import run_restore

    return run_restore(args)


def cmd_retention(args: argparse.Namespace) -> int:
    _setup_django()
    from coachroom.records.erasure import run_retention

    return run_retention(args)


def cmd_seed(args: argparse.Namespace) -> int:
    _setup_django()
    import time

    from coachroom.seed import seed

    _migrate()
    started = time.monotonic()
    report = seed(args.scale, seed=args.seed, progress=lambda m: print(m, file=sys.stderr))
    print(
        f"Seeded {report.schools} school(s), {report.staff} staff, {report.pairs} pairs, "
        f"{report.sessions} sessions, {report.observations} drop-ins, {report.meetings} "
        f"meetings, {report.steps} steps, {report.transitions} step transitions "
        f"in {time.monotonic() - started:.1f} s."
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from coachroom.benchmark import EXPECTED_STATUS, run

    if settings.PRODUCTION:  # pages need the hashed static files, as under `serve`
        call_command("collectstatic", interactive=False, verbosity=0)
    if args.scale:
        from coachroom.seed import seed

        _migrate()
        seed(args.scale, seed=args.seed)
    results = run(requests=args.requests)
    failed = [
        name
        for name, page in results["pages"].items()
        if page["status"] != EXPECTED_STATUS.get(name, 200)
    ]
    if failed:
        raise CommandError(f"these pages did not answer as expected: {', '.join(failed)}")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coachroom manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachroom", description="Coachroom: instructional coaching for schools."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_running_commands(sub)
    _add_data_commands(sub)
    _add_export_commands(sub)
    _add_provisioning_commands(sub)
    _add_developer_commands(sub)
    return parser


def _add_running_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """serve, demo, calendar and worker."""
    serve = sub.add_parser("serve", help="apply migrations and run the web server")
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="load the demo trust into an empty database")
    demo.add_argument("--force", action="store_true", help="wipe the database first")
    demo.set_defaults(func=cmd_demo)

    calendar = sub.add_parser("calendar", help="print a person's calendar feed (iCalendar)")
    calendar.add_argument("email", help="the person's email address")
    calendar.set_defaults(func=cmd_calendar)

    worker = sub.add_parser("worker", help="run background jobs: reminders, digests, imports")
    worker.add_argument(
        "--once", action="store_true", help="schedule what is due, drain the queue and exit"
    )
    worker.set_defaults(func=cmd_worker)


def _add_data_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """import, backup, restore and retention."""
    importer = sub.add_parser(
        "import", help="import staff (OneRoster, staff CSV) or the ITTECF's statements"
    )
    importer.add_argument(
        "format", choices=["oneroster", "staff", "ittecf"], help="what the file is"
    )
    importer.add_argument(
        "path",
        help="a OneRoster zip or folder, a staff CSV file, or the framework's statements (CSV)",
    )
    importer.add_argument("--school", metavar="URN", help="import into (or only) this school")
    importer.add_argument("--dry-run", action="store_true", help="show what would change")
    importer.set_defaults(func=cmd_import)

    backup = sub.add_parser("backup", help="write a portable archive of all data")
    backup.add_argument("path", help="the archive to write, e.g. coachroom-2026-11-23.zip")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore an archive into an empty database")
    restore.add_argument("path", help="an archive written by `coachroom backup`")
    restore.set_defaults(func=cmd_restore)

    retention = sub.add_parser(
        "retention", help="anonymise leavers' coaching records past the school's retention period"
    )
    retention.add_argument("--dry-run", action="store_true", help="show what would be erased")
    retention.set_defaults(func=cmd_retention)


def _add_export_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """export WHAT …: one record out of Coachroom into a file; each kind of record is a
    sub-command of its own (`export ect`), with its own arguments."""
    export = sub.add_parser("export", help="write a record to a file: an ECT's induction record")
    what = export.add_subparsers(dest="what", required=True)  # the usage lists the kinds
    ect = what.add_parser(
        "ect", help="an ECT's induction record for their new school (a zip: PDF and JSON)"
    )
    ect.add_argument("email", help="the ECT's email address")
    ect.add_argument("path", help="the zip to write, e.g. induction-record.zip")
    ect.add_argument(
        "--school", metavar="URN", help="the school's induction, when the ECT has had several"
    )
    ect.set_defaults(func=cmd_export_ect)
    research = what.add_parser(
        "research",
        help="pseudonymised steps for research (a zip: CSV, data dictionary, README)",
    )
    research.add_argument("path", help="the zip to write, e.g. research.zip")
    research.add_argument("--school", metavar="URN", help="one school (default: every school)")
    research.add_argument(
        "--k", type=int, default=5, help="k-anonymity: fewest teachers behind any combination"
    )
    research.set_defaults(func=cmd_export_research)


def _add_provisioning_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """scim-token create|list|revoke: a school's tokens for staff provisioning (SCIM)."""
    scim = sub.add_parser(
        "scim-token", help="make, list or revoke a school's SCIM tokens (staff provisioning)"
    )
    action = scim.add_subparsers(dest="action", required=True)
    create = action.add_parser("create", help="make a token and print it (it is shown once)")
    create.add_argument("--school", metavar="URN", required=True, help="the school's URN")
    create.add_argument("--name", default="", help="what it is for, e.g. 'Microsoft Entra ID'")
    listing = action.add_parser("list", help="list the school's active tokens")
    listing.add_argument("--school", metavar="URN", required=True, help="the school's URN")
    revoke = action.add_parser("revoke", help="revoke a token: it stops working at once")
    revoke.add_argument("--school", metavar="URN", required=True, help="the school's URN")
    revoke.add_argument("token", metavar="NAME-or-ID", help="the token's name, or its number")
    scim.set_defaults(func=cmd_scim_token)


def _add_developer_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """seed, bench and manage."""
    seeder = sub.add_parser("seed", help="add realistic data at scale, for benchmarks")
    seeder.add_argument("--scale", choices=["small", "school", "trust"], default="small")
    seeder.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    seeder.set_defaults(func=cmd_seed)

    bench = sub.add_parser("bench", help="measure key pages against a bare baseline view")
    bench.add_argument(
        "--scale", choices=["small", "school", "trust"], help="seed this much data first"
    )
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--requests", type=int, default=30, help="timed requests per page")
    bench.add_argument("--database-url", help="benchmark this database instead")
    bench.set_defaults(func=cmd_bench)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CommandError as error:
        print(f"coachroom: {error}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"coachroom: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # a one-line reason beats a traceback at the terminal
        from django.core.exceptions import ImproperlyConfigured
        from django.db import OperationalError

        if isinstance(error, ImproperlyConfigured | OperationalError):
            print(f"coachroom: {error}", file=sys.stderr)
            return 1
        raise
    return code


if __name__ == "__main__":
    sys.exit(main())
