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
    server = subprocess.Popen(  # noqa: S603 - a fixed argument list
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
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
    finally:
        watchdog.cancel()
        if server.poll() is None:
            server.kill()
        server.wait()
