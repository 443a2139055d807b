"""Lesson video in exports: the teacher's own subject access lists her clips; nothing of them
reaches the school's export, the DPO's subject access answer or the school's audit log."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from coachroom.records.school_data import school_export
from coachroom.records.subject_access import subject_access_data, subject_access_export
from coachroom.video.models import Clip, ClipComment
from coachroom.video.services import clip_share_with_coach, comment_add

TITLE = "Year 8 science"
COMMENT = "Wait time after the hinge question"


def _zip_text(out) -> str:
    with zipfile.ZipFile(io.BytesIO(out.read())) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


def _commented(clip, alice, bob):
    clip_share_with_coach(clip=clip, by=alice, on=True)
    comment_add(clip=clip, by=bob, at_seconds=1, text=COMMENT, key="c" * 32)


def test_the_teachers_own_subject_access_lists_her_clips_and_comments(clip, alice, bob):
    _commented(clip, alice, bob)
    videos = subject_access_data(alice, school=None)["lesson_videos"]
    assert [v["title"] for v in videos] == [TITLE]
    assert videos[0]["comments"][0]["comment"] == COMMENT
    text = _zip_text(subject_access_export(person=alice, by=alice, school=None))
    assert COMMENT in text


def test_the_schools_subject_access_answer_holds_no_clip(clip, alice, bob, dpo, oak):
    _commented(clip, alice, bob)
    text = _zip_text(subject_access_export(person=alice, by=dpo, school=oak))
    assert TITLE not in text and COMMENT not in text
    assert "video.clip" not in text  # not even an audit event naming one


def test_the_schools_export_holds_no_clip_comment_or_trace(clip, alice, bob, dpo, oak):
    _commented(clip, alice, bob)
    assert ClipComment.objects.exists()
    text = _zip_text(school_export(school=oak, by=dpo, reason="Annual copy"))
    assert TITLE not in text and COMMENT not in text and "video.clip" not in text


def test_a_teacher_anonymised_after_leaving_takes_her_clips_with_her(clip, alice):
    from coachroom.records.erasure import user_anonymise

    mp4 = clip.mp4.path
    user_anonymise(alice)
    assert not Clip.objects.exists()
    assert not Path(mp4).exists()
