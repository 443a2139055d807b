"""The coaching-privacy rule as one table over the real querysets: model × viewer × situation
× the school's lead setting → visible or not. `can_read` answers for one record through the
same filter, so the table checks both."""

from __future__ import annotations

import datetime as dt

import pytest

from coachroom.accounts.models import Membership, School
from coachroom.accounts.viewer import Viewer
from coachroom.coaching import policy
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.models import ActionStep, FeedbackMeeting, Observation, StepTransition
from coachroom.coaching.policy import can_read
from coachroom.coaching.selfreview.models import SelfReview
from coachroom.core.errors import DomainError
from coachroom.leading import walks
from coachroom.leading.models import CoachingReview, Thanks
from coachroom.records.school_data import school_export
from coachroom.records.subject_access import subject_access_export
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step


@pytest.fixture
def line_manager(oak):
    """A senior leader who line-manages alice: the role grants nothing."""
    user = UserFactory(first_name="Manager")
    MembershipFactory(user=user, school=oak, is_senior_leader=True, is_school_admin=True)
    return user


@pytest.fixture
def trust_admin(oak):
    user = UserFactory(first_name="Trust")
    oak.trust.admins.add(user)
    return user


def _observation(pair, for_review):
    return Observation.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        observer=pair.coach,
        status="submitted",
    )


def _meeting(pair, for_review):
    return FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        praise="Calm, quick start",
        decision="new",
        submitted_for_review=for_review,
    )


def _goal(pair, for_review):
    return Goal.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        statement="Pupils explain their reasoning aloud",
    )


def _step(pair, for_review):
    return make_step(pair)


def _reading(pair, for_review):
    goal = _goal(pair, for_review)
    return GoalReading.objects.create(
        school=pair.school, goal=goal, taken_on=dt.date(2026, 10, 5), value=4, note="Mocks"
    )


def _transition(pair, for_review):
    step = make_step(pair)
    return StepTransition.objects.create(
        school=pair.school,
        step=step,
        from_state="agreed",
        to_state="paused",
        event="paused",
        reason="Off sick for two weeks",
        by=pair.coachee,
    )


def _thanks(pair, for_review):
    return Thanks.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        message="The cold call script changed my Year 9 lessons",
    )


def _self_review(pair, for_review, *, shared=False):
    return SelfReview.objects.create(
        school=pair.school,
        teacher=pair.coachee,
        relationship=pair,
        step=make_step(pair),
        decision="continue",
        noticed="The back row waited for me",
        shared_with_coach=shared,
    )


def _shared_self_review(pair, for_review):
    return _self_review(pair, for_review, shared=True)


RECORDS = {
    "observation": _observation,
    "meeting": _meeting,
    "goal": _goal,
    "reading": _reading,
    "step": _step,
    "transition": _transition,
    "thanks": _thanks,
    "self_review": _self_review,
    "shared_self_review": _shared_self_review,
}
MODELS = {
    "observation": Observation,
    "meeting": FeedbackMeeting,
    "goal": Goal,
    "reading": GoalReading,
    "step": ActionStep,
    "transition": StepTransition,
    "thanks": Thanks,
    "self_review": SelfReview,
    "shared_self_review": SelfReview,
}
EVERYTHING = set(RECORDS)
# A teacher's self-reviews: theirs, and their coach's only while shared; never a lead's.
SELF_REVIEWS = {"self_review", "shared_self_review"}
# The records about one teacher that take `visible_to(viewer, about=teacher)`.
ABOUT_A_TEACHER = {"observation", "meeting", "step", "transition"}

# viewer, the school's lead setting, meeting submitted for review → visible, per model.
# Steps are titles and states, not notes: coaching leads see them to run the programme.
# Thanks are read by the coach thanked and the teacher who sent them, nobody else.
TABLE = [
    ("alice", "review", False, EVERYTHING),  # the teacher
    ("bob", "review", False, EVERYTHING - {"self_review"}),  # her coach: what she shares
    ("carol", "review", False, set()),  # another coach in the same school
    ("lead", "review", False, {"step", "transition"}),  # coaching lead, not submitted for review
    ("lead", "review", True, {"meeting", "step", "transition"}),  # submitted for review
    ("lead", "all", False, EVERYTHING - {"thanks"} - SELF_REVIEWS),  # school allows all
    ("line_manager", "all", True, set()),  # leaders never read notes
    ("trust_admin", "all", True, set()),
    ("outsider", "all", True, set()),  # another school, even as its coaching lead
]


def _request_viewer(person):
    """The `Viewer` a request builds for the person (accounts/viewer.py)."""
    memberships = tuple(
        Membership.objects.active().filter(user=person).select_related("school").order_by("pk")
    )
    return Viewer(
        user=person, membership=memberships[0] if memberships else None, memberships=memberships
    )


