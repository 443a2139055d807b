"""Recount the dashboards' counters when the rows they count change, in the same transaction.

`save()` and `delete()` of sessions, steps and step history arrive as model signals; bulk
writes that skip `save()` send `scheduling.signals.sessions_changed`. Rows loaded raw (a
restore) are skipped: the restore rebuilds every counter at its end.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from coachroom.coaching.models import ActionStep, StepTransition
from coachroom.reporting import counters
from coachroom.scheduling.models import SessionOccurrence
from coachroom.scheduling.signals import sessions_changed

# Sessions -------------------------------------------------------------------------------------


@receiver(pre_save, sender=SessionOccurrence)
def session_before(sender: Any, instance: SessionOccurrence, raw: bool = False, **_: Any) -> None:
    """Remember the bucket the session was in, in case the save moves it."""
    before = None
    if not raw and instance.pk is not None:
        before = (
            SessionOccurrence.objects.filter(pk=instance.pk)
            .values_list("school_id", "relationship_id", "starts_at")
            .first()
        )
    instance._counted_before = before  # type: ignore[attr-defined]


def _recount_session(*keys: tuple[int, int, Any] | None) -> None:
    by_school: dict[int, tuple[set[int], set[Any]]] = {}
    for key in keys:
        if key is not None:
            school_id, pair_id, starts_at = key
            pairs, days = by_school.setdefault(school_id, (set(), set()))
            pairs.add(pair_id)
            days.add(counters.local_day(starts_at))
    for school_id, (pairs, days) in by_school.items():
        counters.recount_sessions(school_id=school_id, pair_ids=pairs, days=days)


@receiver(post_save, sender=SessionOccurrence)
def session_saved(sender: Any, instance: SessionOccurrence, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    _recount_session(
        getattr(instance, "_counted_before", None),
        (instance.school_id, instance.relationship_id, instance.starts_at),
    )


@receiver(post_delete, sender=SessionOccurrence)
def session_deleted(sender: Any, instance: SessionOccurrence, **_: Any) -> None:
    _recount_session((instance.school_id, instance.relationship_id, instance.starts_at))


@receiver(sessions_changed)
def sessions_bulk_changed(
    sender: Any, school_id: int, pair_ids: list[int], days: list[Any], **_: Any
) -> None:
    counters.recount_sessions(school_id=school_id, pair_ids=pair_ids, days=days)


# Steps and their history ----------------------------------------------------------------------


@receiver(pre_save, sender=ActionStep)
def step_before(sender: Any, instance: ActionStep, raw: bool = False, **_: Any) -> None:
    before = None
    if not raw and instance.pk is not None:
        before = (
            ActionStep.objects.activity_in([instance.school_id])
            .filter(pk=instance.pk)
            .values_list("school_id", "state")
            .first()
        )
    instance._counted_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=ActionStep)
def step_saved(sender: Any, instance: ActionStep, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_counted_before", None)
    if before is not None and before[0] != instance.school_id:
        counters.recount_steps(school_id=before[0], states=[before[1]])
        before = None
    states = {instance.state} if before is None else {instance.state, before[1]}
    counters.recount_steps(school_id=instance.school_id, states=states)


@receiver(post_delete, sender=ActionStep)
def step_deleted(sender: Any, instance: ActionStep, **_: Any) -> None:
    counters.recount_steps(school_id=instance.school_id, states=[instance.state])


def _transition_changed(transition: StepTransition) -> None:
    if transition.event == "secured":
        counters.recount_secured(
            school_id=transition.school_id, days=[counters.local_day(transition.at)]
        )
    elif transition.event == "reopened":
        # a stick-check that slipped: counted against the step, whatever its state now
        counters.recount_steps(school_id=transition.school_id)


@receiver(post_save, sender=StepTransition)
def transition_saved(sender: Any, instance: StepTransition, raw: bool = False, **_: Any) -> None:
    if not raw:
        _transition_changed(instance)


@receiver(post_delete, sender=StepTransition)
def transition_deleted(sender: Any, instance: StepTransition, **_: Any) -> None:
    _transition_changed(instance)
