"""Access-matrix rows for calendar subscriptions (merged into tests/test_access_matrix.py).

The calendar pages are each person's own, so every signed-in person gets 200, outsider and
trust admin included. The feed needs no sign-in: its secret token is the credential, so
anyone holding alice's address gets her feed, signed in or not.
"""

from __future__ import annotations

from typing import Any

from coachroom.scheduling.models import CalendarFeed
from tests.access import Row


def alice_feed_token(o: dict[str, Any]) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(user=o["alice"])
    return feed.token


ICAL_ROWS: dict[str, Row] = {
    "scheduling:calendar": Row({}, default=200),
    "scheduling:calendar-regenerate": Row({}, default=200),
    "scheduling:calendar-feed": Row(
        {}, default=200, anonymous=200, args=lambda o: [alice_feed_token(o)]
    ),
}
