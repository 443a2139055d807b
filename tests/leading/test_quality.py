"""Quality signals, recognition and thanks: the sums on hand-made data, privacy and budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepState,
)
from coachroom.coaching.services import StepDraft
from coachroom.leading import quality, walks
from coachroom.leading.models import Thanks
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step
from tests.html import visible_text
from tests.library.factories import LibraryStepFactory

DAY = dt.timedelta(days=1)
MESSAGE = "Thank you for the rehearsal on Tuesday: it made Thursday's lesson."


def _observation(pair, at, *, submitted=True):
    return Observation.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        observer=pair.coach,
        observed_at=at,
        status="submitted" if submitted else "draft",
        submitted_at=at if submitted else None,
    )


def _meeting(pair, at, *, rounds=0, step=None, after=()):
    meeting = FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        held_at=at,
        praise="Precise praise",
        decision="new",
        step=step,
    )
    meeting.observations.set(after)
    RehearsalRound.objects.bulk_create(
        RehearsalRound(school=pair.school, meeting=meeting, number=n, attempt="Tried it")
        for n in range(1, rounds + 1)
    )
    return meeting


def _review(oak, lead, coach, held_on, seen):
    review = walks.review_assign(school=oak, by=lead, coach=coach, reviewer=lead)
    keys = list(walks.RUBRIC_LABELS)
    ratings = {k: "seen" if i < seen else "partly" for i, k in enumerate(keys)}
    first = not ActionStep.objects.filter(teacher=coach).exists()
    return walks.review_complete(
        review=review,
        by=lead,
        mode="live",
        ratings=ratings,
        notes="Notes",
        held_on=held_on,
        step=StepDraft(title="Ask first", criteria="Asks first") if first else None,
    )


@pytest.fixture
def history(oak, pairing, alice, lead, bob):
    """bob's hand-made record with alice; see each test for the sums."""
    now = timezone.now()
    library = LibraryStepFactory(school=oak)
    agreed = {"agreed_at": now - 50 * DAY}
    lib_step = make_step(pairing, state=StepState.SUPERSEDED, library_step=library, **agreed)
    own_step = make_step(pairing, state=StepState.SUPERSEDED, title="Her own idea", **agreed)
    ActionStep.objects.filter(pk=own_step.pk).update(proposed_by=alice)
    lib_step2 = make_step(pairing, state=StepState.PRACTISING, library_step=library, **agreed)
    make_step(pairing, state=StepState.PROPOSED, title="Not agreed yet")  # left out

    obs_a = _observation(pairing, now - 41 * DAY)
    obs_b = _observation(pairing, now - 32 * DAY)  # 8 days after m1: m1 was re-observed
    _observation(pairing, now - 25 * DAY, submitted=False)  # a draft never counts
    _observation(pairing, now - 9 * DAY)  # 20 days after m2: too late
    _observation(pairing, now - 2 * DAY)  # 6 days after m4
    _meeting(pairing, now - 40 * DAY, rounds=0, step=lib_step, after=[obs_a])  # m1: 1 day
    _meeting(pairing, now - 29 * DAY, rounds=1, step=own_step, after=[obs_b])  # m2: 3 days
    _meeting(pairing, now - 1 * DAY, rounds=2, step=lib_step2)  # m3: its 14 days are not over
    _meeting(pairing, now - 8 * DAY, rounds=3)  # m4: no step; re-observed within 14 days

    _review(oak, lead, bob, dt.date(2026, 9, 10), seen=5)
    _review(oak, lead, bob, dt.date(2026, 9, 24), seen=7)
    _review(oak, lead, bob, dt.date(2026, 10, 8), seen=9)
    return bob


def test_quality_sums_on_hand_made_data(oak, history, bob):
    [q] = quality.quality_for(school=oak, coaches=[bob])
    assert q.meetings == 4
    assert (q.rehearsed.part, q.rehearsed.whole) == (3, 4)
    assert (q.rehearsed_twice.part, q.rehearsed_twice.whole) == (2, 4)
    assert (q.library_step.part, q.library_step.whole) == (2, 3)
    assert (q.custom_step.part, q.custom_step.whole) == (1, 3)
    # m1 and m4 re-observed; m2 not (only a draft, then a drop-in 20 days on); m3 not due yet
    assert (q.reobserved.part, q.reobserved.whole) == (2, 3)
    assert q.reobserved.percent == 67
    assert (q.teacher_proposed.part, q.teacher_proposed.whole) == (1, 3)
    assert q.days_to_meeting == pytest.approx(2.0)
    assert [(m.month, m.reviews) for m in q.rubric] == [
        (dt.date(2026, 9, 1), 2),
        (dt.date(2026, 10, 1), 1),
    ]
    assert [m.seen_share for m in q.rubric] == pytest.approx([0.6, 0.9])
    assert q.reviews == 3


def test_a_coach_with_no_record_has_no_figures(oak, carol):
    [q] = quality.quality_for(school=oak, coaches=[carol])
    assert q.meetings == 0 and q.rehearsed.percent is None and q.days_to_meeting is None
    assert q.rubric == []


def test_coach_sees_their_own_signals_and_trend(client, history, bob, carol):
    client.force_login(bob)
    response = client.get(reverse("leading:quality"))
    content = response.content.decode()
    assert response.status_code == 200
    assert [r.coach for r in response.context["rows"]] == [bob]
    assert '75%&nbsp;<span class="muted">(3&nbsp;of&nbsp;4)' in content  # rehearsed
    assert "<svg" in content and "September 2026 60%" in content
    assert carol.full_name not in content


