"""Learning walks: planning, visits, who reads them, and what the school learns from them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import School
from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import StepState
from coachroom.core.errors import DomainError
from coachroom.leading import walks
from coachroom.leading.findings import OWN_STEPS, walk_findings
from coachroom.leading.models import LearningWalk, WalkStepSighting, WalkVisit
from coachroom.library.models import Strand
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step
from tests.library.factories import LibraryStepFactory

NOTE = "The recap was on the board and everyone was writing."
SEEN_TEXT = "Every pupil started the recap within a minute."


@pytest.fixture
def walk(oak, head):
    return walks.walk_plan(
        school=oak, by=head, walked_on=timezone.localdate(), focus="Calm, quick starts"
    )


def _visit(walk, teacher, *, focus_seen="seen", sightings=None, note=NOTE):
    return walks.walk_record_visit(
        walk=walk,
        by=walk.led_by,
        teacher=teacher,
        focus_seen=focus_seen,
        what_seen=SEEN_TEXT,
        note=note,
        sightings=sightings or {},
    )


@pytest.fixture
def visit(walk, alice, pairing):
    step = make_step(pairing, state=StepState.PRACTISING, title="Stop, scan, say")
    return _visit(walk, alice, sightings={step.pk: "seen"})


# Planning and recording ------------------------------------------------------------------------


def test_leader_plans_a_walk_with_a_strand_or_a_described_focus(oak, head, lead, admin):
    strand = Strand.objects.order_by("order").first()
    by_strand = walks.walk_plan(school=oak, by=lead, walked_on=dt.date(2026, 11, 2), strand=strand)
    by_text = walks.walk_plan(school=oak, by=admin, walked_on=dt.date(2026, 11, 3), focus="Pace")
    assert by_strand.focus_label == strand.name
    assert by_text.focus_label == "Pace"
    with pytest.raises(DomainError, match="Choose a strand"):
        walks.walk_plan(school=oak, by=head, walked_on=dt.date(2026, 11, 4), focus="  ")
    assert AuditEvent.objects.filter(action="coaching.walk.planned").count() == 2


def test_teachers_and_coaches_do_not_lead_walks(oak, alice, bob):
    for person in (alice, bob):
        with pytest.raises(DomainError, match="senior leaders"):
            walks.walk_plan(school=oak, by=person, walked_on=dt.date(2026, 11, 2), focus="Pace")


def test_a_walk_never_moves_a_step(walk, alice, pairing):
    practising = make_step(pairing, state=StepState.PRACTISING, streak=1)
    secured = make_step(
        pairing, state=StepState.SECURED, title="Ready-to-learn entry", secured_at=timezone.now()
    )
    visit = _visit(walk, alice, sightings={practising.pk: "seen", secured.pk: "not_seen"})
    practising.refresh_from_db()
    secured.refresh_from_db()
    assert (practising.state, practising.streak) == (StepState.PRACTISING, 1)
    assert secured.state == StepState.SECURED and secured.stuck_at is None
    assert not practising.transitions.exists() and not secured.transitions.exists()
    states = dict(visit.sightings.values_list("step_id", "step_state"))
    assert states == {practising.pk: StepState.PRACTISING, secured.pk: StepState.SECURED}


def test_a_visit_only_looks_for_current_or_secured_steps(walk, alice, pairing):
    withdrawn = make_step(pairing, state=StepState.WITHDRAWN)
    with pytest.raises(DomainError, match="not one this visit"):
        _visit(walk, alice, sightings={withdrawn.pk: "seen"})


def test_a_teacher_is_visited_once_per_walk(walk, alice, visit):
    with pytest.raises(DomainError, match="already has a visit"):
        _visit(walk, alice)


def test_only_the_walker_records_visits(walk, alice, lead, client):
    with pytest.raises(DomainError, match="Only the person leading"):
        walks.walk_record_visit(walk=walk, by=lead, teacher=alice, focus_seen="seen")
    client.force_login(lead)
    assert client.get(reverse("leading:walk-visit-new", args=[walk.pk])).status_code == 403


def test_visit_is_filed_under_the_teachers_pair_and_audited(visit, pairing, head):
    assert visit.relationship == pairing
    event = AuditEvent.objects.get(action="coaching.walk_visit.recorded")
    assert event.actor == head and event.subject == visit.teacher
    assert NOTE not in str(event.data)


def test_visit_form_carries_step_titles_and_states_only(client, walk, alice, pairing, head):
    make_step(pairing, state=StepState.PRACTISING, title="Stop, scan, say")
    make_step(pairing, state=StepState.WITHDRAWN, title="An old idea")
    client.force_login(head)
    url = reverse("leading:walk-visit-new", args=[walk.pk])
    response = client.get(url, {"teacher": alice.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Stop, scan, say" in content and "Practising" in content
    assert "An old idea" in content  # the earlier history, by title and state
    assert "Scans the room" not in content  # success criteria stay in the coaching record


def test_walker_records_a_visit_through_the_form(client, walk, alice, pairing, head):
    step = make_step(pairing, state=StepState.PRACTISING)
    client.force_login(head)
    url = reverse("leading:walk-visit-new", args=[walk.pk])
    data = {"teacher": alice.pk, "focus_seen": "seen", "what_seen": SEEN_TEXT, "note": NOTE}
    missing = client.post(url, data)
    assert missing.status_code == 200
    assert b"Say seen, not seen or no opportunity" in missing.content
    response = client.post(url, {**data, f"step_{step.pk}": "no_opportunity"})
    assert response.status_code == 302
    visit = WalkVisit.objects.get(walk=walk, teacher=alice)
    assert visit.note == NOTE
    assert visit.sightings.get().result == "no_opportunity"


def test_walker_cannot_pick_a_teacher_from_another_school(client, walk, outsider, head):
    client.force_login(head)
    response = client.get(
        reverse("leading:walk-visit-new", args=[walk.pk]), {"teacher": outsider.pk}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


# Who reads a visit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "lead_access", "status"),
    [
        ("alice", "review", 200),  # the teacher reads everything about her
        ("bob", "review", 200),  # her coach
        ("head", "review", 200),  # who led the walk
        ("carol", "review", 404),  # another coach
        ("lead", "review", 404),  # coaching lead: not without the school's setting
        ("lead", "all", 200),
        ("admin", "all", 404),  # leadership roles grant nothing
        ("outsider", "all", 404),
    ],
)
def test_who_may_read_a_visit(request, client, oak, visit, viewer, lead_access, status):
    oak.lead_note_access = lead_access
    oak.save()
    person = request.getfixturevalue(viewer)
    client.force_login(person)
    response = client.get(reverse("leading:walk-visit-detail", args=[visit.pk]))
    assert response.status_code == status
    if status == 200:
        assert NOTE in response.content.decode()


def test_a_new_coach_sees_only_visits_made_since_the_pair_began(
    client, oak, oak_year, walk, alice, carol, visit
):
    RelationshipFactory(
        school=oak,
        academic_year=oak_year,
        coach=carol,
        coachee=alice,
        started_on=timezone.localdate() + dt.timedelta(days=1),
    )
    client.force_login(carol)
    response = client.get(reverse("leading:walk-visit-detail", args=[visit.pk]))
    assert response.status_code == 404


def test_reads_by_anyone_but_the_teacher_are_audited(client, visit, alice, bob):
    url = reverse("leading:walk-visit-detail", args=[visit.pk])
    client.force_login(alice)
    client.get(url)
    assert not AuditEvent.objects.filter(action="coaching.walkvisit.viewed").exists()
    client.force_login(bob)
    client.get(url)
    event = AuditEvent.objects.get(action="coaching.walkvisit.viewed")
    assert (event.actor, event.subject) == (bob, alice)


def test_teacher_sees_a_notice_of_new_visits_about_her(client, visit, alice):
    client.force_login(alice)
    url = reverse("leading:my-walk-visits")
    first = client.get(url).content.decode()
    assert "New" in first and NOTE in first and "Stop, scan, say" in first
    visit.refresh_from_db()
    assert visit.teacher_read_at is not None
    assert "New</span>" not in client.get(url).content.decode()


def test_coach_lists_visits_to_coachees_and_others_do_not(client, visit, bob, carol):
    url = reverse("leading:my-walk-visits")
    client.force_login(bob)
    assert visit.get_absolute_url() in client.get(url).content.decode()
    client.force_login(carol)
    assert visit.get_absolute_url() not in client.get(url).content.decode()


def test_walk_page_counts_visits_it_does_not_list(client, visit, lead):
    client.force_login(lead)
    response = client.get(visit.walk.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "counted above but not listed" in content
    assert visit.teacher.full_name not in content


@pytest.mark.parametrize("viewer", ["alice", "bob", "outsider"])
def test_walk_page_is_for_the_schools_leaders(request, client, walk, viewer):
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(walk.get_absolute_url()).status_code == 404


# Findings --------------------------------------------------------------------------------------


def test_senior_leader_sees_findings_counts_but_not_notes(client, oak, lead, visit, head):
    other = walks.walk_plan(school=oak, by=lead, walked_on=timezone.localdate(), focus="Pace")
    assert other.led_by != head
    client.force_login(head)
    response = client.get(reverse("leading:walk-findings"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Calm, quick starts" in content
    assert NOTE not in content and SEEN_TEXT not in content
    assert visit.teacher.full_name not in content


def _teacher(oak, n):
    user = UserFactory(first_name=f"Teacher{n}")
    MembershipFactory(user=user, school=oak)
    return user


def test_findings_count_by_focus_strand_and_did_it_stick(oak, oak_year, head, bob):
    strands = list(Strand.objects.order_by("order")[:2])
    library = [LibraryStepFactory(school=oak, strand=s) for s in strands]
    walk = walks.walk_plan(school=oak, by=head, walked_on=timezone.localdate(), strand=strands[0])
    plan = [  # (library entry or None, state, walk result, focus seen)
        (library[0], StepState.SECURED, "seen", "seen"),
        (library[0], StepState.SECURED, "not_seen", "seen"),
        (library[0], StepState.PRACTISING, "seen", "not_seen"),
        (library[1], StepState.SECURED, "seen", "no_opportunity"),
        (None, StepState.SECURED, "no_opportunity", "seen"),
    ]
    for n, (entry, state, result, focus) in enumerate(plan):
        teacher = _teacher(oak, n)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=teacher)
        step = make_step(pair, state=state, library_step=entry)
        _visit(walk, teacher, focus_seen=focus, sightings={step.pk: result})

    findings = walk_findings(oak)

    assert (findings.walks, findings.visits) == (1, 5)
    [focus] = findings.by_focus
    assert (focus.label, focus.seen, focus.not_seen, focus.no_opportunity) == (
        strands[0].name,
        3,
        1,
        1,
    )
    by_strand = {t.label: (t.seen, t.not_seen, t.no_opportunity) for t in findings.by_strand}
    assert by_strand == {
        strands[0].name: (2, 1, 0),
        strands[1].name: (1, 0, 0),
        OWN_STEPS: (0, 0, 1),
    }
    stuck = {t.label: (t.seen, t.not_seen) for t in findings.stuck_by_strand}
    assert stuck == {strands[0].name: (1, 1), strands[1].name: (1, 0), OWN_STEPS: (0, 0)}
    assert (findings.stuck.seen, findings.stuck.not_seen) == (2, 1)
    assert findings.stuck.seen_percent == 67  # 2 of the 3 chances to see a secured step


@pytest.mark.parametrize("teachers", [1, 12])
def test_findings_queries_do_not_grow(
    client, oak, oak_year, head, bob, teachers, django_assert_max_num_queries
):
    walk = walks.walk_plan(school=oak, by=head, walked_on=timezone.localdate(), focus="Pace")
    for n in range(teachers):
        teacher = _teacher(oak, n)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=teacher)
        step = make_step(pair, state=StepState.SECURED, library_step=LibraryStepFactory(school=oak))
        _visit(walk, teacher, sightings={step.pk: "seen"})
    client.force_login(head)
    # session, user, memberships (3); totals, by focus, by strand (3); the session save in
    # its savepoint (3)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("leading:walk-findings"))
    assert response.status_code == 200
    assert WalkStepSighting.objects.count() == teachers


def test_walks_list_shows_the_schools_walks_only(client, oak, elm, head, outsider, walk):
    walks.walk_plan(school=elm, by=outsider, walked_on=timezone.localdate(), focus="Elm focus")
    client.force_login(head)
    content = client.get(reverse("leading:walks")).content.decode()
    assert "Calm, quick starts" in content and "Elm focus" not in content
    assert LearningWalk.objects.count() == 2


def test_lead_note_access_setting_is_the_only_way_a_lead_reads_visits(oak, visit, lead):
    assert not WalkVisit.objects.visible_to(lead).exists()
    oak.lead_note_access = School.LeadNoteAccess.ALL
    oak.save()
    assert list(WalkVisit.objects.visible_to(lead)) == [visit]


def test_visits_about_one_teacher_follow_the_same_rule(visit, alice, bob, head, carol):
    """`visible_to(viewer, about=teacher)`: the teacher, her coach and the walker read it;
    another coach does not; nobody reads it as about someone else."""
    about_her = {
        p: WalkVisit.objects.visible_to(p, about=alice).exists() for p in (alice, bob, head, carol)
    }
    assert about_her == {alice: True, bob: True, head: True, carol: False}
    assert not WalkVisit.objects.visible_to(head, about=bob).exists()
