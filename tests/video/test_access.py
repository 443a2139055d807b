"""Only the teacher decides who sees a clip: nobody, their current coach, named colleagues.
No role grants anything; access ends the moment a share, a pair or a membership ends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import Membership
from coachroom.video.access import clips_visible_to
from coachroom.video.services import clip_share_add, clip_share_revoke, clip_share_with_coach


def _sees(user, clip) -> bool:
    return clips_visible_to(user).filter(pk=clip.pk).exists()


@pytest.mark.parametrize(
    "who", ["bob", "carol", "lead", "head", "admin", "dpo", "tess", "outsider"]
)
def test_nobody_but_the_owner_sees_an_unshared_clip(request, clip, alice, who):
    assert _sees(alice, clip)
    assert not _sees(request.getfixturevalue(who), clip)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("bob", True),
        ("carol", False),
        ("lead", False),
        ("head", False),
        ("admin", False),
        ("dpo", False),
    ],
)
def test_sharing_with_the_coach_lets_only_the_current_coach_in(request, clip, alice, who, sees):
    clip_share_with_coach(clip=clip, by=alice, on=True)
    assert _sees(request.getfixturevalue(who), clip) is sees


def test_the_coachs_access_ends_with_the_pair(clip, alice, bob, pairing):
    clip_share_with_coach(clip=clip, by=alice, on=True)
    pairing.ended_on = timezone.localdate()
    pairing.save()
    assert not _sees(bob, clip)


def test_the_coachs_access_ends_when_they_leave_the_school(clip, alice, bob):
    clip_share_with_coach(clip=clip, by=alice, on=True)
    Membership.objects.filter(user=bob).update(is_active=False)
    assert not _sees(bob, clip)


def test_a_named_colleague_sees_it_until_the_share_is_revoked(clip, alice, carol, head):
    share = clip_share_add(clip=clip, by=alice, colleague=carol)
    assert _sees(carol, clip) and not _sees(head, clip)
    clip_share_revoke(share=share, by=alice)
    assert not _sees(carol, clip)


def test_a_clip_cannot_be_shared_outside_the_school(clip, alice, outsider):
    from coachroom.core.errors import DomainError

    with pytest.raises(DomainError):
        clip_share_add(clip=clip, by=alice, colleague=outsider)


def test_a_trust_admin_never_sees_a_clip(clip, alice, oak):
    from tests.factories import UserFactory

    trusty = UserFactory()
    oak.trust.admins.add(trusty)
    assert not _sees(trusty, clip)


@pytest.mark.parametrize(
    "name", ["video:clip", "video:video", "video:poster", "video:comment-track"]
)
@pytest.mark.parametrize("who", ["head", "admin", "lead", "dpo", "outsider"])
def test_leaders_and_admins_get_404_even_when_the_coach_may_watch(
    request, client, clip, alice, name, who
):
    clip_share_with_coach(clip=clip, by=alice, on=True)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name, args=[clip.pk])).status_code == 404


def test_the_coach_cannot_change_who_sees_it(client, clip, alice, bob, carol):
    clip_share_with_coach(clip=clip, by=alice, on=True)
    client.force_login(bob)
    response = client.post(reverse("video:share", args=[clip.pk]), {"colleague": carol.pk})
    assert response.status_code == 403
    assert not _sees(carol, clip)


def test_a_clip_past_its_date_is_still_only_the_owners(clip, alice):
    clip.delete_after = timezone.now() - dt.timedelta(days=1)
    clip.save()
    assert list(clips_visible_to(alice)) == [clip]
