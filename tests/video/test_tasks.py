"""The worker's video jobs: processing, stuck processing and retention."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coachroom.audit.models import AuditEvent
from coachroom.video import upload
from coachroom.video.forms import new_key
from coachroom.video.models import Clip, VideoSettings
from coachroom.video.storage import clip_storage
from coachroom.video.tasks import clips_expire, clips_fail_stale, video_jobs
from tests.video.clips import make_video, upload_clip


def _streams(path: str) -> dict[str, str]:
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("ffprobe") or "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            path,
        ],
        capture_output=True,
        check=True,
    )
    return {s["codec_type"]: s["codec_name"] for s in json.loads(out.stdout)["streams"]}


def test_an_upload_becomes_a_web_friendly_mp4_with_a_poster_and_duration(clip):
    assert clip.status == Clip.Status.READY
    assert 1.5 < clip.duration_seconds < 2.5
    assert _streams(clip.mp4.path) == {"video": "h264", "audio": "aac"}
    data = clip.mp4.open("rb").read()
    assert data.index(b"moov") < data.index(b"mdat")  # fast start: the index comes first
    assert clip.poster.open("rb").read(2) == b"\xff\xd8"  # a JPEG
    assert clip.parts == []  # the upload's pieces are gone
    assert clip_storage().exists(clip.original.name)


def test_a_file_that_is_not_a_video_fails_with_a_reason_whatever_its_name(alice, tmp_path):
    data = b"%PDF-1.4 not a video at all" * 100
    clip = upload.clip_start(
        school=alice.memberships.get().school,
        owner=alice,
        by=alice,
        title="Renamed PDF",
        size=len(data),
        key=new_key(),
    )
    upload.clip_receive_whole(clip=clip, upload=SimpleUploadedFile("lesson.mp4", data))
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED
    assert "not a video" in clip.failure_reason
    assert clip.parts == [] and not clip.mp4


def test_a_clip_longer_than_the_school_allows_fails_with_the_limit(alice, oak, tmp_path):
    VideoSettings.objects.create(school=oak, max_minutes=1)
    clip = upload_clip(alice, make_video(tmp_path, seconds=62))
    assert clip.status == Clip.Status.FAILED
    assert "limit is 1 minutes" in clip.failure_reason


def test_processing_that_has_run_too_long_is_reported_as_failed(clip):
    clip.status = Clip.Status.PROCESSING
    clip.processing_started_at = timezone.now() - dt.timedelta(hours=3)
    clip.save()
    assert clips_fail_stale(timezone.now()) == 1
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED
    assert "took too long" in clip.failure_reason


def test_recent_processing_is_left_alone(clip):
    clip.status = Clip.Status.PROCESSING
    clip.processing_started_at = timezone.now() - dt.timedelta(minutes=5)
    clip.save()
    assert clips_fail_stale(timezone.now()) == 0


def test_retention_deletes_clips_past_their_date_unless_kept_and_reports_it(
    alice, lesson_video, oak
):
    old = upload_clip(alice, lesson_video, title="Old")
    kept = upload_clip(alice, lesson_video, title="Kept")
    recent = upload_clip(alice, lesson_video, title="Recent")
    Clip.objects.filter(pk__in=[old.pk, kept.pk]).update(
        delete_after=timezone.now() - dt.timedelta(days=1)
    )
    Clip.objects.filter(pk=kept.pk).update(keep=True)
    mp4 = old.mp4.name

    report = clips_expire(timezone.now())

    assert report == {oak.name: 1}
    assert set(Clip.objects.values_list("title", flat=True)) == {"Kept", "Recent"}
    assert not clip_storage().exists(mp4)
    event = AuditEvent.objects.get(action="video.clip.expired")
    assert event.subject == alice and event.data["clip"] == old.pk
    assert recent.pk in Clip.objects.values_list("pk", flat=True)


def test_a_clip_is_kept_for_the_schools_days(clip):
    assert (clip.delete_after - clip.created_at).days == 90


def test_the_worker_checks_stuck_clips_every_ten_minutes_and_deletes_nightly():
    morning = timezone.make_aware(dt.datetime(2026, 11, 4, 10, 7))
    evening = timezone.make_aware(dt.datetime(2026, 11, 4, 19, 45))
    assert [key for key, _, _ in video_jobs(morning)] == ["job:video-stale:2026-11-04T10:00"]
    assert [key for key, _, _ in video_jobs(evening)] == [
        "job:video-stale:2026-11-04T19:40",
        "job:video-retention:2026-11-04",
    ]
