"""Retention (records/erasure.py): narrative goes once a pair has ended or a person has left
more than the school's retention period ago; counts, states, ratings and titles stay.

alice's pair with bob ran in autumn 2026 and ended on 30 November 2026. The runs happen on
1 December 2027, just over 12 months later, unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from argparse import Namespace
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from coachroom import cli
from coachroom.accounts.models import Membership, User
from coachroom.accounts.services import relationship_end, staff_deactivate
from coachroom.audit.models import AuditEvent
from coachroom.coaching.goals.models import Goal, GoalReading
from coachroom.coaching.models import (
    ActionStep,
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepEvidence,
    StepTransition,
)
from coachroom.leading import walks
from coachroom.leading.models import (
    CoachingReview,
    ReviewRating,
    Thanks,
    WalkStepSighting,
    WalkVisit,
)
from coachroom.records import erasure, tasks
from coachroom.scheduling.models import CalendarFeed, SessionOccurrence
from tests.factories import RelationshipFactory, make_step
from tests.records.history import (
    GOAL_MEASURE,
    GOAL_METHOD,
    GOAL_STATEMENT,
    LONDON,
    NOTES,
    PRAISE,
    READING_NOTE,
    REFLECTION,
    REVIEW_NOTES,
    STEP_TITLE,
    THANKS_MESSAGE,
    WALK_NOTE,
    WALK_SEEN,
    make_goal,
    make_history,
    make_review,
    make_thanks,
    make_walk_visit,
)

ENDED = dt.date(2026, 11, 30)
RUN = dt.datetime(2027, 12, 1, 2, 0, tzinfo=LONDON)


def _end(pair, on=ENDED):
    with time_machine.travel(dt.datetime.combine(on, dt.time(17), tzinfo=LONDON), tick=False):
        relationship_end(relationship=pair, by=pair.coach, on=on)


def _run(dry_run=False, at=RUN):
    with time_machine.travel(at, tick=False):
        return erasure.retention_apply(dry_run=dry_run)


def _counts():
    models = (
        Observation,
        FeedbackMeeting,
        RehearsalRound,
        StepTransition,
        StepEvidence,
        ActionStep,
        SessionOccurrence,
        WalkVisit,
        WalkStepSighting,
        CoachingReview,
        ReviewRating,
        Thanks,
        Goal,
        GoalReading,
    )
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def ended(pairing):
    history = make_history(pairing)
    _end(pairing)
    return history


@pytest.fixture
def current(oak, oak_year, carol, lead):
    """carol coaches lead, and that pair is still running."""
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=lead)
    return make_history(pair)


@dataclass
class Newer:
    """Records beyond drop-ins and meetings: a walk visit, thanks, a goal and its reading, and
    a review of someone's coaching."""

    visit: WalkVisit
    thanks: Thanks
    goal: Goal
    reading: GoalReading
    review: CoachingReview

    def refresh(self) -> None:
        for row in (self.visit, self.thanks, self.goal, self.reading, self.review):
            row.refresh_from_db()


@pytest.fixture
def newer(oak, head, lead, bob, pairing):
    """head's walk visits alice, she thanks bob and sets a goal with him, and lead reviews
    bob's coaching (in a pair where lead coaches bob). Both pairs end on 30 November 2026."""
    visit = make_walk_visit(school=oak, leader=head, pair=pairing)
    thanks = make_thanks(pairing)
    goal = make_goal(pairing)
    review = make_review(school=oak, lead=lead, coach=bob, reviewer=lead)
    _end(pairing)
    _end(review.relationship)
    return Newer(visit, thanks, goal.goal, goal.reading, review)


@pytest.fixture
def newer_current(oak, oak_year, head, lead, bob, carol):
    """The same records for pairs still running: carol coaches lead (walked, thanks, goal),
    and bob reviews carol's coaching."""
    pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol, coachee=lead)
    visit = make_walk_visit(school=oak, leader=head, pair=pair)
    thanks = make_thanks(pair)
    goal = make_goal(pair)
    review = make_review(school=oak, lead=lead, coach=carol, reviewer=bob)
    return Newer(visit, thanks, goal.goal, goal.reading, review)


