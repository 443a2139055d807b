"""The school's whole data set (records/school_data.py): only the data protection lead makes it,
and everyone whose coaching records are in it gets an audit event they can see."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.records import school_data
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory
from tests.records.history import (
    LONDON,
    NOTES,
    make_goal,
    make_history,
    make_review,
    make_thanks,
    make_walk_visit,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
SCHOOL_EXPORT = reverse("records:school-export")
MY_VIEWS = reverse("audit:my-views")
EXPORTED = "records.school.exported"
MISSED_NOTE = "Covering Year 9 after a fire drill"


@pytest.fixture(autouse=True)
def monday_23_november():
    with time_machine.travel(NOW, tick=False):
        yield


def _member(oak, first: str):
    user = UserFactory(first_name=first)
    MembershipFactory(user=user, school=oak)
    return user


@pytest.fixture
def everyone(oak, oak_year, alice, bob, carol, lead, head, pairing):
    """Each kind of coaching record, each about someone no other record is about:
    alice has steps, drop-ins, meetings and a goal; carol a learning-walk visit; bob (a coach)
    a review of his coaching (and the development step it gave him); Tess thanked her coach
    Theo; Sid's session with Sam was missed, with a note. head led the walk and lead wrote the
    review: nothing is about them."""
    make_history(pairing)
    make_goal(pairing)
    make_walk_visit(school=oak, leader=head, teacher=carol)
    make_review(school=oak, lead=lead, coach=bob, reviewer=lead)
    tess, theo = _member(oak, "Tess"), _member(oak, "Theo")
    make_thanks(RelationshipFactory(school=oak, academic_year=oak_year, coach=theo, coachee=tess))
    sid, sam = _member(oak, "Sid"), _member(oak, "Sam")
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=sam, coachee=sid)
    SessionOccurrence.objects.create(
        school=oak,
        relationship=pair,
        kind="meeting",
        coach=sam,
        starts_at=NOW - dt.timedelta(days=3),
        status="missed",
        reason="other",
        reason_note=MISSED_NOTE,
    )
    return {"alice": alice, "carol": carol, "bob": bob, "tess": tess, "theo": theo}, {
        "sid": sid,
        "sam": sam,
    }


def test_everyone_whose_records_are_in_the_export_is_covered(oak, everyone, head, lead):
    people, session_people = everyone
    covered = set(school_data.covered_people(oak))
    assert covered == {u.pk for u in [*people.values(), *session_people.values()]}
    assert head.pk not in covered  # led the walk: the visit is about carol
    assert lead.pk not in covered  # wrote the review: it is about bob


def test_a_session_without_a_note_covers_nobody(oak, oak_year):
    coach, coachee = _member(oak, "Coach"), _member(oak, "Coachee")
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach, coachee=coachee)
    SessionOccurrence.objects.create(
        school=oak, relationship=pair, kind="drop_in", coach=coach, starts_at=NOW, reason="exams"
    )
    assert school_data.covered_people(oak) == []


def test_the_export_records_an_event_for_every_person_it_covers(client, dpo, oak, everyone):
    people, session_people = everyone
    client.force_login(dpo)
    response = client.post(SCHOOL_EXPORT, {"reason": "dpo", "confirm": "on"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    events = AuditEvent.objects.filter(action=EXPORTED, subject__isnull=False)
    expected = {u.pk for u in [*people.values(), *session_people.values()]}
    assert sorted(events.values_list("subject_id", flat=True)) == sorted(expected)
    assert {(e.actor_id, e.school_id) for e in events} == {(dpo.pk, oak.pk)}
    assert all(e.data == {"reason": "dpo"} for e in events)
    school_event = AuditEvent.objects.get(action=EXPORTED, subject=None)
    assert school_event.data["people"] == len(expected)


@pytest.mark.parametrize("who", ["alice", "carol", "bob", "tess", "theo", "sid"])
def test_each_person_sees_the_export_in_their_access_history(client, dpo, everyone, who):
    people, session_people = everyone
    client.force_login(dpo)
    b"".join(client.post(SCHOOL_EXPORT, {"reason": "moving", "confirm": "on"}).streaming_content)
    client.force_login({**people, **session_people}[who])
    page = client.get(MY_VIEWS)
    (entry,) = page.context["entries"]
    assert entry.event.actor == dpo
    assert b"Exported the school&#x27;s coaching records" in page.content
    assert b"Dora Example" in page.content


def test_the_page_says_how_many_people_will_see_it(client, dpo, everyone):
    client.force_login(dpo)
    page = client.get(SCHOOL_EXPORT).content.decode()
    assert "(7 people)" in page


def test_a_school_admin_gets_no_notes(client, admin, everyone):
    client.force_login(admin)
    assert client.get(SCHOOL_EXPORT).status_code == 403
    assert client.post(SCHOOL_EXPORT, {"reason": "moving", "confirm": "on"}).status_code == 403
    assert not AuditEvent.objects.filter(action=EXPORTED).exists()


def _export_queries(oak, dpo) -> int:
    with CaptureQueriesContext(connection) as queries:
        school_data.school_export(school=oak, by=dpo, reason="dpo").close()
    return len(queries)


def test_auditing_the_export_takes_the_same_queries_for_any_number_of_people(
    oak, oak_year, bob, dpo
):
    """One query finds the people, one bulk insert records them; the rest reads the tables."""

    def coach_teachers(n: int) -> None:
        for _ in range(n):
            teacher = _member(oak, "Teacher")
            pair = RelationshipFactory(
                school=oak, academic_year=oak_year, coach=bob, coachee=teacher
            )
            make_history(pair)

    coach_teachers(1)
    one = _export_queries(oak, dpo)
    coach_teachers(11)
    assert _export_queries(oak, dpo) == one
    # one person audited by the first export, twelve by the second
    assert AuditEvent.objects.filter(action=EXPORTED, subject__isnull=False).count() == 1 + 12


def test_notes_are_in_the_file_the_people_are_told_about(client, dpo, everyone):
    """The events are not a formality: the file holds the words they are about."""
    client.force_login(dpo)
    response = client.post(SCHOOL_EXPORT, {"reason": "dpo", "confirm": "on"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert NOTES in archive.read("coaching.observation.json").decode()
    assert MISSED_NOTE in archive.read("scheduling.sessionoccurrence.json").decode()
