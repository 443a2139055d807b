from __future__ import annotations

from pathlib import Path

import pytest

from coachroom.video.models import Clip
from tests.video.clips import make_video, upload_clip


@pytest.fixture(autouse=True)
def _clip_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "clips": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "clips")},
        },
    }


@pytest.fixture(scope="session")
def lesson_video(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("media"))


@pytest.fixture
def clip(alice, pairing, lesson_video) -> Clip:
    return upload_clip(alice, lesson_video)