NEWER_COUNTS = {
    "walk_visits": 1,
    "coaching_reviews": 1,
    "thanks": 1,
    "goals": 1,
    "goal_readings": 1,
}


def _newer_counts(counts: erasure.Counts) -> dict[str, int]:
    return {name: value for name, value in counts.as_dict().items() if name in NEWER_COUNTS}


def _assert_untouched(records: Newer) -> None:
    records.refresh()
    assert (records.visit.what_seen, records.visit.note) == (WALK_SEEN, WALK_NOTE)
    assert records.thanks.message == THANKS_MESSAGE
    goal = records.goal
    assert (goal.statement, goal.measure, goal.method) == (
        GOAL_STATEMENT,
        GOAL_MEASURE,
        GOAL_METHOD,
    )
    assert records.reading.note == READING_NOTE
    assert records.review.notes == REVIEW_NOTES


def test_months_before_clamps_to_the_end_of_a_short_month():
    assert erasure.months_before(dt.date(2027, 3, 31), 1) == dt.date(2027, 2, 28)
    assert erasure.months_before(dt.date(2027, 1, 15), 13) == dt.date(2025, 12, 15)


def test_dry_run_counts_but_writes_nothing(ended):
    before = _counts()
    report = _run(dry_run=True)
    totals = report.totals
    assert totals.drop_ins == 1
    assert totals.meetings == 1
    assert totals.rehearsal_rounds == 1
    assert totals.step_histories == 1  # the pause reason; ratings are not narrative
    assert totals.session_notes == 0
    ended.observation.refresh_from_db()
    ended.meeting.refresh_from_db()
    assert ended.observation.notes == NOTES
    assert ended.meeting.praise == PRAISE
    assert _counts() == before
    assert not AuditEvent.objects.filter(action="records.retention.applied").exists()


def test_real_run_blanks_narrative_and_keeps_counts(ended):
    before = _counts()
    ended.step.refresh_from_db()  # ending the pair archived it
    step_state = ended.step.state
    report = _run()
    assert report.totals.drop_ins == 1
    assert _counts() == before
    o, m, s = ended.observation, ended.meeting, ended.step
    for row in (o, m, s):
        row.refresh_from_db()
    assert (o.went_well, o.notes, o.suggested_focus, o.video_url) == ("", "", "", "")
    assert (o.year_group, o.subject) == ("Year 8", "Maths")  # class context is not narrative
    assert (m.praise, m.step_review, m.modelling, m.plan, m.reflection) == ("",) * 5
    assert set(m.rounds.values_list("attempt", "feedback")) == {("", "")}
    assert s.title == STEP_TITLE
    assert s.success_criteria == ""
    assert s.state == step_state
    reasons = dict(StepTransition.objects.filter(step=s).values_list("event", "reason"))
    assert reasons["observed"] == "Partly"  # the rating stays, so step counts are unchanged
    assert reasons["paused"] == ""
    event = AuditEvent.objects.get(action="records.retention.applied")
    assert event.school == s.school
    assert event.data["drop_ins"] == 1
    assert event.data["retention_months"] == 12


def test_current_pairs_are_untouched(ended, current):
    _run()
    current.observation.refresh_from_db()
    current.meeting.refresh_from_db()
    current.step.refresh_from_db()
    assert current.observation.notes == NOTES
    assert current.meeting.reflection == REFLECTION
    assert current.step.success_criteria


def test_a_pair_within_the_retention_period_is_untouched(pairing):
    history = make_history(pairing)
    _end(pairing, on=dt.date(2026, 12, 2))  # one day short of 12 months before the run
    assert _run().totals.total == 0
    history.observation.refresh_from_db()
    assert history.observation.notes == NOTES


