"""Reads of someone else's notes that pages other than the drop-in and meeting pages show: a
step's history with its reasons, read by the coach, and why a session did not happen, read by a
coaching lead or school admin. Each is audited, and the teacher sees it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import make_step
from tests.records.history import LONDON, make_history

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
MY_VIEWS = reverse("audit:my-views")
STEP_READ = "coaching.actionstep.viewed"
SESSION_READ = "programme.sessionoccurrence.viewed"
MISSED_NOTE = "Alice was covering a Year 9 class after the fire drill"


@pytest.fixture(autouse=True)
def monday_23_november():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def paused_step(pairing):
    """bob paused alice's step "for mock exams": a reason in the step's history."""
    return make_history(pairing).step


def _session(pairing, *, note: str) -> SessionOccurrence:
    return SessionOccurrence.objects.create(
        school=pairing.school,
        relationship=pairing,
        kind="meeting",
        coach=pairing.coach,
        starts_at=NOW - dt.timedelta(days=3),
        status="missed",
        reason="other" if note else "exams",
        reason_note=note,
    )


# A step's reasons ------------------------------------------------------------------------------


def test_the_coach_reading_a_steps_reasons_is_audited(client, bob, alice, oak, paused_step):
    client.force_login(bob)
    page = client.get(paused_step.get_absolute_url())
    assert "Mock exams for two weeks" in page.content.decode()
    event = AuditEvent.objects.get(action=STEP_READ)
    assert (event.actor, event.subject, event.school) == (bob, alice, oak)
    assert (event.target_type, event.target_id) == ("coaching.actionstep", str(paused_step.pk))


def test_the_teacher_reading_her_own_step_is_not_audited(client, alice, paused_step):
    client.force_login(alice)
    assert client.get(paused_step.get_absolute_url()).status_code == 200
    assert not AuditEvent.objects.filter(action=STEP_READ).exists()


def test_a_step_with_no_reasons_shows_the_coach_no_notes(client, bob, pairing):
    step = make_step(pairing)
    client.force_login(bob)
    assert client.get(step.get_absolute_url()).status_code == 200
    assert not AuditEvent.objects.filter(action=STEP_READ).exists()


def test_the_teacher_sees_her_coach_read_the_step(client, bob, alice, paused_step):
    client.force_login(bob)
    client.get(paused_step.get_absolute_url())
    client.force_login(alice)
    page = client.get(MY_VIEWS)
    (entry,) = page.context["entries"]
    assert entry.event.actor == bob
    assert entry.url == paused_step.get_absolute_url()
    assert "Viewed an action step" in page.content.decode()


# Why a session did not happen --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_a_leader_reading_a_missed_session_note_is_audited(
    client, request, alice, oak, pairing, who
):
    session = _session(pairing, note=MISSED_NOTE)
    reader = request.getfixturevalue(who)
    client.force_login(reader)
    page = client.get(session.get_absolute_url())
    assert MISSED_NOTE in page.content.decode()
    event = AuditEvent.objects.get(action=SESSION_READ)
    assert (event.actor, event.subject, event.school) == (reader, alice, oak)
    assert event.target_id == str(session.pk)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_pair_reading_their_own_session_is_not_audited(client, request, pairing, who):
    session = _session(pairing, note=MISSED_NOTE)
    client.force_login(request.getfixturevalue(who))
    assert client.get(session.get_absolute_url()).status_code == 200
    assert not AuditEvent.objects.filter(action=SESSION_READ).exists()


def test_a_session_without_a_note_is_not_a_read_of_notes(client, admin, pairing):
    session = _session(pairing, note="")
    client.force_login(admin)
    assert client.get(session.get_absolute_url()).status_code == 200
    assert not AuditEvent.objects.filter(action=SESSION_READ).exists()


def test_the_teacher_sees_who_read_why_her_session_was_missed(client, admin, alice, pairing):
    session = _session(pairing, note=MISSED_NOTE)
    client.force_login(admin)
    client.get(session.get_absolute_url())
    client.force_login(alice)
    page = client.get(MY_VIEWS)
    (entry,) = page.context["entries"]
    assert entry.event.actor == admin
    assert entry.url == session.get_absolute_url()
    assert "Viewed why a coaching session did not happen" in page.content.decode()
