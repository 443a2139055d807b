"""The portable record's zip: written the same, byte for byte, for the same data, and read back
from an upload with every size bounded before anything is unpacked.

The zip holds `induction.pdf` (for people), `induction.json` (the same, for Coachroom or any
other system) and `README.txt` (what the two are).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from coachroom.induction.portable.checks import checked_record
from coachroom.induction.portable.pdf import day
from coachroom.induction.portable.record import FORMAT, VERSION

JSON_NAME, PDF_NAME, README_NAME = "induction.json", "induction.pdf", "README.txt"
# A zip's entries carry a time; a fixed one keeps the bytes the same for the same record.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)

# An ECT's record is tens of kilobytes; these leave room for a long induction and refuse
# anything else before it is unpacked.
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
MAX_MEMBERS = 10
MAX_JSON_BYTES = 1024 * 1024
MAX_PDF_BYTES = 3 * 1024 * 1024

NOT_A_ZIP = (
    "This is not a zip file. Upload the .zip the ECT's earlier school gave you, as it came, "
    "without unzipping it."
)


def readme(data: dict[str, Any]) -> str:
    return f"""Induction record of {data["ect"]["name"]} ({data["ect"]["email"]})
from {data["school"]["name"]} (URN {data["school"]["urn"]}), as it stood on {day(data["as_of"])}.

{PDF_NAME}  the record to read and print: the induction's dates, absences (dates only),
               the progress reviews and assessments the induction tutor has signed, the action
               steps worked on with the mentor, and counts of mentor meetings and time off.
{JSON_NAME} the same record for computers: format "{FORMAT}", version {VERSION},
               dates written YYYY-MM-DD.

At the ECT's new school, the induction tutor or a senior leader attaches this zip, as it is,
to the ECT's induction in Coachroom (Attach an earlier induction record): it is kept there,
read-only, for the ECT, induction tutors and senior leaders.

Never in this record: mentor notes, drop-in or meeting notes, support plans.
"""


def write_archive(data: dict[str, Any], pdf: bytes) -> bytes:
    buffer = io.BytesIO()
    members = [
        (README_NAME, readme(data).encode("utf-8")),
        (JSON_NAME, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")),
        (PDF_NAME, pdf),
    ]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # an ordinary file, readable by all
            archive.writestr(info, content)
    return buffer.getvalue()


def archive_name(data: dict[str, Any]) -> str:
    return f"induction-record-{slugify(data['ect']['name']) or 'ect'}-{data['as_of']}.zip"


@dataclass(frozen=True)
class Reading:
    """An uploaded zip, read: the record and its PDF, or the problems that stop it."""

    problems: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    pdf: bytes = b""
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def read_archive(content: bytes) -> Reading:
    """Every problem with the upload at once; nothing is kept from a zip with any."""
    if len(content) > MAX_UPLOAD_BYTES:
        return Reading(
            (
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: an "
                "induction record is far smaller. Check it is the right file.",
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return Reading((NOT_A_ZIP,))
    problems: list[str] = []
    with archive:
        found = _members(archive, problems)
        raw_json = _read(archive, found.get(JSON_NAME), JSON_NAME, MAX_JSON_BYTES, problems)
        pdf = _read(archive, found.get(PDF_NAME), PDF_NAME, MAX_PDF_BYTES, problems)
    if pdf is not None and not pdf.startswith(b"%PDF-"):
        problems.append(f"{PDF_NAME} is not a PDF.")
    data: dict[str, Any] = {}
    if raw_json is not None:
        data, found_problems = _parse(raw_json)
        problems += found_problems
    if problems:
        return Reading(tuple(problems))
    return Reading((), data, pdf or b"", hashlib.sha256(content).hexdigest())


def _members(archive: zipfile.ZipFile, problems: list[str]) -> dict[str, zipfile.ZipInfo]:
    """The record's two files by name, wherever they sit in the zip (it may have been unzipped
    and zipped again, with a folder); other files are never opened."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        problems.append(f"The zip holds {len(infos)} files; an induction record holds three.")
        return {}
    found: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        parts = info.filename.replace("\\", "/").split("/")
        name = parts[-1]
        if info.is_dir() or "__MACOSX" in parts or name not in (JSON_NAME, PDF_NAME):
            continue
        if name in found:
            problems.append(f"The zip holds {name} twice: it is not one induction record.")
        found[name] = info
    for name in (JSON_NAME, PDF_NAME):
        if name not in found:
            problems.append(f"The zip has no {name}: it is not a Coachroom induction record.")
    return found


def _read(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo | None,
    name: str,
    most: int,
    problems: list[str],
) -> bytes | None:
    """The member's bytes, never more than it declares and never more than `most`."""
    if info is None:
        return None
    if info.file_size > most:
        problems.append(f"{name} is larger than {most // 1024:,} KB: too large to be a record.")
        return None
    try:
        with archive.open(info) as handle:
            content = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        problems.append(f"{name} could not be unpacked: the zip is damaged.")
        return None
    if len(content) > info.file_size:
        problems.append(f"{name} is larger than the zip says: the zip is damaged.")
        return None
    return content


def _parse(raw: bytes) -> tuple[dict[str, Any], list[str]]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return {}, [f"{JSON_NAME} is not UTF-8 text."]
    except RecursionError:  # thousands of brackets inside each other
        return {}, [f"{JSON_NAME} is nested too deeply to be a record."]
    except json.JSONDecodeError as error:
        return {}, [
            f"{JSON_NAME} is not valid JSON (line {error.lineno}, column {error.colno}): "
            f"{error.msg}."
        ]
    return checked_record(value)
