"""Coaching-on-coaching: arranging a review, writing it, the coach's own step, and privacy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, School
from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import ActionStep, FeedbackMeeting, RehearsalRound, StepState
from coachroom.coaching.services import StepDraft
from coachroom.core.errors import DomainError
from coachroom.leading import walks
from coachroom.leading.models import CoachingReview
from tests.factories import RelationshipFactory, make_step

REVIEW_NOTES = "Your praise was precise. Next: let Alice rehearse twice before moving on."
PRAISE = "Calm, quick start: every pupil writing within a minute."
ALL_SEEN = {key: "seen" for key in walks.RUBRIC_LABELS}
STEP = StepDraft(title="Ask before you tell", criteria="Ask the teacher what they noticed first")


def _meeting(pair, *, for_review=False, **fields):
    meeting = FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        praise=PRAISE,
        decision="new",
        submitted_for_review=for_review,
        **fields,
    )
    return meeting


def _complete(review, **overrides):
    kwargs = {
        "review": review,
        "by": review.reviewer,
        "mode": "live",
        "ratings": ALL_SEEN,
        "notes": REVIEW_NOTES,
        "held_on": timezone.localdate(),
        "step": STEP,
    }
    kwargs.update(overrides)
    return walks.review_complete(**kwargs)


@pytest.fixture
def review(oak, oak_year, lead, bob):
    return walks.review_assign(school=oak, by=lead, coach=bob, reviewer=lead)


@pytest.fixture
def done(review):
    return _complete(review)


# Arranging and writing -------------------------------------------------------------------------


def test_lead_arranges_a_review_by_a_coach_they_choose(oak, lead, bob, carol):
    review = walks.review_assign(school=oak, by=lead, coach=bob, reviewer=carol)
    assert (review.reviewer, review.coach, review.is_done) == (carol, bob, False)
    event = AuditEvent.objects.get(action="coaching.review.assigned")
    assert event.subject == bob


def test_only_the_coaching_lead_arranges_reviews(oak, bob, carol, head):
    for person in (carol, head):
        with pytest.raises(DomainError, match="coaching lead"):
            walks.review_assign(school=oak, by=person, coach=bob, reviewer=carol)


def test_nobody_reviews_their_own_coaching(oak, lead, bob):
    with pytest.raises(DomainError, match="own coaching"):
        walks.review_assign(school=oak, by=lead, coach=bob, reviewer=bob)


def test_writing_a_review_gives_the_coach_a_step_in_a_peer_pair(oak_year, review, lead, bob):
    done = _complete(review)
    pair = done.relationship
    assert (pair.coach, pair.coachee, pair.kind) == (lead, bob, CoachingRelationship.Kind.PEER)
    assert pair.academic_year == oak_year
    step = done.development_step
    assert (step.teacher, step.relationship, step.proposed_by) == (bob, pair, lead)
    assert step.state == StepState.PROPOSED  # tracked like any step: bob agrees it
    assert done.ratings.count() == len(walks.MEETING_RUBRIC)
    assert done.is_done
    event = AuditEvent.objects.get(action="coaching.review.completed")
    assert event.subject == bob and REVIEW_NOTES not in str(event.data)


def test_a_second_review_keeps_the_current_step_and_the_pair(oak, lead, bob, done):
    again = walks.review_assign(school=oak, by=lead, coach=bob, reviewer=lead)
    again = _complete(again, step=None)
    assert again.relationship == done.relationship
    assert again.development_step == done.development_step
    assert CoachingRelationship.objects.filter(coach=lead, coachee=bob).count() == 1
    another = walks.review_assign(school=oak, by=lead, coach=bob, reviewer=lead)
    with pytest.raises(DomainError, match="already has an active step"):
        _complete(another)


def test_an_existing_pair_is_used_for_the_step(oak, oak_year, lead, bob, review):
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=lead, coachee=bob)
    assert _complete(review).relationship == pair


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ratings": {"praise": "seen"}}, "Rate every item"),
        ({"ratings": {**ALL_SEEN, "praise": "no_opportunity"}}, "seen, partly or not yet"),
        ({"notes": "  "}, "notes"),
        ({"mode": "record"}, "Choose the meeting"),
        ({"step": None}, "development step"),
    ],
)
def test_a_review_needs_the_whole_rubric_notes_and_a_step(review, overrides, message):
    with pytest.raises(DomainError, match=message):
        _complete(review, **overrides)
    assert not ActionStep.objects.filter(teacher=review.coach).exists()


def test_only_the_reviewer_writes_it(review, carol):
    with pytest.raises(DomainError, match="Only the reviewer"):
        _complete(review, by=carol)


# Which meetings a reviewer may read ------------------------------------------------------------


def test_assigned_coach_reads_only_meetings_submitted_for_review(oak, lead, bob, carol, pairing):
    private = _meeting(pairing)
    shared = _meeting(pairing, for_review=True)
    review = walks.review_assign(school=oak, by=lead, coach=bob, reviewer=carol)
    assert list(walks.meetings_for_review(review)) == [shared]
    with pytest.raises(DomainError, match="isn't one you may review"):
        _complete(review, mode="record", meeting=private)
    oak.lead_note_access = School.LeadNoteAccess.ALL
    oak.save()
    assert list(walks.meetings_for_review(review)) == [shared]  # carol is not the lead
    lead_review = walks.review_assign(school=oak, by=lead, coach=bob, reviewer=lead)
    assert set(walks.meetings_for_review(lead_review)) == {private, shared}


def test_reviewer_reads_a_submitted_meeting_and_the_read_is_audited(
    client, oak, lead, bob, carol, alice, pairing
):
    private = _meeting(pairing)
    shared = _meeting(pairing, for_review=True, plan="Period 3, before the ratio task.")
    RehearsalRound.objects.create(school=oak, meeting=shared, number=1, attempt="Ran the start")
    review = walks.review_assign(school=oak, by=lead, coach=bob, reviewer=carol)
    client.force_login(carol)
    url = reverse("leading:review-record", args=[review.pk])
    hidden = client.get(url, {"meeting": private.pk}).content.decode()
    assert "Period 3" not in hidden and "Ran the start" not in hidden
    shown = client.get(url, {"meeting": shared.pk}).content.decode()
    assert "Period 3, before the ratio task." in shown and "Ran the start" in shown
    event = AuditEvent.objects.get(action="coaching.feedbackmeeting.viewed")
    assert (event.actor, event.subject) == (carol, alice)


def test_reviewer_writes_the_review_through_the_form(client, review, lead, bob, pairing):
    shared = _meeting(pairing, for_review=True)
    client.force_login(lead)
    url = reverse("leading:review-record", args=[review.pk])
    data = {
        "held_on": timezone.localdate().isoformat(),
        "mode": "record",
        "meeting": shared.pk,
        "notes": REVIEW_NOTES,
        "new_title": "Ask before you tell",
        "new_criteria": "Ask what they noticed\nWait for the answer",
    }
    incomplete = client.post(url, data)
    assert incomplete.status_code == 200
    assert b"Choose seen, partly or not yet" in incomplete.content
    data.update({f"rubric_{key}": "partly" for key in walks.RUBRIC_LABELS})
    response = client.post(url, data)
    review.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert review.meeting == shared and review.development_step.title == "Ask before you tell"


# Who reads a review ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("bob", 200),  # the coach reviewed
        ("lead", 200),  # the reviewer
        ("carol", 404),
        ("head", 404),  # senior leaders see counts only
        ("admin", 404),
        ("alice", 404),  # the teacher in bob's meetings
        ("outsider", 404),
    ],
)
def test_who_may_read_a_review(request, client, oak, done, viewer, status):
    oak.lead_note_access = School.LeadNoteAccess.ALL  # changes nothing for reviews
    oak.save()
    client.force_login(request.getfixturevalue(viewer))
    response = client.get(reverse("leading:review-detail", args=[done.pk]))
    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert REVIEW_NOTES in content
        assert "nothing here feeds appraisal" in content


def test_the_coach_does_not_see_a_review_until_it_is_written(client, review, bob):
    client.force_login(bob)
    assert client.get(reverse("leading:review-detail", args=[review.pk])).status_code == 404
    assert client.get(reverse("leading:review-record", args=[review.pk])).status_code == 404


def test_senior_leader_sees_review_counts_only(client, done, head):
    client.force_login(head)
    response = client.get(reverse("leading:reviews"))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["counts"] == {"written": 1, "open": 0, "coaches": 1}
    assert REVIEW_NOTES not in content and done.get_absolute_url() not in content
    assert "Bob Example" not in content
    assert "appraisal" in content


def test_coach_sees_reviews_of_their_coaching_and_reviews_to_write(client, oak, lead, bob, done):
    walks.review_assign(school=oak, by=lead, coach=lead, reviewer=bob)
    client.force_login(bob)
    content = client.get(reverse("leading:reviews")).content.decode()
    assert done.get_absolute_url() in content
    assert "Review Lead Example's coaching" in content


def test_lead_arranges_a_review_for_themselves_and_goes_straight_to_it(client, lead, bob):
    client.force_login(lead)
    response = client.post(reverse("leading:review-new"), {"coach": bob.pk, "reviewer": lead.pk})
    review = CoachingReview.objects.get()
    assert response["Location"] == reverse("leading:review-record", args=[review.pk])


# Submitting a meeting for review ---------------------------------------------------------------


def test_coach_submits_a_meeting_for_review_and_the_teacher_is_told(client, pairing, bob, alice):
    meeting = _meeting(pairing)
    url = reverse("leading:meeting-review-sharing", args=[meeting.pk])
    client.force_login(alice)
    assert client.post(url, {"share": "on"}).status_code == 403
    client.force_login(bob)
    response = client.post(url, {"share": "on"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.submitted_for_review
    event = AuditEvent.objects.get(action="coaching.meeting.submitted_for_review")
    assert event.subject == alice  # on alice's record of who can see her coaching
    client.post(url, {})
    meeting.refresh_from_db()
    assert not meeting.submitted_for_review


def test_development_step_is_the_coachs_own_record(client, done, bob, lead, head):
    step = done.development_step
    client.force_login(bob)
    assert client.get(step.get_absolute_url()).status_code == 200
    client.force_login(head)
    assert client.get(step.get_absolute_url()).status_code == 404


def test_review_date_cannot_be_in_the_future(client, review, lead):
    client.force_login(lead)
    response = client.post(
        reverse("leading:review-record", args=[review.pk]),
        {"held_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
    )
    assert b"can&#x27;t be in the future" in response.content


def test_step_for_the_coach_follows_the_one_active_step_rule(review, lead, bob):
    make_step(
        CoachingRelationship.objects.create(
            school=review.school,
            academic_year=review.school.current_year(),
            coach=lead,
            coachee=bob,
            kind="peer",
        ),
        state=StepState.PRACTISING,
        title="Model it twice",
    )
    done = _complete(review, step=None)
    assert done.development_step.title == "Model it twice"
