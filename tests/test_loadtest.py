"""A smoke test of bench/loadtest.py: a few seconds of load on a tiny dataset, two gunicorns.

No timing assertions: the numbers live in docs/performance.md. The script runs as a subprocess,
as a person would run it, on SQLite in a temporary data directory (never on the database that
the rest of the suite uses, even when DATABASE_URL points the suite at PostgreSQL).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "loadtest.py"
PAGES = {
    "coach home",
    "teacher timeline",
    "library search",
    "completion dashboard",
    "programme dashboard",
    "ical feed",
}
WRITE = "profile save (POST)"  # --writes: saved, then redirected


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_short_load_test_through_two_servers_on_a_small_school_has_no_errors(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    command = [
        sys.executable,
        str(SCRIPT),
        "--scale",
        "small",
        "--seconds",
        "3",
        "--concurrency",
        "2",
        "--data-dir",
        str(tmp_path / "data"),
        "--port",
        str(_free_port()),
        "--writes",
        "--servers",
        "2",
    ]
    done = subprocess.run(  # noqa: S603 - a fixed argument list
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    log = tmp_path / "data" / "gunicorn.log"
    detail = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}\n{log.read_text()[-2000:]}"
    assert done.returncode == 0, detail
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["data"]["database"] == "sqlite"
    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["requests"] > 0
    assert set(summary["pages"]) == {*PAGES, WRITE}
    assert summary["writes"] is True
    # Two servers on the one database, both used: sessions and writes cross between them.
    assert summary["servers"] == 2
    assert len(summary["requests_per_server"]) == 2
    assert all(n > 0 for n in summary["requests_per_server"].values())
    for name, page in summary["pages"].items():
        assert page["requests"] > 0, name
        assert page["errors"] == 0, name
        assert set(page["statuses"]) == ({"302"} if name == WRITE else {"200"}), name
