"""Subject access (records/subject_access.py): a zip of everything held about one person."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from coachroom.accounts.models import Membership
from coachroom.audit.models import AuditEvent
from coachroom.coaching import services
from coachroom.records.subject_access import subject_access_data
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory
from tests.records.conftest import NOTES, PRAISE, REFLECTION, ROUND, STEP_TITLE, make_history

MY_DATA = reverse("records:my-data")
SAR = reverse("records:subject-access")


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _data(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("data.json"))


def test_admin_answers_a_request_with_data_and_a_readable_page(client, admin, alice, oak, history):
    client.force_login(admin)
    membership = Membership.objects.get(user=alice, school=oak)
    archive = _zip(client.post(SAR, {"person": membership.pk}))
    assert sorted(archive.namelist()) == ["data.json", "index.html"]
    data = _data(archive)
    assert data["person"]["email"] == "alice@oak.example"
    assert "password" not in json.dumps(data["person"])
    (step,) = data["action_steps"]
    assert step["title"] == STEP_TITLE
    assert [h["reason"] for h in step["history"]][-1] == "Mock exams for two weeks"
    (drop_in,) = data["drop_ins_about_you"]
    assert drop_in["notes"] == NOTES
    assert drop_in["step_evidence"] == [
        {"step": STEP_TITLE, "rating": "Partly", "did_it_stick_check": False}
    ]
    (meeting,) = data["feedback_meetings_about_you"]
    assert meeting["precise_praise"] == PRAISE
    assert meeting["your_reflection"] == REFLECTION
    assert meeting["rehearsal_rounds"][0]["tried"] == ROUND
    assert meeting["follows_drop_ins"] == [drop_in["id"]]
    assert {s["kind"] for s in data["sessions"]} == {"Drop-in", "Feedback meeting"}
    about = {e["what"] for e in data["audit_events_about_you"]}
    assert "coaching.observation.submitted" in about
    assert "coaching.meeting.reflected" in {e["what"] for e in data["audit_events_by_you"]}

    page = archive.read("index.html").decode()
    assert NOTES in page
    assert REFLECTION in page
    assert "coaching.observation.submitted" in page
    # self-contained: nothing fetched from anywhere
    assert not re.search(r"<(link|script|img)\b", page)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)

    event = AuditEvent.objects.get(action="records.subject_access.exported")
    assert (event.actor, event.subject, event.school) == (admin, alice, oak)
    assert event.data == {"scope": "school"}


def test_html_in_notes_is_shown_as_text(admin, alice, oak, pairing):
    history = make_history(pairing)
    services.meeting_reflect(meeting=history.meeting, by=alice, reflection="<script>x()</script>")
    from coachroom.records.subject_access import write_subject_access_zip

    out = io.BytesIO()
    write_subject_access_zip(subject_access_data(alice, school=oak), out)
    page = zipfile.ZipFile(out).read("index.html").decode()
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page


def test_anyone_downloads_their_own_data(client, alice, history):
    client.force_login(alice)
    assert client.get(MY_DATA).status_code == 200
    data = _data(_zip(client.post(MY_DATA)))
    assert data["scope"] == "Everything, in every school"
    assert data["drop_ins_about_you"][0]["notes"] == NOTES
    event = AuditEvent.objects.get(action="records.subject_access.exported")
    assert (event.actor, event.subject, event.school) == (alice, alice, None)


def test_a_coach_sees_what_they_wrote_about_others_listed_without_notes(client, bob, history):
    client.force_login(bob)
    data = _data(_zip(client.post(MY_DATA)))
    assert data["drop_ins_about_you"] == []
    written = data["records_you_wrote_about_others"]
    assert [d["teacher"] for d in written["drop_ins"]] == ["Alice Example"]
    assert len(written["meetings"]) == 1
    dumped = json.dumps(data)
    assert NOTES not in dumped
    assert PRAISE not in dumped
    assert [p["your_role"] for p in data["coaching_pairs"]] == ["coach"]


def test_unpublished_drafts_are_counted_for_the_teacher_but_given_to_the_school(
    client, admin, alice, bob, oak, pairing
):
    draft = services.observation_start(relationship=pairing, by=bob)
    services.observation_autosave(observation=draft, by=bob, notes="Still writing this up")
    mine = subject_access_data(alice, school=None)
    assert mine["drop_ins_about_you"] == []
    assert mine["drop_ins_not_yet_published"] == 1
    schools = subject_access_data(alice, school=oak)
    assert schools["drop_ins_about_you"][0]["notes"] == "Still writing this up"
    assert schools["drop_ins_about_you"][0]["status"] == "Draft"


def test_a_school_answers_only_for_what_it_holds(alice, oak, elm, pairing):
    make_history(pairing)
    Membership.objects.create(user=alice, school=elm)
    elm_pair = RelationshipFactory(school=elm, coachee=alice)
    make_history(elm_pair)
    assert len(subject_access_data(alice, school=oak)["drop_ins_about_you"]) == 1
    assert len(subject_access_data(alice, school=elm)["drop_ins_about_you"]) == 1
    assert len(subject_access_data(alice, school=None)["drop_ins_about_you"]) == 2
    assert [m["school"] for m in subject_access_data(alice, school=elm)["memberships"]] == [
        elm.name
    ]


def test_leavers_can_be_chosen(client, admin, alice, oak):
    membership = Membership.objects.get(user=alice, school=oak)
    membership.is_active = False
    membership.save()
    client.force_login(admin)
    page = client.get(SAR)
    assert b"Example, Alice (alice@oak.example) \xe2\x80\x93 left" in page.content
    assert client.post(SAR, {"person": membership.pk}).status_code == 200


def test_an_admin_cannot_reach_people_in_another_school(client, outsider, alice, oak):
    client.force_login(outsider)
    response = client.post(SAR, {"person": Membership.objects.get(user=alice, school=oak).pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Select a valid choice" in response.content
    assert not AuditEvent.objects.filter(action="records.subject_access.exported").exists()


@pytest.mark.parametrize("who", ["alice", "bob", "lead", "head"])
def test_only_school_admins_answer_requests(client, request, who, alice, oak):
    client.force_login(request.getfixturevalue(who))
    membership = Membership.objects.get(user=alice, school=oak)
    assert client.post(SAR, {"person": membership.pk}).status_code == 403


@pytest.mark.parametrize("staff", [1, 20])
def test_the_request_page_queries_do_not_grow(
    client, admin, oak, staff, django_assert_max_num_queries
):
    for _ in range(staff):
        MembershipFactory(school=oak, user=UserFactory())
    client.force_login(admin)
    # session, user, membership (3); the people joined to their accounts (1); the session
    # saved (3)
    with django_assert_max_num_queries(7):
        response = client.get(SAR)
    assert response.status_code == 200


@pytest.mark.parametrize("cycles", [1, 3])
def test_the_export_queries_do_not_grow(alice, pairing, cycles, django_assert_max_num_queries):
    import datetime as dt

    for day in (5, 12, 19)[:cycles]:
        history = make_history(pairing, on=dt.date(2026, 10, day))
        services.step_withdraw(step=history.step, by=alice, reason="Wrong step")
    # one query per section (prefetches included), whatever the number of records
    with django_assert_max_num_queries(19):
        subject_access_data(alice, school=None)


def test_the_page_shows_dates_as_people_write_them():
    from coachroom.records.subject_access import readable

    data = {
        "when": "2026-10-05T08:00:00+00:00",
        "day": "2026-10-05",
        "naive": "2026-10-05T08:00:00",
        "odd": "2026-13-45T99:99",
        "list": [{"at": "2026-10-05"}],
        "count": 3,
    }
    assert readable(data) == {
        "when": "5 Oct 2026, 09:00",  # British Summer Time
        "day": "5 Oct 2026",
        "naive": "5 Oct 2026, 08:00",
        "odd": "2026-13-45T99:99",
        "list": [{"at": "5 Oct 2026"}],
        "count": 3,
    }