def test_the_school_setting_decides_the_period(ended, oak):
    oak.retention_months = 24
    oak.save()
    assert _run().totals.total == 0
    assert _run(at=dt.datetime(2028, 12, 1, 2, tzinfo=LONDON)).totals.drop_ins == 1


def test_a_second_run_changes_nothing(ended):
    _run()
    again = _run()
    assert again.totals.total == 0
    assert AuditEvent.objects.filter(action="records.retention.applied").count() == 1


def test_a_leaver_is_anonymised_once_past_retention(ended, admin, oak):
    alice = ended.step.teacher
    CalendarFeed.objects.create(user=alice)
    membership = Membership.objects.get(user=alice, school=oak)
    with time_machine.travel(dt.datetime(2026, 11, 30, 17, tzinfo=LONDON), tick=False):
        staff_deactivate(membership=membership, by=admin)
    report = _run()
    assert report.totals.people == 1
    alice.refresh_from_db()
    assert alice.first_name == erasure.FORMER_NAME
    assert alice.last_name == ""
    assert alice.email == f"former-{alice.pk}@invalid"
    assert not alice.is_active
    assert not alice.has_usable_password()
    assert not CalendarFeed.objects.filter(user=alice).exists()
    # her rows stay, so the school's counts do not change
    assert Observation.objects.filter(teacher=alice).count() == 1
    assert _run().totals.people == 0


def test_current_staff_and_recent_leavers_keep_their_names(ended, admin, bob, oak, carol):
    membership = Membership.objects.get(user=carol, school=oak)
    with time_machine.travel(dt.datetime(2027, 6, 1, 12, tzinfo=LONDON), tick=False):
        staff_deactivate(membership=membership, by=admin)
    _run()
    bob.refresh_from_db()
    carol.refresh_from_db()
    assert bob.first_name == "Bob"
    assert carol.first_name == "Carol"
    assert carol.email == "carol@oak.example"


def test_someone_still_active_in_another_school_is_not_anonymised(ended, admin, oak, elm):
    alice = ended.step.teacher
    Membership.objects.create(user=alice, school=elm)
    with time_machine.travel(dt.datetime(2026, 11, 30, 17, tzinfo=LONDON), tick=False):
        staff_deactivate(membership=Membership.objects.get(user=alice, school=oak), by=admin)
    report = _run()
    assert report.totals.people == 0
    assert report.totals.drop_ins == 1  # Oak's notes about her still go
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_audit_events_older_than_two_years_are_deleted(oak, alice):
    with time_machine.travel(dt.datetime(2025, 11, 1, tzinfo=LONDON), tick=False):
        old = AuditEvent.objects.create(action="test.old", school=oak, subject=alice)
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=LONDON), tick=False):
        kept = AuditEvent.objects.create(action="test.kept", school=oak)
    report = _run()
    assert report.totals.audit_events == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()


