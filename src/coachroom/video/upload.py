"""Receiving a clip: in chunks that survive a dropped connection, or in one request.

The browser (static/js/clip-upload.js) starts an upload with the form's fields and the file's
size, then sends the file in chunks, each with the offset it starts at. The server stores each
chunk through the clips storage and records how far it has got; after a dropped connection
the browser asks for that offset and carries on from there. A chunk for the wrong offset is
refused with the right one (409), so nothing is stored twice or out of order. Without
JavaScript, the form posts the whole file at once and it becomes a one-chunk upload.

The worker (tasks.py) joins the chunks, checks the container with ffprobe and makes the
web-friendly copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import School, User
from coachroom.core.errors import DomainError
from coachroom.video.models import Clip, UploadConsent, VideoSettings
from coachroom.video.storage import clip_storage
from coachroom.video.tasks import process_clip

CHUNK_SIZE = 4 * 1024 * 1024  # what the browser is told to send
CHUNK_MAX = 8 * 1024 * 1024  # the largest chunk the server takes


class WrongOffset(DomainError):
    """The chunk does not start where the upload has got to; `offset` is where it has."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(f"This upload continues from byte {offset}.")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def check_size(settings: VideoSettings, size: int) -> None:
    if size <= 0:
        raise DomainError("The file is empty.")
    if size > settings.max_bytes:
        raise DomainError(
            f"This file is {_mb(size)}; your school's limit is {_mb(settings.max_bytes)}. "
            "Trim the clip on your phone and try again."
        )


@transaction.atomic
def clip_start(
    *,
    school: School,
    owner: User,
    by: User,
    title: str,
    size: int,
    key: str,
    consent: UploadConsent | None = None,
    now: dt.datetime | None = None,
) -> Clip:
    """Begin an upload; the same key again returns the same clip (a retried or double-tapped
    start makes one clip)."""
    existing = Clip.objects.filter(key=key).first()
    if existing is not None:
        if existing.uploaded_by_id != by.pk:  # a key from someone else's form
            raise DomainError("Reload the upload page and try again.")
        return existing
    settings = VideoSettings.for_school(school)
    check_size(settings, size)
    if by.pk != owner.pk and consent is None:
        raise DomainError("A coach uploads for a teacher only with the teacher's consent.")
    now = now or timezone.now()
    clip = Clip.objects.create(
        school=school,
        owner=owner,
        uploaded_by=by,
        consent=consent,
        key=key,
        title=title,
        size_bytes=size,
        protocol_confirmed_at=now,
        created_at=now,
        delete_after=now + dt.timedelta(days=settings.keep_days),
        # The teacher's consent to their coach filming covers the coach watching what they
        # filmed; the teacher can still turn it off on the clip's page.
        shared_with_coach=consent is not None,
    )
    audit.record(
        actor=by,
        action="video.clip.uploaded",
        school=None,  # the teacher's alone: kept out of every school log and export
        target=clip,
        subject=owner,
        data={"size": size, "filming_protocol_confirmed": True},
    )
    return clip


def _part_name(clip: Clip, offset: int) -> str:
    return f"clips/{clip.school_id}/{clip.key}/parts/{offset:015d}"


def clip_receive(*, clip: Clip, offset: int, chunks: Iterable[bytes]) -> Clip:
    """Store one chunk starting at `offset`; returns the clip with its new offset. Finishing
    the last chunk hands the clip to the worker."""
    with transaction.atomic():
        locked = Clip.objects.select_for_update().get(pk=clip.pk)
        if locked.status != Clip.Status.UPLOADING:
            raise DomainError("This upload has already finished.")
        if offset != locked.received_bytes:
            raise WrongOffset(locked.received_bytes)
        data = b"".join(chunks)
        if not data or len(data) > CHUNK_MAX:
            raise DomainError(f"A chunk is between 1 byte and {_mb(CHUNK_MAX)}.")
        if offset + len(data) > locked.size_bytes:
            raise DomainError("This chunk goes past the end of the file the upload began with.")
        name = _part_name(locked, offset)
        storage = clip_storage()
        if storage.exists(name):  # left by a chunk whose request died before it was recorded
            storage.delete(name)
        stored = storage.save(name, ContentFile(data))
        locked.parts = [*locked.parts, [offset, stored]]
        locked.received_bytes = offset + len(data)
        locked.save(update_fields=["parts", "received_bytes"])
    if locked.received_bytes == locked.size_bytes:
        clip_hand_to_worker(locked)
    return locked


def clip_receive_whole(*, clip: Clip, upload: File[bytes]) -> Clip:
    """The form's single-request upload: the whole file as one stored part."""
    with transaction.atomic():
        locked = Clip.objects.select_for_update().get(pk=clip.pk)
        if locked.status != Clip.Status.UPLOADING:
            return locked  # the same form sent twice: the clip is already on its way
        name = _part_name(locked, 0)
        storage = clip_storage()
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, upload)
        locked.parts = [[0, stored]]
        locked.received_bytes = locked.size_bytes
        locked.save(update_fields=["parts", "received_bytes"])
    clip_hand_to_worker(locked)
    return locked


def clip_hand_to_worker(clip: Clip) -> None:
    clip.status = Clip.Status.PROCESSING
    clip.processing_started_at = timezone.now()
    clip.save(update_fields=["status", "processing_started_at"])
    process_clip.enqueue(clip_id=clip.pk)
