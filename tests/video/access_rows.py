"""Access-matrix rows for lesson video (merged into tests/test_access_matrix.py).

The clip is alice's, shared with her current coach bob, still processing (no files yet, so its
video and poster are a 404 even to her; tests/video/test_media.py serves real ones). Only the
owner and the people she shares with reach a clip; everyone else gets the 404 of a clip that
does not exist, whatever their role: Oak's senior leader, school admin, coaching lead and data
protection lead included. Only alice changes who sees it: bob gets 403 there. Every member has
"My lesson videos" and the upload page; the school admin alone sets the filming protocol.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coachroom.video.models import Clip, ClipShare
from tests.access import Row

MEMBERS = {"trust_admin": 403}
OWNER_ONLY = {"alice": 302, "bob": 403}


def clip(o: dict[str, Any]) -> Clip:
    now = timezone.now()
    made, _ = Clip.objects.get_or_create(
        key="matrix-clip",
        defaults={
            "school": o["pair"].school,
            "owner": o["alice"],
            "uploaded_by": o["alice"],
            "title": "Year 8 science",
            "status": Clip.Status.PROCESSING,
            "size_bytes": 10,
            "received_bytes": 10,
            "protocol_confirmed_at": now,
            "processing_started_at": now,
            "delete_after": now + timezone.timedelta(days=90),
            "shared_with_coach": True,
        },
    )
    return made


def share(o: dict[str, Any]) -> list[int]:
    made = clip(o)
    found, _ = ClipShare.objects.get_or_create(
        clip=made, colleague=o["carol"], defaults={"school": made.school}
    )
    return [made.pk, found.pk]


def _pk(o: dict[str, Any]) -> list[int]:
    return [clip(o).pk]


VIDEO_ROWS: dict[str, Row] = {
    "video:mine": Row(MEMBERS, default=200),
    "video:upload": Row(MEMBERS, default=200),
    "video:consent": Row(MEMBERS, default=302, method="post"),
    "video:settings": Row({"admin": 200, "outsider": 200}),
    "video:clip": Row({"alice": 200, "bob": 200}, default=404, args=_pk),
    "video:chunks": Row({"alice": 200}, default=404, args=_pk),
    "video:status": Row({"alice": 302, "bob": 302}, default=404, args=_pk),
    "video:video": Row({}, default=404, args=_pk),
    "video:poster": Row({}, default=404, args=_pk),
    "video:comment": Row({"alice": 400, "bob": 400}, default=404, method="post", args=_pk),
    "video:comment-track": Row({"alice": 200, "bob": 200}, default=404, args=_pk),
    "video:share-coach": Row(OWNER_ONLY, default=404, method="post", args=_pk),
    "video:share": Row({"alice": 400, "bob": 403}, default=404, method="post", args=_pk),
    "video:share-revoke": Row({**OWNER_ONLY, "carol": 403}, default=404, method="post", args=share),
    "video:keep": Row(OWNER_ONLY, default=404, method="post", args=_pk),
    "video:delete": Row({"alice": 200, "bob": 403}, default=404, args=_pk),
}
