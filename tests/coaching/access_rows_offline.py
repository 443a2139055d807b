"""Access-matrix rows for installable, offline drop-ins (merged into tests/test_access_matrix.py).

The manifest, the service worker and the offline page name no one, so anyone may fetch them.
A pair's blank drop-in form is its coach's alone. The outbox's endpoint reads which drop-in a
save is for before anything else: a post naming none is refused (400) for everyone signed in;
tests/coaching/test_offline_sync.py shows other coaches and outsiders get 404 for bob's.
"""

from __future__ import annotations

from tests.access import Row

PUBLIC = Row({}, default=200, anonymous=200)

OFFLINE_ROWS: dict[str, Row] = {
    "manifest": PUBLIC,
    "service-worker": PUBLIC,
    "offline": PUBLIC,
    "coaching:drop-in-new": Row({"bob": 200}, default=404, args=lambda o: [o["pair"].pk]),
    "coaching:drop-in-sync": Row({}, default=400, method="post"),
}
