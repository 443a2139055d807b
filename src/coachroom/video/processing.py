"""ffprobe and ffmpeg: what an upload is, and a web-friendly copy of it.

The container is judged by ffprobe, never by the file's name: a file is a clip when ffprobe
finds a video stream in it and a duration. The copy is H.264 video and AAC audio in an MP4 with
the index at the front (`+faststart`), so a phone starts playing before it has it all, scaled
down to 720 lines at most, which is plenty to see a teacher's move and keeps files small.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from coachroom.core.errors import DomainError


class NotAVideo(DomainError):
    """ffprobe found no video in the file, or the file breaks the school's limits."""


@dataclass(frozen=True)
class Probe:
    duration: float
    container: str
    has_audio: bool


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (Debian: apt-get install ffmpeg).")
    return found


def probe(path: Path, *, timeout: float = 120) -> Probe:
    """What is in the file at `path`; NotAVideo when it is not a video ffprobe can read."""
    result = subprocess.run(  # noqa: S603 - fixed arguments, path from our own temp dir
        [
            _tool("ffprobe"),
            *("-v", "error", "-print_format", "json", "-show_format", "-show_streams"),
            str(path),
        ],
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise NotAVideo("This file is not a video Coachroom can read.")
    info = json.loads(result.stdout or b"{}")
    streams = info.get("streams", [])
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    fmt = info.get("format", {})
    duration = _seconds(fmt.get("duration")) or max(
        (_seconds(s.get("duration")) for s in video), default=0.0
    )
    # A still image has a video stream too, but no duration worth the name.
    if not video or duration <= 0.5 or fmt.get("format_name", "").endswith("_pipe"):
        raise NotAVideo("This file is not a video: choose a clip from your camera or phone.")
    return Probe(
        duration=duration,
        container=str(fmt.get("format_name", "")),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def _seconds(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def transcode(source: Path, target: Path, *, timeout: float) -> None:
    """Write a web-friendly MP4 of `source` to `target`."""
    _run(
        [
            *("-i", str(source)),
            *("-map", "0:v:0", "-map", "0:a:0?"),
            # Even dimensions (H.264 needs them), never taller than 720 lines, never upscaled.
            *("-vf", "scale=-2:'min(720,ih)'", "-pix_fmt", "yuv420p"),
            *("-c:v", "libx264", "-preset", "veryfast", "-crf", "26"),
            *("-c:a", "aac", "-b:a", "96k", "-ac", "2"),
            *("-movflags", "+faststart", "-f", "mp4", str(target)),
        ],
        timeout=timeout,
    )


def poster(source: Path, target: Path, *, at: float, timeout: float = 120) -> None:
    """One frame from `at` seconds in, as a JPEG, for the player before it starts."""
    _run(
        [
            *("-ss", f"{at:.2f}", "-i", str(source)),
            *("-frames:v", "1", "-vf", "scale=-2:'min(480,ih)'", "-q:v", "4"),
            *("-f", "image2", str(target)),
        ],
        timeout=timeout,
    )


def _run(arguments: list[str], *, timeout: float) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments, paths from our own temp dir
        [_tool("ffmpeg"), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *arguments],
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        last = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown"]
        raise RuntimeError(f"ffmpeg failed: {last[0][:200]}")
