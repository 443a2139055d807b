"""Uploading: in chunks that resume after a dropped connection, or in one request without
JavaScript; wrong types and sizes refused clearly."""

from __future__ import annotations

from django.urls import reverse

from coachroom.video.models import Clip, VideoSettings
from coachroom.video.services import consent_give
from tests.video.clips import make_video

KEY = "a" * 32


def _start(client, size, **extra):
    fields = {"title": "Year 9 history", "owner": "me", "confirm_protocol": "on", "key": KEY}
    return client.post(
        reverse("video:upload"), {**fields, "size": size, **extra}, headers={"X-Upload": "chunked"}
    )


def _put(client, url, offset, data):
    return client.put(
        url, data, content_type="application/octet-stream", headers={"Upload-Offset": str(offset)}
    )


def test_a_chunked_upload_resumes_from_the_servers_offset_after_a_drop(client, alice, lesson_video):
    data = lesson_video.read_bytes()
    client.force_login(alice)
    started = _start(client, len(data)).json()
    assert started["offset"] == 0
    chunks = started["chunks"]
    assert _put(client, chunks, 0, data[:10_000]).json()["offset"] == 10_000
    # The connection dropped after the server stored the next chunk but before the phone
    # heard back: the phone asks where to carry on, and a resend of that chunk is refused.
    assert _put(client, chunks, 10_000, data[10_000:20_000]).status_code == 200
    assert client.get(chunks).json()["offset"] == 20_000
    stale = _put(client, chunks, 10_000, data[10_000:20_000])
    assert stale.status_code == 409 and stale.json()["offset"] == 20_000
    done = _put(client, chunks, 20_000, data[20_000:]).json()
    clip = Clip.objects.get(pk=done["clip"])
    assert clip.status == Clip.Status.READY
    assert clip.original.open("rb").read() == data  # every byte once, in order
    assert clip.owner == alice and clip.uploaded_by == alice


def test_starting_the_same_upload_twice_makes_one_clip(client, alice):
    client.force_login(alice)
    first = _start(client, 1000).json()
    second = _start(client, 1000).json()
    assert first["clip"] == second["clip"]
    assert Clip.objects.count() == 1


def test_a_file_over_the_schools_size_limit_is_refused_before_it_is_sent(client, alice, oak):
    VideoSettings.objects.create(school=oak, max_size_mb=10)
    client.force_login(alice)
    response = _start(client, 11 * 1024 * 1024)
    assert response.status_code == 400
    assert "your school's limit is 10 MB" in response.json()["errors"][0]
    assert not Clip.objects.exists()


def test_the_filming_protocol_must_be_confirmed(client, alice):
    client.force_login(alice)
    response = _start(client, 1000, confirm_protocol="")
    assert response.status_code == 400
    assert not Clip.objects.exists()


def test_a_chunk_past_the_end_of_the_file_is_refused(client, alice):
    client.force_login(alice)
    chunks = _start(client, 10).json()["chunks"]
    response = _put(client, chunks, 0, b"x" * 11)
    assert response.status_code == 400
    assert client.get(chunks).json()["offset"] == 0


def test_only_the_uploader_sends_chunks(client, alice, bob):
    client.force_login(alice)
    chunks = _start(client, 10).json()["chunks"]
    client.force_login(bob)
    assert _put(client, chunks, 0, b"x" * 10).status_code == 404
    assert client.get(chunks).status_code == 404


def test_without_javascript_the_form_uploads_the_whole_file(client, alice, lesson_video):
    client.force_login(alice)
    with lesson_video.open("rb") as video:
        response = client.post(
            reverse("video:upload"),
            {
                "title": "Year 7 maths",
                "owner": "me",
                "confirm_protocol": "on",
                "key": KEY,
                "file": video,
            },
        )
    clip = Clip.objects.get()
    assert response.status_code == 302 and response["Location"] == clip.get_absolute_url()
    assert clip.status == Clip.Status.READY


def test_without_javascript_a_wrong_type_is_refused_on_the_form(client, alice, tmp_path):
    renamed = tmp_path / "lesson.mp4"
    renamed.write_text("These are my lesson notes, not a video.")
    client.force_login(alice)
    with renamed.open("rb") as file:
        response = client.post(
            reverse("video:upload"),
            {"title": "Notes", "owner": "me", "confirm_protocol": "on", "key": KEY, "file": file},
        )
    assert response.status_code == 200
    assert "This file is not a video Coachroom can read." in response.content.decode()
    assert not Clip.objects.exists()


def test_a_coach_uploads_for_a_teacher_only_with_her_consent(client, alice, bob, pairing, tmp_path):
    video = make_video(tmp_path)
    client.force_login(bob)
    page = client.get(reverse("video:upload")).content.decode()
    assert "Alice" not in page  # no consent yet: only "my own lesson"
    consent_give(pair=pairing, by=alice)
    with video.open("rb") as file:
        client.post(
            reverse("video:upload"),
            {
                "title": "Alice, Y10",
                "owner": str(alice.pk),
                "confirm_protocol": "on",
                "key": KEY,
                "file": file,
            },
        )
    clip = Clip.objects.get()
    assert clip.owner == alice and clip.uploaded_by == bob
    assert clip.consent is not None and clip.consent.teacher == alice
    assert clip.shared_with_coach  # she can turn it off on the clip's page


def test_another_persons_upload_key_is_refused_not_taken_over(client, alice, carol):
    client.force_login(alice)
    _start(client, 1000)
    client.force_login(carol)
    response = _start(client, 1000)
    assert response.status_code == 400
    assert "Reload the upload page" in response.json()["errors"][0]
    assert Clip.objects.get().uploaded_by == alice
