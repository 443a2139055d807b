"""Tapering: moving a pair to a new rhythm, and when Coachroom suggests it.

Less contact needs both: one of the pair proposes, the other agrees (or declines). More contact
needs only one: either may step back up at once, as support should never wait on a second
signature. Either way the pair's slots follow through `scheduling.slot_change_cadence`, so
the sessions planned, the completion figures (which count planned sessions) and the reminders
(sent for planned sessions) all follow the new rhythm. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from coachroom import audit
from coachroom.accounts.models import CoachingRelationship, School, User
from coachroom.coaching.models import ActionStep
from coachroom.core.errors import DomainError
from coachroom.scheduling.models import ScheduledSlot
from coachroom.scheduling.services import slot_change_cadence
from coachroom.scheduling.tapering.models import WEEKS_APART, Cadence, CadenceChange

State = CadenceChange.State
NEXT_DOWN = {Cadence.WEEKLY: Cadence.FORTNIGHTLY, Cadence.FORTNIGHTLY: Cadence.MONTHLY}


@dataclass(frozen=True)
class Suggestion:
    """Coachroom's nudge: the pair has secured this many steps that stuck since they last
    changed rhythm (or began), at least the school's number, so they might meet less often."""

    pair: CoachingRelationship
    stuck: int
    to: str

    @property
    def to_label(self) -> str:
        return str(Cadence(self.to).label).lower()


def _require_party(pair: CoachingRelationship, by: User) -> None:
    if by.pk not in (pair.coach_id, pair.coachee_id):
        raise DomainError(
            "Only the coach and the teacher in this pair can change how often they meet."
        )
    if not pair.is_current:
        raise DomainError("This coaching pair has ended.")
    if pair.kind == CoachingRelationship.Kind.ECF:
        raise DomainError(
            "An ECT's mentoring follows their induction: weekly in the first year, fortnightly "
            "in the second."
        )


def is_less_often(current: str, to: str) -> bool:
    return WEEKS_APART[to] > WEEKS_APART[current]


@dataclass(frozen=True)
class Proposal:
    """An open proposal, as the pages need it: what to, and who proposed it."""

    pk: int
    to: str
    by_id: int

    @property
    def to_label(self) -> str:
        return str(Cadence(self.to).label)


@dataclass(frozen=True)
class PairState:
    # the teacher's steps at the school that stuck since the pair last changed rhythm (or
    # ever): expertise carries over a new year's pairing, and a step back up starts it again
    stuck: int
    proposal: Proposal | None


_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # before any pair: "since it began"


