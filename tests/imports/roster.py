"""OneRoster 1.1 CSV exports built in code: a trust with Oak (URN 111111) and Elm (222222).

Pupils, a guardian and pupil enrolments are always in the files, as in a real MIS export, so
every test also shows that they are dropped. `PUPIL_MARKERS` are values that appear only in
pupil rows: none of them may ever reach the database.
"""

from __future__ import annotations

import csv
import io
import zipfile
from copy import deepcopy
from pathlib import Path
from typing import Any

HEADERS = {
    "manifest.csv": ["propertyName", "value"],
    "orgs.csv": [
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ],
    "users.csv": [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
    ],
    "academicSessions.csv": [
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ],
    "courses.csv": [
        "sourcedId",
        "status",
        "dateLastModified",
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ],
    "classes.csv": [
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ],
    "enrollments.csv": [
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ],
}

PUPIL_MARKERS = ["Zed", "Yusuf", "pupil.zed@pupils.example", "Guardian", "p-zed", "p-yusuf"]


def user(sid: str, first: str, last: str, role: str, orgs: str, email: str, **extra: str):
    return {
        "sourcedId": sid,
        "enabledUser": "true",
        "orgSourcedIds": orgs,
        "role": role,
        "username": email.split("@")[0],
        "givenName": first,
        "familyName": last,
        "email": email,
        **extra,
    }


def enrol(sid: str, klass: str, person: str, role: str) -> dict[str, str]:
    return {"sourcedId": sid, "classSourcedId": klass, "userSourcedId": person, "role": role}


BASE: dict[str, list[dict[str, str]]] = {
    "manifest.csv": [
        {"propertyName": "manifest.version", "value": "1.0"},
        {"propertyName": "oneroster.version", "value": "1.1"},
        {"propertyName": "file.users", "value": "bulk"},
        {"propertyName": "file.demographics", "value": "absent"},
    ],
    "orgs.csv": [
        {"sourcedId": "trust-1", "name": "Riverside Trust", "type": "district"},
        {
            "sourcedId": "oak-1",
            "name": "Oak School",
            "type": "school",
            "identifier": "111111",
            "parentSourcedId": "trust-1",
        },
        {
            "sourcedId": "elm-1",
            "name": "Elm School",
            "type": "school",
            "identifier": "222222",
            "parentSourcedId": "trust-1",
        },
    ],
    "users.csv": [
        user("t-ann", "Ann", "Archer", "teacher", "oak-1", "ann.archer@oak.example"),
        user("p-zed", "Zed", "Pupil", "student", "oak-1", "pupil.zed@pupils.example"),
        user("t-ben", "Ben", "Baker", "administrator", "oak-1", "ben.baker@oak.example"),
        user("p-yusuf", "Yusuf", "Pupil", "student", "oak-1", "", grades="07"),
        user("t-cat", "Cat", "Cole", "teacher", "oak-1,elm-1", "cat.cole@trust.example"),
        user("g-1", "Guardian", "Person", "guardian", "oak-1", "guardian@home.example"),
        user("t-dan", "Dan", "Dale", "teacher", "elm-1", "dan.dale@elm.example"),
        user("a-1", "Amy", "Aide", "aide", "oak-1", "amy.aide@oak.example"),
    ],
    "academicSessions.csv": [
        {
            "sourcedId": "sy-2027",
            "title": "2026-27",
            "type": "schoolYear",
            "startDate": "2026-09-01",
            "endDate": "2027-07-31",
            "schoolYear": "2027",
        },
        {
            "sourcedId": "t-aut",
            "title": "Autumn",
            "type": "term",
            "startDate": "2026-09-02",
            "endDate": "2026-12-18",
            "parentSourcedId": "sy-2027",
            "schoolYear": "2027",
        },
        {
            "sourcedId": "t-spr",
            "title": "Spring",
            "type": "term",
            "startDate": "2027-01-05",
            "endDate": "2027-03-26",
            "parentSourcedId": "sy-2027",
            "schoolYear": "2027",
        },
        {
            "sourcedId": "t-sum",
            "title": "Summer",
            "type": "term",
            "startDate": "2027-04-12",
            "endDate": "2027-07-21",
            "parentSourcedId": "sy-2027",
            "schoolYear": "2027",
        },
    ],
    "courses.csv": [
        {
            "sourcedId": "c-ma",
            "title": "GCSE Maths",
            "grades": "10,11",
            "orgSourcedId": "oak-1",
            "subjects": "Maths",
        },
        {"sourcedId": "c-en", "title": "English", "orgSourcedId": "oak-1", "subjects": "English"},
    ],
    "classes.csv": [
        {
            "sourcedId": "k-10ma",
            "title": "10X/Ma1",
            "courseSourcedId": "c-ma",
            "schoolSourcedId": "oak-1",
            "termSourcedIds": "t-aut,t-spr,t-sum",
        },
        {
            "sourcedId": "k-7en",
            "title": "7A/En",
            "courseSourcedId": "c-en",
            "schoolSourcedId": "oak-1",
            "termSourcedIds": "t-aut",
        },
        {
            "sourcedId": "k-9sc",
            "title": "Year 9 Science",
            "schoolSourcedId": "elm-1",
            "termSourcedIds": "t-aut",
            "subjects": "Science,Physics",
        },
    ],
    "enrollments.csv": [
        enrol("e-1", "k-10ma", "t-ann", "teacher"),
        enrol("e-2", "k-10ma", "p-zed", "student"),
        enrol("e-3", "k-7en", "t-cat", "teacher"),
        enrol("e-4", "k-7en", "p-yusuf", "student"),
        enrol("e-5", "k-9sc", "t-cat", "teacher"),
        enrol("e-6", "k-9sc", "t-dan", "teacher"),
    ],
}


