"""Who may reach a clip. Views call these and never filter clips by hand.

Anyone the owner has not shared a clip with gets the same 404 as for a clip that does not
exist: a leader, a school admin or a trust admin included. Someone who may watch a clip but not
change its sharing (its coach or a named colleague) gets 403 on the owner's actions.

Other apps (the self-review of a clip) call `clips_visible_to(user)`: it is the whole rule.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from coachroom.accounts.models import User
from coachroom.video.models import Clip, ClipQuerySet


def clips_visible_to(user: User) -> ClipQuerySet:
    """Every clip `user` may watch, in any school."""
    return Clip.objects.visible_to(user)


def can_watch(user: User, clip: Clip) -> bool:
    return clips_visible_to(user).filter(pk=clip.pk).exists()


def get_clip_for_user(user: User, pk: int) -> Clip:
    qs = clips_visible_to(user).select_related("owner", "uploaded_by", "school")
    return get_object_or_404(qs, pk=pk)


def get_own_clip(user: User, pk: int) -> Clip:
    """The owner's actions (sharing, keeping, deleting): 404 to strangers, 403 to viewers."""
    clip = get_clip_for_user(user, pk)
    if clip.owner_id != user.pk:
        raise PermissionDenied("Only the teacher in the clip decides who sees it.")
    return clip