def test_cli_dry_run_prints_counts_per_kind_and_changes_nothing(ended, capsys):
    with time_machine.travel(RUN, tick=False):
        assert cli.main(["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Oak School: keeps coaching notes 12 months" in out
    assert "drop-ins with notes blanked" in out
    assert "Dry run" in out
    ended.observation.refresh_from_db()
    assert ended.observation.notes == NOTES


def test_run_retention_applies(ended, capsys):
    with time_machine.travel(RUN, tick=False):
        assert erasure.run_retention(Namespace(dry_run=False)) == 0
    assert "Done:" in capsys.readouterr().out
    ended.observation.refresh_from_db()
    assert ended.observation.notes == ""


def test_the_worker_task_applies_retention(ended):
    with time_machine.travel(RUN, tick=False):
        result = tasks.apply_retention.enqueue(day="2027-12-01")
    assert result.return_value["drop_ins"] == 1
    ended.meeting.refresh_from_db()
    assert ended.meeting.praise == ""


def test_preview_for_one_school_matches_the_dry_run(ended, oak):
    with time_machine.travel(RUN, tick=False):
        preview = erasure.preview_for_school(oak)
    assert preview.as_dict() == _run(dry_run=True).schools[0].counts.as_dict()


def test_anonymised_users_are_never_matched_again(ended, admin, oak):
    alice = ended.step.teacher
    with time_machine.travel(dt.datetime(2026, 11, 30, 17, tzinfo=LONDON), tick=False):
        staff_deactivate(membership=Membership.objects.get(user=alice, school=oak), by=admin)
    _run()
    assert User.objects.filter(email__endswith="@invalid").count() == 1
    assert _run().totals.total == 0


# Learning walks, reviews of coaching, thanks and goals ------------------------------------------


def test_dry_run_counts_walks_reviews_thanks_and_goals_but_writes_nothing(newer, newer_current):
    before = _counts()
    report = _run(dry_run=True)
    assert _newer_counts(report.totals) == NEWER_COUNTS
    assert _counts() == before
    _assert_untouched(newer)
    _assert_untouched(newer_current)
    assert not AuditEvent.objects.filter(action="records.retention.applied").exists()


def test_real_run_blanks_exactly_the_expired_walks_reviews_thanks_and_goals(
    newer, newer_current, oak
):
    before = _counts()
    report = _run()
    assert _newer_counts(report.totals) == NEWER_COUNTS
    assert _counts() == before  # every row stays
    newer.refresh()
    visit, review, goal = newer.visit, newer.review, newer.goal
    assert (visit.what_seen, visit.note) == ("", "")
    assert visit.focus_seen == "seen"  # what the walk saw is not narrative
    assert list(visit.sightings.values_list("result", flat=True)) == ["seen"]
    assert newer.thanks.message == ""
    assert (goal.statement, goal.measure, goal.method) == ("", "", "")
    assert (goal.unit, goal.baseline, goal.target, goal.phase) == (
        Goal.Unit.PERCENT,
        Decimal(40),
        Decimal(80),
        Goal.Phase.IMPROVE,
    )
    assert (newer.reading.note, newer.reading.value) == ("", Decimal(45))
    assert review.notes == ""
    assert review.ratings.count() == len(walks.MEETING_RUBRIC)  # ratings and the step stay
    assert review.development_step is not None and review.development_step.title
    assert review.held_on == dt.date(2026, 10, 7)
    # the pairs still running keep every word
    _assert_untouched(newer_current)
    event = AuditEvent.objects.get(action="records.retention.applied")
    assert event.school == oak
    assert {name: event.data[name] for name in NEWER_COUNTS} == NEWER_COUNTS
    assert _run().totals.total == 0  # nothing more the second time


def test_walks_reviews_thanks_and_goals_within_the_period_are_untouched(
    oak, head, lead, bob, pairing
):
    visit = make_walk_visit(school=oak, leader=head, pair=pairing)
    thanks = make_thanks(pairing)
    goal = make_goal(pairing)
    review = make_review(school=oak, lead=lead, coach=bob, reviewer=lead)
    _end(pairing, on=dt.date(2026, 12, 2))  # one day short of 12 months before the run
    _end(review.relationship, on=dt.date(2026, 12, 2))
    assert _run().totals.total == 0
    _assert_untouched(Newer(visit, thanks, goal.goal, goal.reading, review))


@pytest.mark.parametrize(
    ("left", "erased"), [(dt.date(2026, 11, 30), True), (dt.date(2027, 6, 1), False)]
)
def test_a_leavers_walk_visits_and_reviews_go_once_past_retention(
    oak, oak_year, admin, head, lead, bob, carol, left, erased
):
    """carol has no coach, so her walk visit belongs to no pair: only her leaving expires it.
    bob's coaching was reviewed; he leaves too."""
    visit = make_walk_visit(school=oak, leader=head, teacher=carol)
    assert visit.relationship is None
    review = make_review(school=oak, lead=lead, coach=bob, reviewer=lead)
    with time_machine.travel(dt.datetime.combine(left, dt.time(17), tzinfo=LONDON), tick=False):
        for person in (carol, bob):
            staff_deactivate(membership=Membership.objects.get(user=person, school=oak), by=admin)
    report = _run()
    assert (report.totals.walk_visits, report.totals.coaching_reviews) == (
        (1, 1) if erased else (0, 0)
    )
    visit.refresh_from_db()
    review.refresh_from_db()
    assert (visit.note == "") is erased
    assert (visit.what_seen == "") is erased
    assert (review.notes == "") is erased


def test_the_report_and_the_preview_list_the_new_counts(newer, oak, capsys):
    with time_machine.travel(RUN, tick=False):
        preview = erasure.preview_for_school(oak)
        assert cli.main(["retention", "--dry-run"]) == 0
    assert _newer_counts(preview) == NEWER_COUNTS
    out = capsys.readouterr().out
    for label in (
        "learning-walk visits with notes blanked",
        "reviews of coaching with notes blanked",
        "thanks messages blanked",
        "goals with statement and measure blanked",
        "goal reading notes blanked",
    ):
        (line,) = [line for line in out.splitlines() if label in line]
        assert line.split()[-1] == "1"


def test_the_retention_page_previews_and_lists_the_new_counts(client, admin, newer):
    with time_machine.travel(RUN, tick=False):
        client.force_login(admin)
        page = client.get(reverse("records:retention")).content.decode()
    assert '<th scope="row">Learning-walk visits with notes blanked</th><td>1</td>' in page
    assert '<th scope="row">Goal reading notes blanked</th><td>1</td>' in page
    _run()
    with time_machine.travel(RUN + dt.timedelta(hours=8), tick=False):
        client.force_login(admin)
        page = client.get(reverse("records:retention")).content.decode()
    assert '<th scope="row">Learning-walk visits with notes blanked</th><td>0</td>' in page
    for text in (
        "1 learning-walk visits with notes blanked",
        "1 reviews of coaching with notes blanked",
        "1 thanks messages blanked",
        "1 goals with statement and measure blanked",
        "1 goal reading notes blanked",
    ):
        assert text in page


def test_an_erased_goal_still_shows_its_readings(client, newer, alice):
    _run()
    client.force_login(alice)
    detail = client.get(newer.goal.get_absolute_url())
    assert detail.status_code == 200
    page = detail.content.decode()
    assert 'Goal <span class="muted">(erased after the retention period)</span></h1>' in page
    assert "<dt>What is measured</dt><dd>(erased after the retention period)" in page
    assert "Readings of the measure (erased after the retention period)" in page
    assert "45%" in page  # the reading's value stays
    assert "Ideas to make this goal stronger" not in page
    listing = client.get(reverse("coaching:goal-list", args=[alice.pk])).content.decode()
    assert "Goal (erased after the retention period)</a>" in listing


def test_an_erased_goal_names_itself_as_erased():
    from coachroom.coaching.goals.models import Goal

    assert str(Goal(statement="")) == "(erased after the retention period)"
    assert str(Goal(statement="More pupils answer in full sentences")) == (
        "More pupils answer in full sentences"
    )


def test_self_reviews_past_retention_keep_their_ratings_and_lose_their_words(pairing, alice):
    from coachroom.coaching.selfreview import services as self_review
    from coachroom.coaching.selfreview.models import SelfReview, SelfReviewPoint

    step = make_step(pairing)
    entered = self_review.Review(
        points=[self_review.Point("Stops talking", "seen", 65)],
        decision="continue",
        noticed="The back row waited",
    )
    made = self_review.selfreview_record(step=step, by=alice, entered=entered)
    _end(pairing)
    assert _run(dry_run=True).totals.self_reviews == 1
    _run()
    made.refresh_from_db()
    point = SelfReviewPoint.objects.get(review=made)
    assert (made.noticed, point.criterion) == ("", "")
    assert (point.rating, point.at_seconds, SelfReview.objects.count()) == ("seen", 65, 1)
