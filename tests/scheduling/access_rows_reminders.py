"""Access-matrix rows for email preferences and unsubscribe links.

Preferences are each signed-in person's own, so everyone gets 200 (trust admins and other
schools' staff included). The unsubscribe link needs no sign-in: its signed token is the
credential, so anonymous visitors get 200 too.
"""

from __future__ import annotations

from coachroom.scheduling.reminders import unsubscribe_token
from tests.access import Row

REMINDER_ROWS: dict[str, Row] = {
    "scheduling:notifications": Row({}, default=200),
    "scheduling:unsubscribe": Row(
        {},
        default=200,
        anonymous=200,
        args=lambda o: [unsubscribe_token(o["alice"], "morning_list")],
    ),
}
