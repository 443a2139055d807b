"""The clip's video is served with HTTP Range support, only to those who may watch it."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from coachroom.video.media import parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=1000-", False),
        ("bytes=50-10", False),
        ("bytes=-0", False),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_range_headers(header, expected):
    assert parse_range(header, 1000) == expected


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_range_request_gets_exactly_those_bytes(client, alice, clip):
    whole = clip.mp4.open("rb").read()
    client.force_login(alice)
    url = reverse("video:video", args=[clip.pk])
    response = client.get(url, headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-19/{len(whole)}"
    assert response["Content-Length"] == "10"
    assert _body(response) == whole[10:20]


def test_no_range_gets_the_whole_file_and_says_ranges_are_accepted(client, alice, clip):
    client.force_login(alice)
    response = client.get(reverse("video:video", args=[clip.pk]))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == clip.mp4.open("rb").read()


def test_a_range_past_the_end_is_416(client, alice, clip):
    client.force_login(alice)
    response = client.get(
        reverse("video:video", args=[clip.pk]), headers={"Range": "bytes=99999999-"}
    )
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{clip.mp4.size}"


def test_a_changed_file_ignores_the_range(client, alice, clip):
    client.force_login(alice)
    response = client.get(
        reverse("video:video", args=[clip.pk]), headers={"Range": "bytes=0-9", "If-Range": '"old"'}
    )
    assert response.status_code == 200


def test_the_video_and_poster_are_404_to_a_leader(client, head, admin, clip):
    for person in (head, admin):
        client.force_login(person)
        assert client.get(reverse("video:video", args=[clip.pk])).status_code == 404
        assert client.get(reverse("video:poster", args=[clip.pk])).status_code == 404


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int) -> bytes:
        piece, self.data = self.data[:size], self.data[size:]
        return piece


class _Bucket:
    """What S3Storage.bucket offers: Object(key).get(Range=…) → {"Body": …}."""

    def __init__(self, data: bytes) -> None:
        self.data, self.asked = data, []

    def Object(self, key):
        bucket = self

        class _Object:
            def get(self, Range):
                bucket.asked.append((key, Range))
                first, last = (int(n) for n in Range.removeprefix("bytes=").split("-"))
                return {"Body": _Body(bucket.data[first : last + 1])}

        return _Object()


def test_a_bucket_storage_is_asked_for_just_the_range(rf, clip):
    from coachroom.video.media import ranged_file_response

    whole = clip.mp4.open("rb").read()
    bucket = _Bucket(whole)

    class _BucketStorage(FileSystemStorage):
        def _normalize_name(self, name):
            return name

    storage = _BucketStorage(location=clip.mp4.storage.location)
    storage.bucket = bucket
    clip.mp4.storage = storage
    request = rf.get("/", headers={"Range": "bytes=100-199"})
    response = ranged_file_response(request, clip.mp4, content_type="video/mp4", etag='"e"')
    assert _body(response) == whole[100:200]
    assert bucket.asked == [(clip.mp4.name, "bytes=100-199")]
