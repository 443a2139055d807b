"""The clip's page: comments, sharing, keeping, who watched; my lesson videos."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.video.models import Clip, ClipComment
from coachroom.video.services import clip_share_add, clip_share_with_coach
from tests.factories import make_step
from tests.video.clips import upload_clip

KEY = "b" * 32


def test_a_comment_is_timestamped_and_tagged_to_the_owners_step(client, clip, alice, pairing):
    step = make_step(pairing)
    client.force_login(alice)
    response = client.post(
        reverse("video:comment", args=[clip.pk]),
        {"at": "0:01", "text": "Scan before the key point", "tag": f"step:{step.pk}", "key": KEY},
    )
    assert response.status_code == 302
    comment = ClipComment.objects.get()
    assert (comment.at_seconds, comment.step, comment.author) == (1, step, alice)
    page = client.get(clip.get_absolute_url()).content.decode()
    assert f'href="/video/{clip.pk}/clip.mp4#t=1" data-seek="1"' in page
    assert "Scan before the key point" in page


def test_the_same_comment_sent_twice_is_one_comment(client, clip, alice):
    client.force_login(alice)
    data = {"at": "1", "text": "Pause", "tag": "section:4", "key": KEY}
    client.post(reverse("video:comment", args=[clip.pk]), data)
    client.post(reverse("video:comment", args=[clip.pk]), data, headers={"HX-Request": "true"})
    assert ClipComment.objects.get().framework_section == 4


def test_a_comment_after_the_end_of_the_clip_is_refused(client, clip, alice):
    client.force_login(alice)
    response = client.post(
        reverse("video:comment", args=[clip.pk]), {"at": "9:00", "text": "Late", "key": KEY}
    )
    assert response.status_code == 400
    assert "after the end of the clip" in response.content.decode()
    assert not ClipComment.objects.exists()


def test_a_peer_comments_on_the_owners_clip_and_sees_her_steps(client, clip, alice, carol, pairing):
    step = make_step(pairing)
    clip_share_add(clip=clip, by=alice, colleague=carol)
    client.force_login(carol)
    page = client.get(clip.get_absolute_url()).content.decode()
    assert step.title in page and "Who watched" not in page
    client.post(
        reverse("video:comment", args=[clip.pk]),
        {"at": "0:02", "text": "Nice wait time", "tag": f"step:{step.pk}", "key": KEY},
    )
    assert ClipComment.objects.get().author == carol


def test_every_watch_by_someone_else_is_audited_and_shown_to_the_owner(client, clip, alice, bob):
    clip_share_with_coach(clip=clip, by=alice, on=True)
    client.force_login(bob)
    client.get(clip.get_absolute_url())
    event = AuditEvent.objects.get(action="video.clip.viewed")
    assert (event.actor, event.subject) == (bob, alice)
    client.force_login(alice)
    client.get(clip.get_absolute_url())
    assert AuditEvent.objects.filter(action="video.clip.viewed").count() == 1  # hers are not
    page = client.get(clip.get_absolute_url()).content.decode()
    assert "Who watched" in page and bob.full_name in page


def test_the_owner_shares_with_her_coach_and_stops(client, clip, alice, bob):
    client.force_login(alice)
    client.post(reverse("video:share-coach", args=[clip.pk]), {"on": "yes"})
    clip.refresh_from_db()
    assert clip.shared_with_coach
    client.post(reverse("video:share-coach", args=[clip.pk]), {"on": "no"})
    client.force_login(bob)
    assert client.get(clip.get_absolute_url()).status_code == 404


def test_the_owner_keeps_and_deletes_a_clip(client, clip, alice):
    client.force_login(alice)
    client.post(reverse("video:keep", args=[clip.pk]), {"on": "yes"})
    clip.refresh_from_db()
    assert clip.keep
    mp4 = clip.mp4.path
    client.post(reverse("video:delete", args=[clip.pk]))
    assert not Clip.objects.exists()
    from pathlib import Path

    assert not Path(mp4).exists()


def test_a_processing_clip_polls_and_a_failed_one_says_why(client, clip, alice):
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.PROCESSING)
    client.force_login(alice)
    page = client.get(clip.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 3s"' in page
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.FAILED, failure_reason="Too long.")
    fragment = client.get(reverse("video:status", args=[clip.pk]), headers={"HX-Request": "true"})
    assert "Too long." in fragment.content.decode()
    assert "every 3s" not in fragment.content.decode()


def test_the_comment_track_escapes_markup(client, clip, alice):
    ClipComment.objects.create(
        school=clip.school, clip=clip, author=alice, at_seconds=1, text="<b>a</b> --> b", key=KEY
    )
    client.force_login(alice)
    track = client.get(reverse("video:comment-track", args=[clip.pk])).content.decode()
    assert track.startswith("WEBVTT")
    assert "00:00:01.000 --> 00:00:05.000" in track
    assert "&lt;b&gt;a&lt;/b&gt; --&gt; b" in track


@pytest.mark.parametrize("rows", [1, 6])
def test_my_lesson_videos_queries_do_not_grow(
    client, alice, bob, lesson_video, rows, django_assert_max_num_queries, pairing
):
    for n in range(rows):
        upload_clip(alice, lesson_video, title=f"Clip {n}")
    client.force_login(alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("video:mine"))
    assert response.content.decode().count("/video/") >= rows


@pytest.mark.parametrize("rows", [1, 6])
def test_a_clips_page_queries_do_not_grow_with_comments(
    client, clip, alice, rows, django_assert_max_num_queries
):
    for n in range(rows):
        ClipComment.objects.create(
            school=clip.school, clip=clip, author=alice, at_seconds=n, text="x", key=f"{n:032d}"
        )
    client.force_login(alice)
    with django_assert_max_num_queries(22):
        response = client.get(clip.get_absolute_url())
    assert response.status_code == 200


def test_the_school_admin_sets_the_filming_protocol_and_limits(client, admin, oak):
    from coachroom.video.models import VideoSettings

    client.force_login(admin)
    response = client.post(
        reverse("video:settings"),
        {
            "filming_protocol": "No filming in PE.",
            "max_size_mb": 500,
            "max_minutes": 15,
            "keep_days": 30,
        },
    )
    assert response.status_code == 302
    saved = VideoSettings.for_school(oak)
    assert (saved.filming_protocol, saved.max_bytes, saved.max_seconds) == (
        "No filming in PE.",
        500 * 1024 * 1024,
        900,
    )
    client.force_login(admin)
    assert "No filming in PE." in client.get(reverse("video:upload")).content.decode()


def test_the_teacher_gives_and_withdraws_consent_for_her_coach_to_upload(
    client, alice, bob, pairing
):
    from coachroom.video.services import consent_for

    client.force_login(alice)
    client.post(reverse("video:consent"), {"pair": pairing.pk, "on": "yes"})
    assert consent_for(pairing) is not None
    client.force_login(bob)
    assert "Alice" in client.get(reverse("video:upload")).content.decode()
    client.force_login(alice)
    client.post(reverse("video:consent"), {"pair": pairing.pk, "on": "no"})
    assert consent_for(pairing) is None


def test_the_coach_cannot_consent_for_the_teacher(client, bob, pairing):
    from coachroom.video.services import consent_for

    client.force_login(bob)
    assert (
        client.post(reverse("video:consent"), {"pair": pairing.pk, "on": "yes"}).status_code == 404
    )
    assert consent_for(pairing) is None