def pair_states(pair_ids: list[int]) -> dict[int, PairState]:
    """For each pair, the teacher's steps at the school that stuck since the pair last changed
    rhythm (or ever), and its open proposal: one query for any number of pairs, none without."""
    if not pair_ids:
        return {}
    last_change = (
        CadenceChange.objects.filter(relationship=OuterRef(OuterRef("pk")), state=State.AGREED)
        .order_by("-decided_at", "-pk")
        .values("decided_at")[:1]
    )
    # a count of step states, never what was written: through the gate's `activity_in`
    pair_school = School.objects.filter(pk=OuterRef(OuterRef("school"))).values("pk")
    stuck = (
        ActionStep.objects.activity_in(pair_school)
        .filter(teacher=OuterRef("coachee"), stuck_at__isnull=False)
        .filter(stuck_at__gt=Coalesce(Subquery(last_change), Value(_EPOCH)))
        .order_by()
        .values("teacher")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_ = CadenceChange.objects.filter(relationship=OuterRef("pk"), state=State.PROPOSED)
    rows = (
        CoachingRelationship.objects.filter(pk__in=pair_ids)
        .annotate(
            stuck=Coalesce(Subquery(stuck), Value(0)),
            open_pk=Subquery(open_.values("pk")[:1]),
            open_to=Subquery(open_.values("to_cadence")[:1]),
            open_by=Subquery(open_.values("proposed_by")[:1]),
        )
        .order_by()
        .values_list("pk", "stuck", "open_pk", "open_to", "open_by")
    )
    return {
        pk: PairState(n, Proposal(open_pk, open_to, open_by) if open_pk else None)
        for pk, n, open_pk, open_to, open_by in rows
    }


def may_taper(pair: CoachingRelationship) -> bool:
    """A current pair outside ECT mentoring (which follows the induction's rhythm)."""
    return pair.is_current and pair.kind != CoachingRelationship.Kind.ECF


def suggestion_for(
    pair: CoachingRelationship, state: PairState, school: School
) -> Suggestion | None:
    """Coachroom's nudge for a pair not already deciding, once enough steps have stuck."""
    if not may_taper(pair) or pair.cadence not in NEXT_DOWN or state.proposal is not None:
        return None
    if state.stuck < school.taper_after_steps:
        return None
    return Suggestion(pair, state.stuck, NEXT_DOWN[Cadence(pair.cadence)])


def suggestions(pairs: list[CoachingRelationship], school: School) -> list[Suggestion]:
    """The school's pairs Coachroom suggests meet less often: one query."""
    states = pair_states([p.pk for p in pairs if may_taper(p) and p.school_id == school.pk])
    found = (suggestion_for(p, states[p.pk], school) for p in pairs if p.pk in states)
    return [s for s in found if s is not None]


def _audit(change: CadenceChange, by: User, action: str) -> None:
    audit.record(
        actor=by,
        action=f"programme.cadence.{action}",
        school=change.relationship.school,
        target=change.relationship,
        subject=change.relationship.coachee,
        data={"from": change.from_cadence, "to": change.to_cadence},
    )


def _apply(change: CadenceChange, *, by: User, today: dt.date) -> list[ScheduledSlot]:
    """The pair and its active slots take the new rhythm from today (a clash raises and rolls
    everything back: the pair keeps its rhythm)."""
    pair = change.relationship
    pair.cadence = change.to_cadence
    pair.save(update_fields=["cadence"])
    slots = ScheduledSlot.objects.filter(relationship=pair, is_active=True).select_related(
        "relationship__coachee", "school"
    )
    return [
        slot_change_cadence(slot=slot, cadence=change.to_cadence, from_date=today, by=by)
        for slot in slots.order_by("kind", "pk")
    ]


@transaction.atomic
def cadence_propose(*, pair: CoachingRelationship, by: User, to: str) -> CadenceChange:
    """One of the pair proposes meeting less often; the other agrees or declines. A second
    tap, or the other proposing the same at the same time, finds the open proposal."""
    pair = CoachingRelationship.objects.select_for_update().select_related("school").get(pk=pair.pk)
    _require_party(pair, by)
    if not is_less_often(pair.cadence, to):
        raise DomainError("To meet more often, step back up: no agreement is needed for that.")
    found = CadenceChange.objects.filter(relationship=pair, state=State.PROPOSED).first()
    if found is not None:
        if found.to_cadence == to:
            return found
        raise DomainError("A change of rhythm is already waiting to be agreed: answer that first.")
    try:
        with transaction.atomic():
            change = CadenceChange.objects.create(
                school_id=pair.school_id,
                relationship=pair,
                from_cadence=pair.cadence,
                to_cadence=to,
                proposed_by=by,
                proposed_at=timezone.now(),
            )
    except IntegrityError:  # the other tap got there first
        return CadenceChange.objects.get(relationship=pair, state=State.PROPOSED)
    _audit(change, by, "proposed")
    return change


def _open_change(change: CadenceChange) -> CadenceChange:
    return (
        CadenceChange.objects.select_for_update()
        .select_related("relationship__school", "relationship__coachee")
        .get(pk=change.pk)
    )


@transaction.atomic
def cadence_agree(*, change: CadenceChange, by: User) -> CadenceChange:
    """The other of the pair agrees: the pair and its slots move to the new rhythm."""
    change = _open_change(change)
    _require_party(change.relationship, by)
    if change.state == State.AGREED:
        return change  # a double tap
    if not change.is_open:
        raise DomainError("This proposal was already answered.")
    if by.pk == change.proposed_by_id:
        raise DomainError("You proposed this: the other of you agrees to it.")
    change.state, change.decided_by, change.decided_at = State.AGREED, by, timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    _apply(change, by=by, today=timezone.localdate())
    _audit(change, by, "agreed")
    return change


@transaction.atomic
def cadence_decline(*, change: CadenceChange, by: User) -> CadenceChange:
    """The other declines, or the proposer withdraws: nothing changes."""
    change = _open_change(change)
    _require_party(change.relationship, by)
    if not change.is_open:
        return change  # already answered: a double tap, or both answering at once
    change.state = State.WITHDRAWN if by.pk == change.proposed_by_id else State.DECLINED
    change.decided_by, change.decided_at = by, timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    _audit(change, by, str(change.state))
    return change


@transaction.atomic
def cadence_step_up(*, pair: CoachingRelationship, by: User, to: str) -> CadenceChange:
    """Either of the pair moves it to more contact at once; an open proposal to meet less
    often is withdrawn."""
    pair = CoachingRelationship.objects.select_for_update().select_related("school").get(pk=pair.pk)
    _require_party(pair, by)
    if pair.cadence == to:
        latest = CadenceChange.objects.filter(relationship=pair, state=State.AGREED).first()
        if latest is not None and latest.to_cadence == to:
            return latest  # a double tap
    if not is_less_often(to, pair.cadence):
        raise DomainError("Stepping back up means meeting more often than now.")
    now = timezone.now()
    CadenceChange.objects.filter(relationship=pair, state=State.PROPOSED).update(
        state=State.WITHDRAWN, decided_by=by, decided_at=now
    )
    change = CadenceChange.objects.create(
        school_id=pair.school_id,
        relationship=pair,
        from_cadence=pair.cadence,
        to_cadence=to,
        proposed_by=by,
        proposed_at=now,
        state=State.AGREED,
        decided_by=by,
        decided_at=now,
    )
    _apply(change, by=by, today=timezone.localdate())
    _audit(change, by, "stepped_up")
    return change