@pytest.mark.parametrize("as_viewer", [False, True], ids=["user", "viewer"])
@pytest.mark.parametrize("model", sorted(RECORDS))
@pytest.mark.parametrize(("viewer", "lead_access", "for_review", "visible"), TABLE)
def test_who_may_read(
    request, oak, pairing, model, viewer, lead_access, for_review, visible, as_viewer
):
    """The same table for a `User` (the rule as subqueries) and for a request's `Viewer` (the
    rule from the ids it holds)."""
    oak.lead_note_access = lead_access
    oak.save()
    request.getfixturevalue("lead")
    person = request.getfixturevalue(viewer)
    record = RECORDS[model](pairing, for_review)
    expected = model in visible
    who = _request_viewer(person) if as_viewer else person
    listed = MODELS[model].objects.visible_to(who).filter(pk=record.pk).exists()
    assert (listed, can_read(person, record)) == (expected, expected)


@pytest.mark.parametrize("shared", [False, True])
def test_a_viewer_sees_earlier_history_only_when_shared(
    oak, oak_year, pairing, alice, carol, shared
):
    """The shared-history exception, built from the viewer's own pairs."""
    RelationshipFactory(
        school=oak, academic_year=oak_year, coach=carol, coachee=alice, history_shared=shared
    )
    earlier = _observation(pairing, False)
    listed = Observation.objects.visible_to(_request_viewer(carol)).filter(pk=earlier.pk)
    assert listed.exists() is shared


def test_a_viewer_reviewing_a_coach_reads_meetings_shared_for_review(oak, lead, pairing, carol):
    meeting = _meeting(pairing, True)
    private = _meeting(pairing, False)
    assert not FeedbackMeeting.objects.visible_to(_request_viewer(carol)).exists()
    walks.review_assign(school=oak, by=lead, coach=pairing.coach, reviewer=carol)
    visible = FeedbackMeeting.objects.visible_to(_request_viewer(carol))
    assert list(visible) == [meeting]
    assert private not in visible


def test_a_viewer_whose_coach_role_ended_reads_nothing_of_the_pair(oak, pairing, bob):
    record = _observation(pairing, False)
    Membership.objects.filter(user=bob, school=oak).update(is_coach=False)
    assert not Observation.objects.visible_to(_request_viewer(bob)).filter(pk=record.pk).exists()


@pytest.mark.parametrize("as_viewer", [False, True], ids=["user", "viewer"])
@pytest.mark.parametrize("model", sorted(ABOUT_A_TEACHER))
@pytest.mark.parametrize(("viewer", "lead_access", "for_review", "visible"), TABLE)
def test_who_may_read_about_one_teacher(
    request, oak, pairing, model, viewer, lead_access, for_review, visible, as_viewer
):
    """`visible_to(viewer, about=teacher)` (the timeline's reads) is the same rule for one
    teacher's records, and nobody else's, for a `User` and a request's `Viewer` alike."""
    oak.lead_note_access = lead_access
    oak.save()
    request.getfixturevalue("lead")
    person = request.getfixturevalue(viewer)
    record = RECORDS[model](pairing, for_review)
    who = _request_viewer(person) if as_viewer else person
    rows = MODELS[model].objects.filter(pk=record.pk)
    about_her = rows.visible_to(who, about=pairing.coachee).exists()
    about_another = rows.visible_to(who, about=UserFactory()).exists()
    assert (about_her, about_another) == (model in visible, False)


def _reads_a_drop_in(person, *, relationship, **_ignored):
    """A drop-in in the pair, read through the real queryset."""
    return can_read(person, _observation(relationship, False))


def test_reviewer_reads_the_meeting_inside_the_review_and_on_its_own_page(
    client, oak, lead, pairing, carol
):
    """One rule, one answer: carol (a coach, not a lead) reviewing bob reads his meeting
    submitted for review in the review and on the meeting's page."""
    meeting = _meeting(pairing, True)
    private = _meeting(pairing, False)
    review = walks.review_assign(school=oak, by=lead, coach=pairing.coach, reviewer=carol)
    assert list(walks.meetings_for_review(review)) == [meeting]
    assert can_read(carol, meeting)
    assert not can_read(carol, private)
    client.force_login(carol)
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(private.get_absolute_url()).status_code == 404


def test_review_sharing_needs_a_review(oak, pairing, carol):
    assert not can_read(carol, _meeting(pairing, True))


def test_reviews_are_read_by_the_reviewer_and_then_the_coach(oak, lead, pairing, bob, carol):
    review = walks.review_assign(school=oak, by=lead, coach=bob, reviewer=carol)
    assert can_read(carol, review)
    assert not can_read(bob, review)  # not written yet
    written = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    CoachingReview.objects.filter(pk=review.pk).update(completed_at=written)
    assert can_read(bob, review)
    assert not can_read(lead, review)  # the lead who arranged it reads counts, not the review


