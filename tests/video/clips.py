"""Short test clips made with ffmpeg's own test pattern and tone: no downloaded media."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from coachroom.accounts.models import User
from coachroom.video import upload
from coachroom.video.forms import new_key
from coachroom.video.models import Clip


def make_video(folder: Path, *, seconds: int = 2, name: str = "lesson.mov") -> Path:
    path = folder / name
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            *(shutil.which("ffmpeg") or "ffmpeg", "-nostdin", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=320x240:rate=10"),
            *("-f", "lavfi", "-i", f"sine=duration={seconds}"),
            *("-shortest", str(path)),
        ],
        check=True,
    )
    return path


def upload_clip(
    owner: User, path: Path, *, by: User | None = None, title: str = "Year 8 science"
) -> Clip:
    """A clip uploaded in one piece and processed by the (immediate) worker."""
    data = path.read_bytes()
    clip = upload.clip_start(
        school=owner.memberships.get().school,
        owner=owner,
        by=by or owner,
        title=title,
        size=len(data),
        key=new_key(),
    )
    upload.clip_receive_whole(clip=clip, upload=SimpleUploadedFile(path.name, data))
    clip.refresh_from_db()
    return clip
