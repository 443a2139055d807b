"""Where clip files live: the `clips` storage in STORAGES (the data directory by default; any
Django storage backend, such as django-storages' S3, in production; docs/video.md)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class _ClipStorage(LazyObject):
    """`storages["clips"]`, looked up when first used rather than when the models are
    imported, as Django's `default_storage` is, so a changed STORAGES takes effect."""

    def _setup(self) -> None:
        self._wrapped = storages["clips"]


_clips = _ClipStorage()


def clip_storage() -> Storage:
    # The models' FileFields call this once; the lazy object follows STORAGES from then on.
    return _clips  # type: ignore[return-value]


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _clips._wrapped = empty  # type: ignore[assignment]  # LazyObject's own sentinel


setting_changed.connect(_reset)