class Roster:
    """A mutable copy of BASE. Line numbers: the header is line 1, row i is line i + 2."""

    def __init__(self) -> None:
        self.files = deepcopy(BASE)

    def rows(self, name: str) -> list[dict[str, str]]:
        return self.files[name]

    def find(self, name: str, sid: str) -> dict[str, str]:
        return next(r for r in self.files[name] if r.get("sourcedId") == sid)

    def line_of(self, name: str, sid: str) -> int:
        return 2 + self.files[name].index(self.find(name, sid))

    def set(self, file: str, sid: str, **values: str) -> Roster:
        self.find(file, sid).update(values)
        return self

    def drop(self, file: str, sid: str) -> Roster:
        self.files[file].remove(self.find(file, sid))
        return self

    def add(self, file: str, **values: str) -> Roster:
        self.files[file].append(values)
        return self

    def csv_text(self, name: str, header: list[str] | None = None) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header or HEADERS[name], lineterminator="\r\n")
        writer.writeheader()
        for row in self.files[name]:
            writer.writerow({k: v for k, v in row.items() if k in writer.fieldnames})
        return out.getvalue()

    def bundle(self) -> dict[str, bytes]:
        return {name: self.csv_text(name).encode() for name in self.files}

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.bundle().items():
            (folder / name).write_bytes(content)
        return folder

    def zip_bytes(self, prefix: str = "") -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in self.bundle().items():
                archive.writestr(prefix + name, content)
            archive.writestr(prefix + "demographics.csv", "sourcedId,birthDate\np-zed,2014-01-01\n")
        return out.getvalue()

    def write_zip(self, path: Path) -> Path:
        path.write_bytes(self.zip_bytes())
        return path


def everything_stored() -> str:
    """Every text value in the tables an import writes to, for "no pupil data" checks."""
    from coachroom.accounts.models import Membership, School, Trust, User
    from coachroom.audit.models import AuditEvent
    from coachroom.imports.models import ImportRun, ImportUpload, SourceRecord

    parts: list[Any] = []
    for model in (User, Membership, School, Trust, SourceRecord, AuditEvent, ImportRun):
        parts.extend(str(row) for row in model.objects.values())
    for upload in ImportUpload.objects.all():
        parts.append(bytes(upload.content).hex())  # zipped; checked through `stored_upload_text`
    return "\n".join(parts)


def stored_upload_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(n).decode() for n in archive.namelist())
