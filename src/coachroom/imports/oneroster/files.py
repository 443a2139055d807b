"""Getting the OneRoster files out of a zip or a folder, safely, and redacting them for storage.

A zip is checked from its directory before any member is read: how many members, their
names, the size each declares, the total, and how far each is compressed. Members are then
read with a bounded reader, so a member that lies about its size cannot get past the caps.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from django.conf import settings

from coachroom.imports.common import Problems, decode, megabytes, redact
from coachroom.imports.oneroster.spec import CLASSIFIERS, Bundle, canonical

MAX_MEMBERS = 500  # a OneRoster export has a dozen files
MAX_RATIO = 100  # CSV compresses 5 to 20 times; a zip bomb, thousands of times
RATIO_FLOOR = 1024 * 1024  # a member smaller than this can do no harm however compressed
DAMAGED = "could not be unpacked: the zip is damaged. Export it again from your MIS."


def max_unzipped_bytes() -> int:
    """How much a zip may unpack to, all files together: COACHROOM_IMPORT_MAX_UNZIPPED_BYTES."""
    return int(getattr(settings, "COACHROOM_IMPORT_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024))


def _unsafe(name: str) -> bool:
    path = name.replace("\\", "/")
    return (
        "\x00" in name
        or path.startswith("/")
        or re.match(r"^[A-Za-z]:", path) is not None
        or ".." in path.split("/")
    )


def _check_directory(archive: zipfile.ZipFile, problems: Problems, label: str, ours: bool) -> bool:
    """Check the zip's directory before any member is read; False (with a problem) to refuse."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        problems.add(
            label, None, None, f"The zip holds {len(infos):,} files; an export has a dozen or so."
        )
        return False
    for info in infos:
        if _unsafe(info.filename):
            shown = info.filename.replace("\x00", "")[:80]
            problems.add(label, None, None, f"The zip holds a file with an unsafe name: “{shown}”.")
            return False
        ratio = info.file_size / max(info.compress_size, 1)
        if not ours and info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            problems.add(
                label,
                None,
                None,
                f"{info.filename[:80]} is compressed {ratio:,.0f} to 1, far more than any CSV "
                "file: Coachroom does not unpack it. Export the file again from your MIS.",
            )
            return False
    total = sum(info.file_size for info in infos)
    limit = max_unzipped_bytes()
    if total > limit:
        size = megabytes(total)
        size = f"just over {size}" if size == megabytes(limit) else size
        problems.add(
            label,
            None,
            None,
            f"The zip unpacks to {size}; Coachroom unpacks at most "
            f"{megabytes(limit)}. Leave out files it does not read (such as demographics.csv).",
        )
        return False
    return True


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, problems: Problems
) -> bytes | None:
    """The member's bytes, reading no more than it declared (already checked against the
    caps): one that holds more than its header says is refused, not read to the end."""
    try:
        with archive.open(info) as handle:
            content = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        problems.add(name, None, None, f"{name} {DAMAGED}")
        return None
    if len(content) > info.file_size:
        problems.add(name, None, None, f"{name} is larger than the zip says: {DAMAGED}")
        return None
    return content


def bundle_from_zip(
    data: bytes, problems: Problems, label: str = "The upload", *, ours: bool = False
) -> Bundle:
    """The OneRoster files in a zip, wherever they sit inside it; other files are never opened.

    `ours` is a zip Coachroom made itself (a stored upload, already redacted): its blanked
    pupil rows compress far, so its compression is not held against it; the size caps stand.
    """
    bundle: Bundle = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        problems.add(label, None, None, "This is not a zip file. Upload the zip your MIS made.")
        return bundle
    with archive:
        if not _check_directory(archive, problems, label, ours):
            return bundle
        for info in archive.infolist():
            parts = info.filename.replace("\\", "/").split("/")
            if info.is_dir() or "__MACOSX" in parts or parts[-1].startswith("._"):
                continue
            name = canonical(info.filename)
            if name is None:
                continue  # demographics.csv and the rest: never opened
            if name in bundle:
                problems.add(name, None, None, f"The zip holds more than one {name}.")
                continue
            content = _read_member(archive, info, name, problems)
            if content is not None:
                bundle[name] = content
    return bundle


def bundle_from_folder(folder: Path, problems: Problems) -> Bundle:
    bundle: Bundle = {}
    budget = max_unzipped_bytes()
    for path in sorted(folder.iterdir()):
        name = canonical(path.name)
        if name is None or not path.is_file():
            continue
        if name in bundle:
            problems.add(name, None, None, f"The folder holds more than one {name}.")
            continue
        size = path.stat().st_size
        if size > budget:
            problems.add(
                name,
                None,
                None,
                f"{name} takes the files over {megabytes(max_unzipped_bytes())}, the most "
                "Coachroom reads at once.",
            )
            continue
        budget -= size
        bundle[name] = path.read_bytes()
    return bundle


def bundle_to_zip(bundle: Bundle) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in bundle.items():
            archive.writestr(name, content)
    return out.getvalue()


def redact_bundle(bundle: Bundle) -> tuple[Bundle, int]:
    """The bundle without pupil, parent and guardian rows, for storing; and how many went.

    Rows are blanked rather than removed so that line numbers still match the admin's files.
    """
    kept: Bundle = {}
    dropped = 0
    for name, content in bundle.items():
        classify = CLASSIFIERS.get(name)
        if classify is None:
            kept[name] = content
            continue
        text = decode(name, content, Problems())
        if text is None:  # unreadable: keep nothing of it; the check will say so
            kept[name] = b"\xff"
            continue
        clean, n = redact(text, classify, "role")
        kept[name] = clean.encode("utf-8")
        dropped += n
    return kept, dropped
