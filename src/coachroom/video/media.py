"""Serving a clip's files with HTTP Range support, so the player can seek.

Django's FileResponse always sends the whole file. Browsers ask for `bytes=start-end` pieces of
a video as it plays and when someone seeks; Safari on an iPhone will not play a video at all
from a server that does not answer them. One range per request is all players ask for; a
request for several ranges gets the whole file (RFC 9110 §14.2 lets a server ignore Range).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
BLOCK = 64 * 1024


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The (first, last) byte of a single-range header; None to send the whole file; False
    when the range cannot be satisfied (416)."""
    found = _RANGE.match(header.strip().replace(" ", ""))
    if found is None:
        return None  # absent, several ranges or another unit: the whole file
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


def _stream(field: FieldFile, start: int, length: int) -> Iterator[bytes]:
    bucket = getattr(field.storage, "bucket", None)
    if bucket is not None and length > 0:
        # django-storages' S3 files download the whole object before the first read: ask the
        # bucket for just the range instead (S3's GetObject takes the same Range header).
        key = field.storage._normalize_name(str(field.name))  # type: ignore[attr-defined]
        body = bucket.Object(key).get(Range=f"bytes={start}-{start + length - 1}")["Body"]
        yield from iter(lambda: body.read(BLOCK), b"")
        return
    with field.storage.open(str(field.name), "rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            block = handle.read(min(BLOCK, left))
            if not block:
                return
            left -= len(block)
            yield block


def ranged_file_response(
    request: HttpRequest, field: FieldFile, *, content_type: str, etag: str
) -> HttpResponseBase:
    """The file, or the one range asked for (206), or 416 for a range past its end."""
    size = field.size
    wanted = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != etag:
        wanted = ""  # the file changed since the player's first piece: start again
    chosen = parse_range(wanted, size) if wanted else None
    if chosen is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = chosen if isinstance(chosen, tuple) else (0, size - 1)
    length = end - start + 1 if size else 0
    streamed = StreamingHttpResponse(
        _stream(field, start, length),
        status=206 if isinstance(chosen, tuple) else 200,
        content_type=content_type,
    )
    streamed["Content-Length"] = str(length)
    streamed["Accept-Ranges"] = "bytes"
    streamed["ETag"] = etag
    if isinstance(chosen, tuple):
        streamed["Content-Range"] = f"bytes {start}-{end}/{size}"
    return streamed
