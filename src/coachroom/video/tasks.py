"""The worker's video jobs: make a clip watchable, report stuck ones, delete expired ones.

`process_clip` is enqueued when an upload finishes. `video_jobs` (registered in apps.py) makes
`coachroom worker` look for stuck processing every ten minutes and delete clips past their
school's keep-by date once a night, reporting what it deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coachroom import audit
from coachroom.core.jobs import DueJob
from coachroom.video import processing
from coachroom.video.models import Clip, VideoSettings
from coachroom.video.storage import clip_storage

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(hours=2)  # a 30-minute clip takes minutes; hours means it died
RETENTION_FROM = dt.time(19, 30)  # nightly, after the school day (records runs at 19:00)


@task()
def process_clip(clip_id: int) -> str:
    """Join the upload, check it with ffprobe, make the MP4 and the poster; the clip ends
    ready or failed with a reason the teacher can read, never stuck."""
    clip = Clip.objects.filter(pk=clip_id, status=Clip.Status.PROCESSING).first()
    if clip is None:
        return "gone"  # deleted, or already done by an earlier run
    try:
        with tempfile.TemporaryDirectory(prefix="clip-") as folder:
            _make_watchable(clip, Path(folder))
    except processing.NotAVideo as refused:
        return clip_mark_failed(clip, str(refused))
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        logger.warning("clip processing failed", extra={"clip": clip.pk, "error": str(error)})
        return clip_mark_failed(
            clip, "The video could not be converted. Try exporting it again from your phone."
        )
    logger.info("clip ready", extra={"clip": clip.pk, "seconds": clip.duration_seconds})
    return clip.status


def _make_watchable(clip: Clip, folder: Path) -> None:
    source = folder / "upload"
    _join_parts(clip, source)
    found = processing.probe(source)
    limit = VideoSettings.for_school(clip.school)
    if found.duration > limit.max_seconds:
        raise processing.NotAVideo(
            f"This clip is {found.duration / 60:.0f} minutes long; your school's limit is "
            f"{limit.max_minutes} minutes. Trim it on your phone and upload it again."
        )
    mp4, poster = folder / "clip.mp4", folder / "poster.jpg"
    processing.transcode(source, mp4, timeout=max(600.0, found.duration * 4))
    processing.poster(mp4, poster, at=min(1.0, found.duration / 2))
    with source.open("rb") as a, mp4.open("rb") as b, poster.open("rb") as c:
        clip.original.save("original", File(a), save=False)
        clip.mp4.save("clip.mp4", File(b), save=False)
        clip.poster.save("poster.jpg", File(c), save=False)
    clip.duration_seconds = found.duration
    clip.status = Clip.Status.READY
    clip.ready_at = timezone.now()
    clip.save(update_fields=["original", "mp4", "poster", "duration_seconds", "status", "ready_at"])
    _delete_parts(clip)


def _join_parts(clip: Clip, target: Path) -> None:
    storage = clip_storage()
    with target.open("wb") as out:
        for _offset, name in sorted(clip.parts):
            with storage.open(name, "rb") as part:
                shutil.copyfileobj(part, out, 1024 * 1024)


def _delete_parts(clip: Clip) -> None:
    storage = clip_storage()
    for _offset, name in clip.parts:
        storage.delete(name)
    clip.parts = []
    clip.save(update_fields=["parts"])


def clip_mark_failed(clip: Clip, reason: str) -> str:
    clip.status = Clip.Status.FAILED
    clip.failure_reason = reason[:300]
    clip.save(update_fields=["status", "failure_reason"])
    _delete_parts(clip)
    return clip.status


def clips_fail_stale(now: dt.datetime) -> int:
    """Processing that has run past STALE_AFTER is reported as failed: the worker died or was
    restarted mid-way, and the teacher must not watch a spinner for ever."""
    stale = list(
        Clip.objects.filter(
            status=Clip.Status.PROCESSING, processing_started_at__lt=now - STALE_AFTER
        )
    )
    for clip in stale:
        clip_mark_failed(clip, "Processing took too long and was stopped. Upload the clip again.")
    return len(stale)


@task()
def fail_stale_clips(at: str = "") -> int:
    return clips_fail_stale(timezone.now())


def clip_delete_files(clip: Clip) -> None:
    """Every file of a clip, the upload's pieces included."""
    for field in (clip.original, clip.mp4, clip.poster):
        if field:
            field.delete(save=False)
    storage = clip_storage()
    for _offset, name in clip.parts:
        storage.delete(name)


def clips_expire(now: dt.datetime) -> dict[str, int]:
    """Delete clips past their keep-by date that their teacher did not keep; each deletion is
    audited for the teacher, and the counts returned and logged."""
    deleted: dict[str, int] = {}
    for clip in Clip.objects.expired(now).select_related("school"):
        with transaction.atomic():
            clip_delete_files(clip)
            audit.record(
                actor=None,
                action="video.clip.expired",
                school=None,  # the teacher's alone: kept out of every school log and export
                subject=clip.owner,
                data={"clip": clip.pk, "uploaded": clip.created_at.date().isoformat()},
            )
            clip.delete()
        deleted[clip.school.name] = deleted.get(clip.school.name, 0) + 1
    logger.info(
        "clip retention finished",
        extra={"clips_deleted": sum(deleted.values()), "by_school": deleted},
    )
    return deleted


@task()
def expire_clips(day: str = "") -> dict[str, int]:
    return clips_expire(timezone.now())


def video_jobs(now: dt.datetime) -> list[DueJob]:
    """Stuck processing every ten minutes; expired clips once a night."""
    local = timezone.localtime(now)
    ten = local.replace(minute=local.minute - local.minute % 10, second=0, microsecond=0)
    due: list[DueJob] = [(f"job:video-stale:{ten:%Y-%m-%dT%H:%M}", fail_stale_clips, {})]
    if local.time() >= RETENTION_FROM:
        today = local.date()
        due.append((f"job:video-retention:{today}", expire_clips, {"day": today.isoformat()}))
    return due
