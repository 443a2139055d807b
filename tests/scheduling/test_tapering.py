"""Tapering: weekly → fortnightly → self-directed (a check-in every four weeks) when the coach
and teacher agree, back up when either wants; the slots, sessions and figures follow."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship
from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import StepState
from coachroom.core.errors import DomainError
from coachroom.reporting.capacity import Assumptions
from coachroom.reporting.completion import CompletionQuery, Filters
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import ScheduledSlot, SessionOccurrence
from coachroom.scheduling.tapering import services as tapering
from coachroom.scheduling.tapering.models import CadenceChange
from coachroom.scheduling.tapering.panel import needing_attention
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step

LONDON = ZoneInfo("Europe/London")
Cadence = CoachingRelationship.Cadence


def _stuck(pairing, n, *, at=None):
    at = at or timezone.now() - dt.timedelta(days=1)
    for i in range(n):
        make_step(pairing, state=StepState.SECURED, title=f"Step {i}", stuck_at=at)


def _slot(pairing, bob, kind="drop_in"):
    return scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind=kind,
        weekday=2,
        start_time=dt.time(10, 0) if kind == "drop_in" else dt.time(15, 30),
        starts_on=dt.date(2026, 9, 7),
    )


def _future_dates(pairing):
    rows = SessionOccurrence.objects.filter(
        relationship=pairing, starts_at__gte=timezone.now() - dt.timedelta(hours=1)
    ).planned()
    return sorted({s.starts_at.astimezone(LONDON).date() for s in rows})


# Suggestions -----------------------------------------------------------------------------------


def test_suggested_after_the_schools_number_of_steps_that_stuck(oak, pairing, bob):
    oak.taper_after_steps = 3
    oak.save()
    _stuck(pairing, 2)
    assert tapering.suggestions([pairing], oak) == []
    _stuck(pairing, 1)
    [suggestion] = tapering.suggestions([pairing], oak)
    assert (suggestion.stuck, suggestion.to) == (3, Cadence.FORTNIGHTLY)


def test_steps_that_stuck_in_an_earlier_pairing_count(oak, oak_year, pairing, alice, bob):
    """Expertise carries over: last year's pair has ended, this year's starts afresh."""
    earlier = RelationshipFactory(
        school=oak, academic_year=oak_year, coach=bob, coachee=alice, ended_on=dt.date(2026, 9, 30)
    )
    _stuck(earlier, 3)
    [suggestion] = tapering.suggestions([pairing], oak)
    assert suggestion.stuck == 3


def test_steps_secured_but_not_yet_stuck_do_not_count(oak, pairing):
    for i in range(3):
        make_step(pairing, state=StepState.SECURED, title=f"Step {i}")
    assert tapering.suggestions([pairing], oak) == []


def test_the_count_starts_again_after_each_change(oak, pairing, alice, bob):
    _stuck(pairing, 3)
    change = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)
    tapering.cadence_agree(change=change, by=alice)
    pairing.refresh_from_db()
    assert tapering.suggestions([pairing], oak) == []
    _stuck(pairing, 3, at=timezone.now() + dt.timedelta(minutes=5))
    [suggestion] = tapering.suggestions([pairing], oak)
    assert suggestion.to == Cadence.MONTHLY


def test_ect_mentoring_is_never_tapered(oak, pairing, bob):
    pairing.kind = CoachingRelationship.Kind.ECF
    pairing.save()
    _stuck(pairing, 5)
    assert tapering.suggestions([pairing], oak) == []
    with pytest.raises(DomainError, match="induction"):
        tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)


# Agreement -------------------------------------------------------------------------------------


def test_both_agree_and_the_slots_follow(pairing, alice, bob):
    drop_in, meeting = _slot(pairing, bob), _slot(pairing, bob, kind="meeting")
    change = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)
    pairing.refresh_from_db()
    assert pairing.cadence == Cadence.WEEKLY  # nothing changes until the teacher agrees
    with pytest.raises(DomainError):
        tapering.cadence_agree(change=change, by=bob)  # not their own proposal
    tapering.cadence_agree(change=change, by=alice)
    pairing.refresh_from_db()
    assert pairing.cadence == Cadence.FORTNIGHTLY
    active = ScheduledSlot.objects.filter(relationship=pairing, is_active=True)
    assert {s.cadence for s in active} == {"fortnightly"}
    assert not ScheduledSlot.objects.filter(pk__in=[drop_in.pk, meeting.pk], is_active=True)
    dates = _future_dates(pairing)
    assert all((b - a).days % 14 == 0 for a, b in itertools.pairwise(dates))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"programme.cadence.proposed", "programme.cadence.agreed"} <= actions


def test_the_teacher_may_propose_and_the_coach_agree(pairing, alice, bob):
    change = tapering.cadence_propose(pair=pairing, by=alice, to=Cadence.FORTNIGHTLY)
    tapering.cadence_agree(change=change, by=bob)
    pairing.refresh_from_db()
    assert pairing.cadence == Cadence.FORTNIGHTLY


def test_a_double_tap_is_one_proposal(pairing, bob):
    first = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)
    again = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)
    assert first.pk == again.pk and CadenceChange.objects.count() == 1


def test_declined_or_withdrawn_changes_nothing(pairing, alice, bob):
    change = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)
    assert tapering.cadence_decline(change=change, by=alice).state == "declined"
    change = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)
    assert tapering.cadence_decline(change=change, by=bob).state == "withdrawn"
    pairing.refresh_from_db()
    assert pairing.cadence == Cadence.WEEKLY


def test_someone_outside_the_pair_cannot_change_it(pairing, carol, lead):
    for person in (carol, lead):
        with pytest.raises(DomainError):
            tapering.cadence_propose(pair=pairing, by=person, to=Cadence.FORTNIGHTLY)


def test_either_steps_back_up_at_once_and_an_open_proposal_goes(pairing, alice, bob):
    _slot(pairing, bob)
    change = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.FORTNIGHTLY)
    tapering.cadence_agree(change=change, by=alice)
    proposal = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.MONTHLY)
    tapering.cadence_step_up(pair=pairing, by=alice, to=Cadence.WEEKLY)
    pairing.refresh_from_db()
    proposal.refresh_from_db()
    assert (pairing.cadence, proposal.state) == (Cadence.WEEKLY, "withdrawn")
    slot = ScheduledSlot.objects.get(relationship=pairing, is_active=True)
    assert slot.cadence == "weekly"
    with pytest.raises(DomainError):
        tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.WEEKLY)  # not less often


# Self-directed: a check-in every four weeks ----------------------------------------------------


def test_a_self_directed_pairs_check_ins_come_every_four_weeks_and_count(oak, pairing, bob):
    _slot(pairing, bob)
    pairing.cadence = Cadence.FORTNIGHTLY
    pairing.save()
    change = tapering.cadence_propose(pair=pairing, by=bob, to=Cadence.MONTHLY)
    tapering.cadence_agree(change=change, by=pairing.coachee)
    slot = ScheduledSlot.objects.get(relationship=pairing, is_active=True)
    assert (slot.cadence, slot.get_cadence_display()) == ("monthly", "Every four weeks")
    dates = _future_dates(pairing)
    assert len(dates) >= 3
    assert all((b - a).days % 28 == 0 for a, b in itertools.pairwise(dates))
    with time_machine.travel(dt.datetime(2027, 2, 1, 9, 0, tzinfo=LONDON), tick=False):
        filters = Filters(start=dt.date(2026, 11, 5), end=dt.date(2027, 1, 31))
        report = CompletionQuery(school=oak, viewer_coach=bob, filters=filters).report()
        planned = SessionOccurrence.objects.filter(
            relationship=pairing,
            starts_at__date__gte=filters.start,
            starts_at__date__lte=filters.end,
        )
        assert (
            report.totals.planned
            == planned.count()
            == len([d for d in dates if filters.start <= d <= filters.end])
        )


def test_capacity_counts_a_four_weekly_check_in_as_a_quarter():
    assert Assumptions().cycles_per_week("monthly") == Decimal("0.25")
    assert Assumptions().cycles_per_week("fortnightly") == Decimal("0.5")


# Pages -----------------------------------------------------------------------------------------


def test_the_coach_sees_the_suggestion_on_home_and_the_teacher_agrees_on_her_timeline(
    client, oak, pairing, alice, bob
):
    _stuck(pairing, 3)
    client.force_login(bob)
    home = client.get(reverse("home")).content.decode()
    assert "has secured 3 steps that stuck" in home
    timeline = client.get(reverse("coaching:timeline", args=[alice.pk])).content.decode()
    assert "Propose meeting fortnightly" in timeline
    client.post(reverse("scheduling:rhythm-change", args=[pairing.pk]), {"to": "fortnightly"})
    change = CadenceChange.objects.get()
    client.force_login(alice)
    home = client.get(reverse("home")).content.decode()
    assert "proposes meeting fortnightly" in home
    response = client.post(reverse("scheduling:rhythm-agree", args=[change.pk]))
    assert response["Location"] == reverse("coaching:timeline", args=[alice.pk])
    pairing.refresh_from_db()
    assert pairing.cadence == Cadence.FORTNIGHTLY


def test_a_bad_choice_keeps_the_rhythm_and_says_why(client, pairing, alice, bob):
    pairing.cadence = Cadence.FORTNIGHTLY
    pairing.save()
    client.force_login(alice)
    response = client.post(
        reverse("scheduling:rhythm-change", args=[pairing.pk]), {"to": "nonsense"}, follow=True
    )
    assert "Choose how often you would like to meet" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.cadence == Cadence.FORTNIGHTLY


@pytest.mark.parametrize("pairs", [1, 8])
def test_home_needs_you_queries_do_not_grow_with_suggestions(
    client, oak, oak_year, bob, pairs, django_assert_max_num_queries
):
    for _ in range(pairs):
        teacher = UserFactory()
        MembershipFactory(user=teacher, school=oak)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob, coachee=teacher)
        _stuck(pair, 3)
    client.force_login(bob)
    with django_assert_max_num_queries(24):
        response = client.get(reverse("home"))
    assert response.content.decode().count("steps that stuck") == pairs


def test_needing_attention_leaves_out_pairs_with_nothing_to_decide(oak, pairing, bob):
    assert needing_attention(bob.pk, [pairing], oak) == []
