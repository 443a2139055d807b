"""Signals scheduling sends, so that reporting can keep its counters without scheduling
depending on it."""

from django.dispatch import Signal

# sender=SessionOccurrence, school_id=int, pair_ids=list[int], days=list[date]. Sent inside the
# transaction of a bulk write (slot creation, a slot's end) that skipped `save()`: the sessions
# of these pairs on these days changed.
sessions_changed = Signal()
