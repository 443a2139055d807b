"""Scale-out, as docs/deploy.md describes it: two gunicorn servers and a `coachroom worker`,
separate processes sharing nothing but one PostgreSQL database and the SECRET_KEY.

A school admin signs in through server A, changes their name there, and server B shows the new
name at once, on the same session; a staff CSV uploaded through server B is queued, the worker
checks it, and server A shows the result. The processes run against this test's own database
(the PostgreSQL test database, committed to: `transaction=True`), on free loopback ports.

Marked `servers`: selected only when the suite runs on PostgreSQL (tests/conftest.py), which
`./dev test` does in its PostgreSQL pass.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from coachroom.accounts.models import User
from coachroom.imports.models import ImportRun

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]

HOST = "127.0.0.1"
PASSWORD = "two-servers-one-database"
STARTUP_SECONDS = 60
STAFF_CSV = b"email,first_name,last_name,roles\nnia.okafor@oak.example,Nia,Okafor,teacher\n"


class Process:
    """A child process whose output is read as it comes, so a test can wait for a line."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.lines: list[str] = []
        self.seen = threading.Condition()
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argument lists
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # gunicorn's master and workers stop together
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.seen:
                self.lines.append(line)
                self.seen.notify_all()
        with self.seen:
            self.seen.notify_all()  # it exited: stop waiting

    def wait_for(self, text: str, timeout: float) -> None:
        with self.seen:
            found = self.seen.wait_for(
                lambda: any(text in line for line in self.lines) or self.proc.poll() is not None,
                timeout=timeout,
            )
            if not found or not any(text in line for line in self.lines):
                pytest.fail(f"{self.name} never logged {text!r}:\n{self.output()}")

    def output(self) -> str:
        return "".join(self.lines[-40:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group this test started
                self.proc.wait(timeout=20)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"


def _gunicorn(port: int) -> list[str]:
    from gunicorn import config

    command = [sys.executable, "-m", "gunicorn", "coachroom.config.wsgi"]
    command += ["--bind", f"{HOST}:{port}", "--workers", "1", "--graceful-timeout", "5"]
    if hasattr(config, "ControlSocketDisable"):
        command.append("--no-control-socket")  # newer gunicorns share one socket in $HOME
    return command


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[int, int, Process]]:
    """Two servers and a worker on this test's database; the ports of A and B, and the worker."""
    assert connection.vendor == "postgresql"
    port_a, port_b = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=_database_url(),
        SECRET_KEY=secrets.token_urlsafe(50),  # the same on every process, or sessions break
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}:{port_a}",
        SECURE_COOKIES="false",  # plain HTTP on the loopback
        COACHROOM_DATA_DIR=str(tmp_path),
    )
    # Once per release, before the servers start (the database is migrated already).
    subprocess.run(
        [sys.executable, "-m", "coachroom.cli", "manage", "collectstatic", "--noinput"],
        env=env,
        check=True,
        capture_output=True,
    )
    processes = [
        Process("server A", _gunicorn(port_a), env),
        Process("server B", _gunicorn(port_b), env),
        Process("worker", [sys.executable, "-m", "coachroom.cli", "worker"], env),
    ]
    try:
        for process in processes[:2]:
            process.wait_for("Booting worker", STARTUP_SECONDS)
        processes[2].wait_for("worker started", STARTUP_SECONDS)
        yield port_a, port_b, processes[2]
    finally:
        for process in processes:
            process.stop()


class Browser:
    """One person's cookies, sent to whichever server answers: as behind a load balancer."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, str, str]:
        """The status, the Location header and the page."""
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            page = response.read().decode()
            jar: SimpleCookie = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
            return response.status, response.getheader("Location", ""), page
        finally:
            conn.close()

    def get(self, port: int, path: str) -> str:
        status, _, page = self.request(port, "GET", path)
        assert status == 200, (port, path, status)
        return page

    def post_form(self, port: int, path: str, form_page: str, fields: dict[str, str]) -> str:
        """Submit a form from a page, with its CSRF token; where it redirects to."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)
        assert token is not None
        body = urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        status, location, page = self.request(
            port, "POST", path, body, "application/x-www-form-urlencoded"
        )
        assert status == 302, (path, status, page[:2000])
        return location

    def upload(self, port: int, path: str, fields: dict[str, str], file: bytes) -> str:
        """A multipart/form-data POST with one file, as a browser sends the import form."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(port, path))
        assert token is not None
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in {"csrfmiddlewaretoken": token.group(1), **fields}.items()
        ]
        body = (
            "".join(parts).encode()
            + (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                'filename="staff.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
        )
        body += file + f"\r\n--{boundary}--\r\n".encode()
        status, location, page = self.request(
            port, "POST", path, body, f"multipart/form-data; boundary={boundary}"
        )
        assert status == 302, (path, status, page[:2000])
        return location


@pytest.fixture
def oak_admin(admin: User) -> User:
    """Oak's school admin, with a password hash the servers' own settings can check (the suite
    hashes with MD5, which production settings do not accept)."""
    hasher = PBKDF2PasswordHasher()
    admin.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    admin.save(update_fields=["password"])
    return admin


def test_a_write_through_one_server_is_read_through_the_other_and_the_worker_runs_jobs(
    deployment, oak_admin
):
    port_a, port_b, worker = deployment
    browser = Browser()

    # Signed in through A: the session is in the database, so B knows it too.
    sign_in = browser.get(port_a, "/sign-in/")
    fields = {"username": oak_admin.email, "password": PASSWORD, "next": ""}
    assert browser.post_form(port_a, "/sign-in/", sign_in, fields) == "/"
    profile = browser.get(port_a, "/account/")
    renamed = {"profile-first_name": "Adaeze", "profile-last_name": oak_admin.last_name}
    browser.post_form(port_a, "/account/", profile, renamed)

    assert "Adaeze" in browser.get(port_b, "/account/")  # at once, on the other server
    assert User.objects.get(pk=oak_admin.pk).first_name == "Adaeze"

    # An upload through B is queued in the database; the worker checks it; A shows the result.
    run_page = browser.upload(port_b, "/imports/", {"kind": "staff"}, STAFF_CSV)
    run = ImportRun.objects.get()
    assert run_page == run.get_absolute_url()
    worker.wait_for("import run finished", timeout=30)
    run.refresh_from_db()
    assert (run.dry_run, run.status, run.created) == (True, "done", 1)
    page = browser.get(port_a, run_page)
    assert "Would create (1)" in page and "Nia Okafor" in page