def test_lead_sees_every_coach_by_name_never_ranked(client, oak, history, lead, bob, carol):
    client.force_login(lead)
    response = client.get(reverse("leading:quality"))
    names = [r.coach.full_name for r in response.context["rows"]]
    assert names == sorted(names, key=lambda n: n.split()[::-1])  # by surname, then first name
    assert {"Bob Example", "Carol Example", "Lead Example"} <= set(names)
    lowered = visible_text(response.content.decode()).lower()
    for word in ("top ", "bottom", "rank ", "ranking", "best coach", "worst"):
        assert word not in lowered


@pytest.mark.parametrize("viewer", ["alice", "head", "admin"])
def test_quality_is_for_coaches_and_the_coaching_lead(request, client, viewer):
    client.force_login(request.getfixturevalue(viewer))
    assert client.get(reverse("leading:quality")).status_code == 403


def _coaches_with_records(oak, oak_year, lead, count):
    now = timezone.now()
    for n in range(count):
        coach = UserFactory(first_name=f"Coach{n}")
        MembershipFactory(user=coach, school=oak, is_coach=True)
        teacher = UserFactory(first_name=f"Teacher{n}")
        MembershipFactory(user=teacher, school=oak)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach, coachee=teacher)
        step = make_step(pair, state=StepState.SECURED, secured_at=now, agreed_at=now)
        obs = _observation(pair, now - 3 * DAY)
        _meeting(pair, now - 2 * DAY, rounds=2, step=step, after=[obs])
        _review(oak, lead, coach, dt.date(2026, 10, 1), seen=6)
        Thanks.objects.create(
            school=oak, relationship=pair, teacher=teacher, coach=coach, message=MESSAGE
        )


@pytest.mark.parametrize("coaches", [1, 6])
def test_quality_queries_do_not_grow(
    client, oak, oak_year, lead, coaches, django_assert_max_num_queries
):
    _coaches_with_records(oak, oak_year, lead, coaches)
    client.force_login(lead)
    # session, user, memberships (3); the coaches; meetings, teacher-proposed steps, days to
    # meeting and the rubric, each one grouped query (5); the session save in its savepoint (3)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("leading:quality"))
    assert len(response.context["rows"]) == coaches + 1  # and the lead, who coaches too


# Recognition and thanks ------------------------------------------------------------------------


@pytest.fixture
def recognised(oak, pairing, alice, bob):
    now = timezone.now()
    _meeting(pairing, now - 3 * DAY)
    _meeting(pairing, now - 2 * DAY)
    _observation(pairing, now - 4 * DAY)
    _observation(pairing, now - 3 * DAY)
    _observation(pairing, now - DAY, submitted=False)  # a draft isn't a session held
    make_step(pairing, state=StepState.SECURED, secured_at=now)
    make_step(pairing, state=StepState.SECURED, secured_at=now, stuck_at=now, title="Stuck")
    walks.thanks_send(relationship=pairing, by=alice, message=MESSAGE)
    walks.thanks_send(relationship=pairing, by=alice)
    return bob


def test_recognition_counts_sessions_steps_and_thanks(oak, recognised, bob):
    [r] = quality.recognition_for(school=oak, coaches=[bob])
    assert (r.meetings, r.drop_ins, r.sessions) == (2, 2, 4)
    assert (r.secured, r.stuck, r.thanks) == (2, 1, 2)


def test_only_the_coach_reads_the_thank_you_messages(client, recognised, bob, lead):
    client.force_login(bob)
    assert escape(MESSAGE) in client.get(reverse("leading:recognition")).content.decode()
    client.force_login(lead)
    response = client.get(reverse("leading:recognition"))
    content = response.content.decode()
    assert escape(MESSAGE) not in content and MESSAGE not in content
    bob_row = next(r for r in response.context["rows"] if r.coach == bob)
    assert bob_row.thanks == 2


@pytest.mark.parametrize("coaches", [1, 6])
def test_recognition_queries_do_not_grow(
    client, oak, oak_year, lead, coaches, django_assert_max_num_queries
):
    _coaches_with_records(oak, oak_year, lead, coaches)
    client.force_login(lead)
    # session, user, memberships (3); the coaches; meetings, drop-ins, steps and thanks (4);
    # the lead's own thanks; the session save in its savepoint (3)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("leading:recognition"))
    assert len(response.context["rows"]) == coaches + 1


def test_teacher_thanks_her_coach(client, pairing, alice, bob):
    client.force_login(alice)
    page = client.get(reverse("leading:thanks")).content.decode()
    assert "Bob Example" in page
    response = client.post(
        reverse("leading:thank-coach"), {"relationship": pairing.pk, "message": MESSAGE}
    )
    assert response.status_code == 302
    thanks = Thanks.objects.get()
    assert (thanks.teacher, thanks.coach, thanks.message) == (alice, bob, MESSAGE)
    event = AuditEvent.objects.get(action="coaching.thanks.sent")
    assert event.subject == bob and MESSAGE not in str(event.data)


def test_teacher_can_only_thank_her_own_current_coach(client, oak, oak_year, alice, carol):
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    client.force_login(alice)
    response = client.post(reverse("leading:thank-coach"), {"relationship": other.pk})
    assert response.status_code == 200
    assert not Thanks.objects.exists()


def test_thanks_message_is_at_most_500_characters(client, pairing, alice):
    client.force_login(alice)
    response = client.post(
        reverse("leading:thank-coach"), {"relationship": pairing.pk, "message": "x" * 501}
    )
    assert response.status_code == 200
    assert b"at most 500 characters" in response.content
    assert not Thanks.objects.exists()


def test_someone_without_a_coach_is_told_so(client, carol):
    client.force_login(carol)
    assert b"don't have a current coach" in client.get(reverse("leading:thanks")).content
