"""The dashboards' counters (reporting/counters.py) agree with the raw rows after every kind of
write, `rebuild_counts --verify` finds a counter that drifted, and the pages that read them run
a fixed number of queries.

Every test runs on Monday 23 November 2026 at noon. bob's weekly Wednesday drop-in with alice
began on Wednesday 9 September; his Monday meeting slot (where a test adds one) on 7 September.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse

from coachroom.accounts.services import relationship_end
from coachroom.coaching import services as coaching
from coachroom.coaching.models import Rating, StepState, StepTransition
from coachroom.records import backup, erasure
from coachroom.reporting import counters
from coachroom.reporting.completion import CompletionQuery, Filters
from coachroom.reporting.models import (
    COUNTER_MODELS,
    PairSessionCount,
    SchoolSessionCount,
    SecuredCount,
    StepCount,
)
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step
from tests.records.test_backup_archive import TEST_KEY

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()
YEAR = Filters(start=dt.date(2026, 9, 1), end=TODAY)


@pytest.fixture(autouse=True)
def monday_23_november():
    with time_machine.travel(NOW, tick=False):
        yield


def _slot(pair, by, kind="drop_in", weekday=2):
    return scheduling.slot_create(
        relationship=pair,
        by=by,
        kind=kind,
        weekday=weekday,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 9, 7),
    )


def _on(slot, day: dt.date) -> SessionOccurrence:
    return SessionOccurrence.objects.get(slot=slot, starts_at__date=day)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _bucket(pair, day: dt.date, reason: str = "") -> dict[str, int]:
    row = PairSessionCount.objects.get(relationship=pair, day=day, reason=reason)
    return {name: getattr(row, name) for name in PairSessionCount.TALLY if getattr(row, name)}


def _agrees(school) -> bool:
    return counters.first_difference(school.pk) is None


@pytest.fixture
def slot(pairing, bob):
    return _slot(pairing, bob)


# Sessions -------------------------------------------------------------------------------------


def test_a_new_slot_counts_every_session_it_plans(oak, pairing, slot):
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 9, 9)) == {"planned": 1, "unrecorded": 1}
    school_rows = SchoolSessionCount.objects.filter(school=oak, day=dt.date(2026, 9, 9))
    assert [(r.kind, r.week, r.planned) for r in school_rows] == [
        ("drop_in", dt.date(2026, 9, 7), 1)
    ]


def test_held(oak, pairing, bob, slot):
    scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 9)), by=bob)
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 9, 9)) == {"planned": 1, "held": 1}


def test_missed(oak, pairing, bob, slot):
    scheduling.session_mark_missed(session=_on(slot, dt.date(2026, 9, 16)), by=bob, reason="cover")
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 9, 16), "cover") == {"planned": 1, "missed": 1}
    assert not PairSessionCount.objects.filter(
        relationship=pairing, day=dt.date(2026, 9, 16), reason=""
    ).exists()


def test_missed_and_rebooked_counts_the_new_session_instead(oak, pairing, bob, slot):
    scheduling.session_mark_missed(
        session=_on(slot, dt.date(2026, 9, 16)),
        by=bob,
        reason="trip",
        reschedule_to=_at(dt.date(2026, 9, 17)),
    )
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 9, 16), "trip") == {"rebooked": 1}
    assert _bucket(pairing, dt.date(2026, 9, 17)) == {"planned": 1, "unrecorded": 1}


def test_cancelled(oak, pairing, bob, slot):
    scheduling.session_cancel(session=_on(slot, dt.date(2026, 9, 23)), by=bob, reason="exams")
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 9, 23), "exams") == {"planned": 1, "cancelled": 1}


def test_rescheduled_moves_the_count_to_the_new_day(oak, pairing, bob, slot):
    scheduling.session_reschedule(
        session=_on(slot, dt.date(2026, 10, 7)), by=bob, starts_at=_at(dt.date(2026, 10, 8))
    )
    assert _agrees(oak)
    assert not PairSessionCount.objects.filter(relationship=pairing, day=dt.date(2026, 10, 7))
    assert _bucket(pairing, dt.date(2026, 10, 8)) == {"planned": 1, "unrecorded": 1}


def test_cover_still_counts_for_the_pair(oak, pairing, bob, carol, slot):
    session = _on(slot, dt.date(2026, 10, 14))
    scheduling.session_assign_cover(session=session, by=bob, coach=carol)
    scheduling.session_mark_held(session=SessionOccurrence.objects.get(pk=session.pk), by=carol)
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 10, 14)) == {"planned": 1, "held": 1}


def test_moving_a_series_recounts_old_and_new_days(oak, pairing, bob, slot):
    moved = scheduling.slot_move_series(
        slot=slot,
        by=bob,
        weekday=3,
        start_time=dt.time(11, 0),
        from_date=dt.date(2026, 11, 23),
        room="",
        period="",
        minutes=15,
    )
    assert moved > 0
    assert _agrees(oak)
    assert not PairSessionCount.objects.filter(relationship=pairing, day=dt.date(2026, 11, 25))
    assert _bucket(pairing, dt.date(2026, 11, 26)) == {"planned": 1, "unrecorded": 1}


def test_ending_a_slot_recounts_the_sessions_it_cancelled(oak, pairing, bob, slot):
    cancelled = scheduling.slot_end(slot=slot, by=bob, from_date=dt.date(2026, 12, 1))
    assert cancelled > 0
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 12, 2), "other") == {"planned": 1, "cancelled": 1}


def test_a_recorded_drop_in_holds_its_session(oak, pairing, bob, slot):
    with time_machine.travel(_at(dt.date(2026, 11, 18), 11), tick=False):
        observation = coaching.observation_start(relationship=pairing, by=bob)
        coaching.observation_submit(observation=observation, by=bob, ratings={}, notes="Calm")
    assert _agrees(oak)
    assert _bucket(pairing, dt.date(2026, 11, 18)) == {"planned": 1, "held": 1}


def test_deleting_sessions_and_a_pair_leaves_no_counts_behind(oak, oak_year, bob, carol, pairing):
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    _slot(other, carol)
    _slot(pairing, bob)
    SessionOccurrence.objects.filter(relationship=pairing).first().delete()
    assert _agrees(oak)
    other.delete()
    assert _agrees(oak)
    assert not PairSessionCount.objects.filter(relationship_id=other.pk).exists()


def test_other_schools_keep_their_own_counts(oak, elm, outsider, slot):
    pair = RelationshipFactory(school=elm, coach=outsider)
    elm_slot = _slot(pair, outsider)
    scheduling.session_mark_held(session=_on(elm_slot, dt.date(2026, 9, 9)), by=outsider)
    assert _agrees(oak) and _agrees(elm)
    assert SchoolSessionCount.objects.get(school=elm, day=dt.date(2026, 9, 9)).held == 1
    assert SchoolSessionCount.objects.get(school=oak, day=dt.date(2026, 9, 9)).held == 0


# Today: the counters hold it, but only what has happened counts ---------------------------------


def test_today_counts_only_what_is_already_recorded(oak, pairing, bob):
    meetings = _slot(pairing, bob, kind="meeting", weekday=0)
    scheduling.session_cancel(session=_on(meetings, TODAY), by=bob, reason="trip")
    later = SessionOccurrence.objects.create(
        school=oak,
        relationship=pairing,
        kind="drop_in",
        coach=bob,
        starts_at=_at(TODAY, 15),
        status=SessionOccurrence.Status.CANCELLED,
        reason="exams",
    )
    assert _agrees(oak)
    report = CompletionQuery(school=oak, viewer_coach=None, filters=YEAR).report()
    due = SessionOccurrence.objects.for_school(oak).filter(starts_at__gte=_at(YEAR.start, 0)).due()
    assert report.totals.planned == due.count()
    this_week = report.weeks[-1]
    assert (this_week.starts_on, this_week.tally.cancelled) == (TODAY, 1)
    assert [(r.label, r.cancelled) for r in report.reasons] == [("Trip or visit", 1)]
    assert later.pk not in due.values_list("pk", flat=True)


def test_coach_figures_agree_with_raw_sessions(oak, oak_year, pairing, bob, carol):
    slot = _slot(pairing, bob)
    scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 9)), by=bob)
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=carol)
    carol_slot = _slot(other, carol)
    scheduling.session_mark_missed(
        session=_on(carol_slot, dt.date(2026, 9, 9)), by=carol, reason="cover"
    )
    report = CompletionQuery(school=oak, viewer_coach=bob, filters=YEAR).report()
    due = SessionOccurrence.objects.filter(relationship=pairing).due()
    assert report.totals.planned == due.count()
    assert report.totals.held == 1
    assert report.reasons == []


# Steps ----------------------------------------------------------------------------------------

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _observe(pairing, bob, step, rating, *, day=0):
    with time_machine.travel(MONDAY + dt.timedelta(days=day), tick=False):
        observation = coaching.observation_start(relationship=pairing, by=bob)
        coaching.observation_submit(observation=observation, by=bob, ratings={step.pk: rating})
    step.refresh_from_db()
    return step


def _steps(school) -> dict[str, tuple[int, int, int]]:
    return {
        row.state: (row.steps, row.stuck, row.slipped)
        for row in StepCount.objects.filter(school=school)
    }


def test_a_step_secured_is_counted_on_its_day(oak, pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    assert _steps(oak) == {"practising": (1, 0, 0)}
    _observe(pairing, bob, step, Rating.SEEN)
    step = _observe(pairing, bob, step, Rating.SEEN, day=1)
    assert step.state == StepState.SECURED
    assert _agrees(oak)
    assert _steps(oak) == {"secured": (1, 0, 0)}
    assert [(r.day, r.secured) for r in SecuredCount.objects.filter(school=oak)] == [
        (dt.date(2026, 11, 24), 1)
    ]


def test_stick_checks_count_what_stuck_and_what_slipped(oak, oak_year, pairing, bob):
    stuck = make_step(pairing, state=StepState.SECURED, stick_check_due=dt.date(2026, 11, 20))
    _observe(pairing, bob, stuck, Rating.SEEN)
    other = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
    slipped = make_step(other, state=StepState.SECURED, stick_check_due=dt.date(2026, 11, 20))
    _observe(other, bob, slipped, Rating.NOT_YET)
    assert _agrees(oak)
    assert _steps(oak) == {"secured": (1, 1, 0), "reopened": (1, 0, 1)}


def test_steps_moving_state_move_between_buckets(oak, pairing, bob):
    step = make_step(pairing, state=StepState.PRACTISING)
    coaching.step_pause(step=step, by=bob, reason="Mocks")
    assert _steps(oak) == {"paused": (1, 0, 0)}
    coaching.step_resume(step=step, by=bob)
    assert _agrees(oak)
    assert _steps(oak) == {"practising": (1, 0, 0)}


def test_retention_recounts_the_stick_checks_it_blanks(oak, pairing, bob):
    step = make_step(pairing, state=StepState.REOPENED)
    with time_machine.travel(_at(dt.date(2026, 11, 10)), tick=False):
        StepTransition.objects.create(
            school=oak,
            step=step,
            from_state="secured",
            to_state="reopened",
            event="reopened",
            reason="Stick-check: not yet",
        )
    assert _steps(oak) == {"reopened": (1, 0, 1)}
    with time_machine.travel(_at(dt.date(2026, 11, 30), 17), tick=False):
        relationship_end(relationship=pairing, by=bob, on=dt.date(2026, 11, 30))
    with time_machine.travel(_at(dt.date(2027, 12, 1), 2), tick=False):
        report = erasure.retention_apply(dry_run=False)
    assert report.totals.step_histories > 0
    assert _agrees(oak)


# Rebuild and verify ---------------------------------------------------------------------------


def test_verify_passes_when_counters_agree(oak, slot, capsys):
    call_command("rebuild_counts", "--verify")
    assert "agree with the raw rows in" in capsys.readouterr().out


def test_verify_names_a_drifted_counter_and_rebuild_mends_it(oak, pairing, slot):
    PairSessionCount.objects.filter(relationship=pairing, day=dt.date(2026, 9, 9)).update(
        held=F("held") + 1
    )
    with pytest.raises(CommandError) as failed:
        call_command("rebuild_counts", "--verify", "--school", str(oak.pk))
    message = str(failed.value)
    assert "\n" not in message
    assert f"school {oak.pk}: pair sessions for pair {pairing.pk}, day 2026-09-09" in message
    assert "held 1 (raw rows: 0)" in message
    call_command("rebuild_counts", "--school", str(oak.pk))
    assert _agrees(oak)


def test_verify_notices_a_missing_bucket(oak, slot):
    SchoolSessionCount.objects.filter(school=oak, day=dt.date(2026, 9, 16)).delete()
    with pytest.raises(CommandError, match="school sessions for day 2026-09-16"):
        call_command("rebuild_counts", "--verify")


def test_rebuild_of_an_unknown_school_is_an_error(oak):
    with pytest.raises(CommandError, match="No school has the id"):
        call_command("rebuild_counts", "--school", "999999")


def test_rebuild_gives_what_the_writes_kept(oak, pairing, bob, slot):
    scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 9)), by=bob)
    make_step(pairing, state=StepState.PRACTISING)
    kept = counters.stored_for(oak.pk)
    counters.rebuild_school(oak.pk)
    assert counters.stored_for(oak.pk) == kept


def test_backups_leave_the_counters_out():
    assert not set(COUNTER_MODELS) & set(backup.backup_models())


@pytest.mark.django_db(transaction=True)
def test_a_restore_rebuilds_the_counters(tmp_path, monkeypatch, settings, pairing, bob):
    monkeypatch.setenv("COACHROOM_BACKUP_KEY", TEST_KEY)
    settings.DATA_DIR = tmp_path / "data"
    slot = _slot(pairing, bob)
    scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 9)), by=bob)
    make_step(pairing, state=StepState.PRACTISING)
    school_id = pairing.school_id
    kept = counters.stored_for(school_id)
    path = tmp_path / "backup.zip"
    backup.write_backup(path)
    call_command("flush", interactive=False, verbosity=0)
    backup.restore_backup(path)
    assert counters.stored_for(school_id) == kept
    assert counters.first_difference(school_id) is None


@pytest.mark.concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_writers_in_one_school_at_once_leave_the_counts_right(oak, oak_year, bob, carol):
    """Two coaches record sessions on the same days at the same moment: each recount waits for
    the other's (the school's row is locked), so the school's buckets lose neither. Only a
    database server runs the two transactions side by side; SQLite takes them in turn."""
    pairs = [
        (RelationshipFactory(school=oak, academic_year=oak_year, coach=coach), coach)
        for coach in (bob, carol)
    ]
    slots = [(_slot(pair, coach), coach) for pair, coach in pairs]
    days = [dt.date(2026, 9, 9) + dt.timedelta(weeks=n) for n in range(6)]
    start = threading.Barrier(len(slots))
    failures: list[BaseException] = []

    def hold_all(slot, coach) -> None:
        try:
            for day in days:
                start.wait(timeout=10)
                scheduling.session_mark_held(session=_on(slot, day), by=coach)
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=hold_all, args=pair) for pair in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert _agrees(oak)
    held = SchoolSessionCount.objects.filter(school=oak, day__in=days).values_list(
        "held", flat=True
    )
    assert sorted(held) == [2] * len(days)


# Query budgets --------------------------------------------------------------------------------


def _school_of(oak, oak_year, lead, pairs: int) -> None:
    for _ in range(pairs):
        coach = UserFactory()
        MembershipFactory(user=coach, school=oak, is_coach=True)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach)
        slot = _slot(pair, coach)
        scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 9)), by=coach)
        make_step(pair, state=StepState.PRACTISING)


@pytest.mark.parametrize("pairs", [1, 10])
def test_leader_home_queries_do_not_grow(
    client, head, oak, oak_year, lead, pairs, django_assert_max_num_queries
):
    _school_of(oak, oak_year, lead, pairs)
    client.force_login(head)
    # session, user, memberships; staff figures; pairs; steps from their counters; the setup
    # checklist (admins only, so none); session save with its savepoints (3)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("home"))
    figures = response.context["school_figures"]
    assert dict(figures["steps"])["Practising"] == pairs


@pytest.mark.parametrize("pairs", [1, 10])
def test_completion_reads_counters_in_fixed_queries(
    client, lead, oak, oak_year, pairs, django_assert_max_num_queries
):
    _school_of(oak, oak_year, lead, pairs)
    client.force_login(lead)
    # session, user, memberships; current year; day buckets; today's sessions; terms; pair
    # buckets; pairs' coaches; pairs with their last drop-in; coach choices; session save with
    # its savepoints (3)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reporting:completion"))
    assert response.context["report"].totals.held == pairs
