"""The single-request upload's check: ffprobe reads the file before anything is kept, so a
wrong type is refused on the form itself. (The chunked upload is checked by the worker, which
reports a refusal on the clip's page.)"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from coachroom.video.processing import probe


def refuse_if_not_video(upload: UploadedFile) -> None:
    """NotAVideo (a DomainError) unless ffprobe finds a video in the upload."""
    path = getattr(upload, "temporary_file_path", None)
    if callable(path):  # a large upload is already on disk
        probe(Path(path()))
        return
    with tempfile.NamedTemporaryFile(prefix="clip-probe-") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        probe(Path(copy.name))
    upload.seek(0)
