"""Shared by the portable-record tests: alice's induction with a history worth taking to a new
school, note text marked so that a test can prove it never travels, and readers for the zip
and the PDF inside it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import zipfile
import zlib
from decimal import Decimal
from typing import Any

from coachroom.coaching.models import FeedbackMeeting, Observation, StepTransition
from coachroom.induction import reviews, setup, support
from coachroom.induction.dates import plan_for
from coachroom.induction.models import FrameworkTag, Induction
from coachroom.induction.portable.services import record_archive
from coachroom.induction.setup import InductionDetails
from tests.factories import MembershipFactory, RelationshipFactory, make_step

#: In every note, plan, reason and criterion of alice's history: it must never be in a record.
MARKER = "QZXPRIVATE7731"
EVIDENCE = "Routines are secure in Year 7."


def make_history(induction: Induction, *, alice, bob, tess, head, carol) -> None:
    """A signed review, a draft one, steps (one tagged), absence, time off, and notes."""
    points = plan_for(induction).points
    signed = reviews.review_start(induction=induction, point=points[0], by=tess)
    reviews.review_write(
        review=signed,
        by=tess,
        outcome="not on track",
        standards_of_concern=[7],
        evidence=EVIDENCE,
        targets="Plan hinge questions.",
    )
    reviews.review_sign_as_tutor(review=signed, by=tess)
    reviews.review_sign_as_ect(review=signed, by=alice, comments="I agree with the targets.")
    reviews.review_sign_as_head(review=signed, by=head)
    draft = reviews.review_start(induction=induction, point=points[1], by=tess)
    reviews.review_write(
        review=draft,
        by=tess,
        outcome="on track",
        standards_of_concern=[],
        evidence=f"Draft {MARKER}",
        targets=MARKER,
    )
    pair = alice.coached_by.get(kind="ecf")
    step = make_step(
        pair,
        state="secured",
        title="Stop, scan, say",
        success_criteria=MARKER,
        agreed_at=dt.datetime(2026, 9, 21, 9, 0, tzinfo=dt.UTC),
        secured_at=dt.datetime(2026, 10, 14, 9, 0, tzinfo=dt.UTC),
    )
    FrameworkTag.objects.create(
        school=step.school, step=step, section=2, statement="2.3", added_at=step.created_at
    )
    StepTransition.objects.create(
        school=step.school, step=step, to_state="secured", event="secured", reason=MARKER
    )
    # Coaching outside the mentoring pair is not part of induction.
    other = RelationshipFactory(
        school=induction.school, academic_year=pair.academic_year, coach=carol, coachee=alice
    )
    make_step(other, state="practising", title="Not a mentoring step")
    Observation.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=alice,
        observer=bob,
        status="submitted",
        notes=MARKER,
        went_well=MARKER,
        suggested_focus=MARKER,
    )
    FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=alice,
        coach=bob,
        praise=MARKER,
        plan=MARKER,
        modelling=MARKER,
        reflection=MARKER,
        decision="new",
    )
    support.support_plan_open(
        induction=induction,
        by=tess,
        concerns=MARKER,
        support=MARKER,
        review_on=dt.date(2027, 1, 15),
    )
    setup.absence_add(
        induction=induction, first_day=dt.date(2026, 10, 5), last_day=dt.date(2026, 10, 9), by=tess
    )
    setup.time_off_record(
        induction=induction, week_of=dt.date(2026, 9, 14), hours=Decimal("2"), by=tess
    )


def induction_at(
    school, ect, *, starts_on: dt.date, by, fte: str = "1", mentor=None, tutor=None
) -> Induction:
    """`ect`, made a member of `school` if not one yet, with an induction set up there."""
    if not ect.memberships.filter(school=school).exists():
        MembershipFactory(user=ect, school=school, is_teacher=True)
    made, _ = setup.induction_set_up(
        school=school,
        ect=ect,
        details=InductionDetails(
            starts_on=starts_on,
            fte=Decimal(fte),
            appropriate_body=f"{school.name} TSH",
            mentor=mentor,
            tutor=tutor,
        ),
        by=by,
    )
    return made


def export_of(induction: Induction) -> bytes:
    return record_archive(induction=induction, reader=induction.ect).content


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def record_json(content: bytes) -> dict[str, Any]:
    return json.loads(members(content)["induction.json"])


_STREAM = re.compile(rb"/Filter \[ ([^\]]*)\] /Length (\d+)[^>]*>>\s*stream\r?\n")


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a reportlab PDF: its streams unpacked (ASCII85, Flate), with the
    escapes of its strings undone. Coachroom's fonts draw ASCII as itself."""
    found = []
    for match in _STREAM.finditer(pdf):
        data = pdf[match.end() : match.end() + int(match.group(2))]
        filters = match.group(1).split()
        if b"/ASCII85Decode" in filters:
            data = base64.a85decode(data.strip(), adobe=True)
        if b"/FlateDecode" in filters:
            data = zlib.decompress(data)
        found.append(data.decode("latin-1"))
    text = "\n".join(found)
    return text.replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")


def make_zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