def test_former_coach_loses_access_when_the_pair_ends(oak, pairing, alice, bob):
    pairing.ended_on = dt.date(2000, 1, 1)
    pairing.save()
    assert not _reads_a_drop_in(bob, teacher=alice, school=oak, relationship=pairing)


def test_new_coach_sees_earlier_history_only_when_shared(oak, oak_year, pairing, alice, carol):
    earlier = pairing  # records from bob's coaching
    new_pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=alice)
    assert not _reads_a_drop_in(carol, teacher=alice, school=oak, relationship=earlier)
    new_pair.history_shared = True
    new_pair.save()
    assert _reads_a_drop_in(carol, teacher=alice, school=oak, relationship=earlier)


def test_deactivated_coach_cannot_read(oak, pairing, alice, bob):
    Membership.objects.filter(user=bob, school=oak).update(is_active=False)
    assert not _reads_a_drop_in(bob, teacher=alice, school=oak, relationship=pairing)


def test_lead_of_another_school_cannot_read_even_with_all_access(
    elm, outsider, oak, alice, pairing
):
    elm.lead_note_access = School.LeadNoteAccess.ALL
    elm.save()
    assert not _reads_a_drop_in(outsider, teacher=alice, school=oak, relationship=pairing)


def test_access_follows_the_coach_role_not_the_pair(oak, oak_year, pairing, alice, bob, carol):
    """A pair left open by an import or a direct change still gives nothing once the person no
    longer holds the Coach role in the school."""
    shared_pair = RelationshipFactory(
        school=oak, academic_year=oak_year, coach=carol, coachee=alice, history_shared=True
    )
    record = Observation.objects.create(
        school=oak, relationship=pairing, teacher=alice, observer=bob, status="submitted"
    )
    assert _reads_a_drop_in(carol, teacher=alice, school=oak, relationship=pairing)
    assert Observation.objects.visible_to(bob).filter(pk=record.pk).exists()
    Membership.objects.filter(school=oak, user__in=[bob, carol]).update(is_coach=False)
    assert not _reads_a_drop_in(bob, teacher=alice, school=oak, relationship=pairing)
    assert not _reads_a_drop_in(carol, teacher=alice, school=oak, relationship=shared_pair)
    assert not Observation.objects.visible_to(bob).filter(pk=record.pk).exists()
    assert not Observation.objects.visible_to(carol).filter(pk=record.pk).exists()


def test_a_former_coaching_lead_loses_the_leads_reads(oak, pairing, alice, lead):
    oak.lead_note_access = School.LeadNoteAccess.ALL
    oak.save()
    assert _reads_a_drop_in(lead, teacher=alice, school=oak, relationship=pairing)
    Membership.objects.filter(school=oak, user=lead).update(is_coaching_lead=False)
    assert not _reads_a_drop_in(
        lead, teacher=alice, school=oak, relationship=pairing, submitted_for_review=True
    )


def test_only_the_data_protection_lead_takes_notes_out(oak, elm, alice, lead, admin, dpo):
    """Subject access and the school's export: the named exception, checked in the services
    themselves as well as by the pages' role."""
    assert policy.may_export_for_school(dpo, oak)
    assert not policy.may_export_for_school(dpo, elm)
    for person in (alice, lead, admin):
        assert not policy.may_export_for_school(person, oak)
        with pytest.raises(DomainError, match="data protection lead"):
            subject_access_export(person=alice, by=person, school=oak)
        with pytest.raises(DomainError, match="data protection lead"):
            school_export(school=oak, by=person, reason="asked")
    subject_access_export(person=alice, by=dpo, school=oak).close()
    subject_access_export(person=alice, by=alice, school=None).close()


@pytest.mark.parametrize("model", sorted(MODELS))
def test_counts_for_leaders_never_load_what_was_written(oak, elm, pairing, model):
    """`activity_in` gives a school's rows with every free-text field deferred."""
    record = RECORDS[model](pairing, False)
    row = MODELS[model].objects.activity_in(oak).get(pk=record.pk)
    written = set(policy.free_text_fields(MODELS[model]))
    assert written and written <= row.get_deferred_fields()
    assert not MODELS[model].objects.activity_in(elm).filter(pk=record.pk).exists()
    assert MODELS[model].objects.activity_in([oak.pk]).filter(pk=record.pk).exists()


@pytest.mark.parametrize("shared", [False, True])
def test_a_later_coach_with_shared_history_reads_only_shared_self_reviews(
    oak, oak_year, pairing, alice, carol, shared
):
    """History sharing opens a later coach's view of what the teacher shares, not more."""
    RelationshipFactory(
        school=oak, academic_year=oak_year, coach=carol, coachee=alice, history_shared=True
    )
    earlier = _self_review(pairing, False, shared=shared)
    for who in (carol, _request_viewer(carol)):
        assert SelfReview.objects.visible_to(who).filter(pk=earlier.pk).exists() is shared
