"""`audit.audit_read()`: the one helper every page uses to record a read of coaching notes."""

from __future__ import annotations

import pytest

from coachroom import audit
from coachroom.audit.models import AuditEvent
from tests.factories import make_step


@pytest.fixture
def step(pairing):
    return make_step(pairing)


def test_a_read_of_someone_elses_notes_is_recorded_under_the_targets_name(bob, alice, oak, step):
    event = audit.audit_read(reader=bob, about=alice, school=oak, target=step)
    assert event is not None
    assert AuditEvent.objects.get(action="coaching.actionstep.viewed") == event
    assert (event.action, event.actor, event.subject, event.school) == (
        "coaching.actionstep.viewed",
        bob,
        alice,
        oak,
    )
    assert (event.target_type, event.target_id) == ("coaching.actionstep", str(step.pk))


def test_reading_your_own_record_is_not_recorded(alice, oak, step):
    before = AuditEvent.objects.count()
    assert audit.audit_read(reader=alice, about=alice, school=oak, target=step) is None
    assert AuditEvent.objects.count() == before


def test_the_parties_to_a_record_are_not_recorded_but_anyone_else_is(alice, bob, lead, oak, step):
    before = AuditEvent.objects.count()
    kept = {"school": oak, "target": step, "action": "programme.sessionoccurrence.viewed"}
    assert audit.audit_read(reader=bob, about=alice, parties=(bob.pk,), **kept) is None
    event = audit.audit_read(reader=lead, about=alice, parties=(bob.pk,), **kept)
    assert event is not None and event.action == "programme.sessionoccurrence.viewed"
    assert AuditEvent.objects.count() == before + 1


def test_a_read_about_nobody_in_particular_is_always_recorded(bob, oak):
    event = audit.audit_read(reader=bob, about=None, school=oak, action="coaching.timeline.viewed")
    assert event is not None and event.subject is None and event.target_type == ""


def test_a_read_needs_a_name(bob, alice, oak):
    with pytest.raises(ValueError):
        audit.audit_read(reader=bob, about=alice, school=oak)
