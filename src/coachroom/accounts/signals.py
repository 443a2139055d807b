"""Signals people and schools send, so that other apps can react without accounts depending
on them (coaching imports accounts, never the other way round)."""

from django.dispatch import Signal

# sender=CoachingRelationship, relationship=..., by=User | None. Sent inside the transaction
# that ends the pair; coaching archives the pair's open steps.
pair_ended = Signal()
# sender=User, user=..., reason="password_reset" | "email_changed". The person's secrets were
# reset: anything that grants access without signing in (calendar addresses) is revoked.
credentials_changed = Signal()
