"""Drop-ins captured offline: the device's outbox sends each save here (sync_views.py).

A drop-in started on a device carries the device's id for it (`client_id`), so the first
save creates it once however often it is retried; each save carries a one-off key and the
version it was made from. A retry of the save last applied is answered, not applied again; a
save made from an older version than the server's is a conflict, answered with the server's
copy for the coach to choose between; a save arriving after the submit changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, User
from coachroom.coaching import services
from coachroom.coaching.forms import DropInForm
from coachroom.coaching.models import Observation
from coachroom.core.errors import DomainError

STALE_FORM = (
    "This drop-in was saved again after this page was opened (on another device or in another "
    "tab), so nothing was written over. The form shows what is saved now; what you sent is "
    "below it. Copy back anything you want to keep, then save."
)
WRITTEN_LABELS = {
    "went_well": "What went well",
    "notes": "Notes",
    "suggested_focus": "Suggested focus for the meeting",
}


def is_stale(observation: Observation, posted: Any) -> bool:
    """A full-form post from a copy older than the saved draft. A reload re-sending the same
    post (same one-off key as the save it made) is not stale: it is that save again."""
    try:
        version = int(posted.get("version") or 0)
    except ValueError:
        return False
    if not version or version >= observation.version:
        return False
    return not (posted.get("once") and posted.get("once") == observation.last_save_key)


def written(posted: Any) -> dict[str, str]:
    """What the coach wrote in a post, by label, for showing beside the saved copy."""
    return {
        label: str(posted.get(name, "")).strip()
        for name, label in WRITTEN_LABELS.items()
        if str(posted.get(name, "")).strip()
    }


@dataclass
class SyncRequest:
    client_id: uuid.UUID
    base_version: int
    save_key: str
    submit: bool
    data: Any  # the form's fields as posted
    previous_key: str = ""  # the device's last save, sent but not answered


@dataclass
class SyncResult:
    outcome: str  # saved | submitted | conflict | invalid
    observation: Observation
    errors: dict[str, list[str]] = field(default_factory=dict)


def find_or_start(
    *, by: User, relationship: CoachingRelationship | None, client_id: uuid.UUID
) -> Observation | None:
    """The coach's drop-in with this device id; started now if there is none and a pair is
    given. Two tabs (or a retry racing the first save) both starting it make one."""
    mine = (
        Observation.objects.visible_to(by)
        .filter(observer=by, client_id=client_id)
        .select_related("relationship", "teacher", "school")
    )
    found = mine.first()
    if found is not None or relationship is None:
        return found
    try:
        with transaction.atomic():
            return services.observation_start(relationship=relationship, by=by, client_id=client_id)
    except IntegrityError:
        return mine.first()


def drop_in_sync(*, observation: Observation, by: User, sent: SyncRequest) -> SyncResult:
    """Apply one save from the device's outbox (see the module's docstring)."""
    if not observation.is_draft:
        return SyncResult("submitted", observation)
    if sent.save_key and sent.save_key == observation.last_save_key and not sent.submit:
        return SyncResult("saved", observation)  # a retry of the save already applied
    if sent.previous_key and sent.previous_key == observation.last_save_key:
        # The device's last save arrived but its answer did not: this save builds on it.
        sent.base_version = observation.version
    if sent.base_version != observation.version and sent.save_key != observation.last_save_key:
        return SyncResult("conflict", observation)
    steps = services.steps_to_look_for(observation.relationship)
    form = DropInForm(sent.data, instance=observation, steps=steps, submitting=sent.submit)
    valid = form.is_valid()
    if sent.save_key != observation.last_save_key:
        saved = services.observation_autosave(
            observation=observation,
            by=by,
            base_version=sent.base_version,
            save_key=sent.save_key,
            **form.typed_so_far(sent.data),
        )
        if not saved:  # submitted or saved elsewhere between the read and the write
            observation.refresh_from_db()
            return SyncResult("submitted" if not observation.is_draft else "conflict", observation)
    if not sent.submit:
        return SyncResult("saved", observation)
    if not valid:
        return SyncResult("invalid", observation, errors=_messages(form))
    try:
        submitted = services.observation_submit(
            observation=observation, by=by, ratings=form.ratings(), **form.observation_fields()
        )
    except DomainError as error:
        return SyncResult("invalid", observation, errors={"__all__": [str(error)]})
    return SyncResult("submitted", submitted)


def _messages(form: DropInForm) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def server_copy(observation: Observation) -> dict[str, Any]:
    """The saved drop-in as the device's form holds it: field name to value."""
    copy: dict[str, Any] = {
        name: getattr(observation, name) or "" for name in DropInForm.Meta.fields
    }
    observed_at = observation.observed_at
    copy["observed_at"] = f"{timezone.localtime(observed_at):%Y-%m-%dT%H:%M}" if observed_at else ""
    for step_pk, rating in observation.draft_ratings.items():
        copy[f"step_{step_pk}"] = rating
    return copy


def new_client_id() -> str:
    return str(uuid.uuid4())
