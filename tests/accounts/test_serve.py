"""`coachroom serve` as a supervisor runs it: it serves, and SIGTERM stops gunicorn with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_closed(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_sigterm_stops_the_web_server_too(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["COACHROOM_DATA_DIR"] = str(tmp_path)
    command = [
        sys.executable,
        "-c",
        "import sys; from coachroom.cli import main; sys.exit(main())",
        "serve",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env.pop("SITE_URL", None)
    server = subprocess.Popen(  # noqa: S603 - a fixed argument list
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(90, server.kill)  # never hang the suite if it does not start
    watchdog.start()
    try:
        assert server.stderr is not None
        for line in server.stderr:  # gunicorn says so once it has bound the port
            if "Listening at" in line:
                break
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert answer.status == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert _port_is_closed(port)  # no gunicorn left behind holding it
        output, errors = server.communicate(timeout=10)
        # Links in emails point at this server, and whitenoise has no missing folder to warn of.
        assert f"Links in emails point to http://127.0.0.1:{port}" in output
        assert "No directory at" not in errors
    finally:
        watchdog.cancel()
        if server.poll() is None:
            server.kill()
        server.wait()


SHOW_SITE_URL = (
    "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'coachroom.config.settings');"
    "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
)


def _serve_and_read_site_url(monkeypatch, argv: list[str]) -> str:
    """Run `coachroom serve` with a stand-in web server that reports the SITE_URL which a
    child process (gunicorn's workers) would send in emails."""
    from coachroom import cli

    seen: list[str] = []

    def fake_server(host: str, port: int, workers: int) -> int:
        child = subprocess.run(  # noqa: S603 - a fixed argument list
            [sys.executable, "-c", SHOW_SITE_URL], capture_output=True, text=True, check=True
        )
        seen.append(child.stdout.strip())
        return 0

    monkeypatch.setattr(cli, "_run_web_server", fake_server)
    monkeypatch.setattr(cli, "_migrate", lambda: None)
    assert cli.main(["serve", *argv]) == 0
    return seen[0]


def test_serve_sets_the_site_address_from_its_host_and_port(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COACHROOM_DATA_DIR", str(tmp_path))
    assert _serve_and_read_site_url(monkeypatch, ["--port", "8123"]) == "http://127.0.0.1:8123"
    assert "Links in emails point to http://127.0.0.1:8123" in capsys.readouterr().out
    monkeypatch.delenv("SITE_URL")
    wildcard = _serve_and_read_site_url(monkeypatch, ["--host", "0.0.0.0", "--port", "9000"])  # noqa: S104
    assert wildcard == "http://127.0.0.1:9000"


def test_serve_keeps_a_site_address_that_is_set(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SITE_URL", "https://coaching.example.org")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COACHROOM_DATA_DIR", str(tmp_path))
    site_url = _serve_and_read_site_url(monkeypatch, ["--port", "8123"])
    assert site_url == "https://coaching.example.org"
    assert "Links in emails" not in capsys.readouterr().out
