"""Subject access (records/subject_access.py): a zip of everything held about one person."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from coachroom.accounts.models import Membership
from coachroom.audit.models import AuditEvent
from coachroom.coaching import meetings, services
from coachroom.leading import walks
from coachroom.records.subject_access import subject_access_data, write_subject_access_zip
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory
from tests.records.history import (
    GOAL_MEASURE,
    GOAL_METHOD,
    GOAL_STATEMENT,
    NOTES,
    PRAISE,
    READING_NOTE,
    REFLECTION,
    REVIEW_NOTES,
    REVIEW_STEP,
    ROUND,
    STEP_TITLE,
    THANKS_MESSAGE,
    WALK_FOCUS,
    WALK_NOTE,
    WALK_SEEN,
    WALK_STEP,
    make_goal,
    make_history,
    make_review,
    make_thanks,
    make_walk_visit,
)

MY_DATA = reverse("records:my-data")
SAR = reverse("records:subject-access")


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _data(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("data.json"))


def _page(data: dict) -> str:
    out = io.BytesIO()
    write_subject_access_zip(data, out)
    return zipfile.ZipFile(out).read("index.html").decode()


def test_the_data_protection_lead_answers_a_request_with_data_and_a_readable_page(
    client, dpo, alice, oak, history
):
    client.force_login(dpo)
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
    assert (event.actor, event.subject, event.school) == (dpo, alice, oak)
    assert event.data == {"scope": "school"}


def test_the_person_sees_who_answered_a_request_about_them(client, dpo, alice, oak, history):
    client.force_login(dpo)
    _zip(client.post(SAR, {"person": Membership.objects.get(user=alice, school=oak).pk}))
    client.force_login(alice)
    page = client.get(reverse("audit:my-views"))
    (entry,) = [e for e in page.context["entries"] if e.event.actor == dpo]
    assert entry.event.action == "records.subject_access.exported"
    assert "Downloaded everything held about a person" in page.content.decode()


def test_a_school_admin_cannot_answer_a_request(client, admin, alice, oak, history):
    """The README says school admins never read notes; subject access would give them all."""
    client.force_login(admin)
    assert client.get(SAR).status_code == 403
    response = client.post(SAR, {"person": Membership.objects.get(user=alice, school=oak).pk})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="records.subject_access.exported").exists()


def test_html_in_notes_is_shown_as_text(alice, oak, pairing):
    history = make_history(pairing)
    meetings.meeting_reflect(meeting=history.meeting, by=alice, reflection="<script>x()</script>")
    page = _page(subject_access_data(alice, school=oak))
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
    client, alice, bob, oak, pairing
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


# Learning walks, reviews of coaching, thanks and goals ------------------------------------------


def test_the_teacher_gets_walk_visits_thanks_and_goals_in_full(oak, alice, head, pairing):
    visit = make_walk_visit(school=oak, leader=head, pair=pairing)
    make_thanks(pairing)
    make_goal(pairing)
    data = subject_access_data(alice, school=None)

    (v,) = data["learning_walk_visits_to_you"]
    assert v["id"] == visit.pk
    assert (v["walked_on"], v["led_by"], v["walk_focus"]) == (
        "2026-10-06",
        "Head Example",
        WALK_FOCUS,
    )
    assert (v["focus_seen"], v["what_was_seen"], v["note_for_you"]) == (
        "Seen",
        WALK_SEEN,
        WALK_NOTE,
    )
    assert v["your_steps"] == [{"step": WALK_STEP, "result": "Seen", "did_it_stick_check": True}]
    assert v["you_read_it"] is None

    assert data["thanks"]["received"] == []
    (sent,) = data["thanks"]["sent"]
    assert (sent["to"], sent["message"]) == ("Bob Example", THANKS_MESSAGE)

    (g,) = data["goals"]
    assert (g["statement"], g["measure"], g["how_it_is_measured"]) == (
        GOAL_STATEMENT,
        GOAL_MEASURE,
        GOAL_METHOD,
    )
    assert (g["coach"], g["written_by"], g["phase"]) == ("Bob Example", "Alice Example", "Improve")
    assert (g["baseline"], g["target"], g["target_date"]) == ("40%", "80%", "2027-02-12")
    assert g["readings"] == [{"date": "2026-10-09", "value": "45%", "note": READING_NOTE}]

    page = _page(data)
    for text in (WALK_SEEN, WALK_NOTE, WALK_STEP, THANKS_MESSAGE, GOAL_STATEMENT, READING_NOTE):
        assert text in page
    assert "Learning-walk visits to your lessons (1)" in page
    assert "Thanks received (0) and sent (1)" in page
    assert "Goals (1)" in page
    assert "6 Oct 2026, led by Head Example" in page  # dates as people write them
    assert "2026-10-06" not in page


def test_the_coach_gets_reviews_of_their_coaching_and_thanks_received(
    oak, lead, bob, alice, pairing
):
    make_review(school=oak, lead=lead, coach=bob, reviewer=lead)
    make_thanks(pairing)
    data = subject_access_data(bob, school=None)

    (r,) = data["reviews_of_your_coaching"]
    assert (r["reviewer"], r["arranged_by"], r["status"]) == (
        "Lead Example",
        "Lead Example",
        "Written",
    )
    assert (r["how"], r["held"]) == ("I attended the meeting", "2026-10-07")
    assert r["notes"] == REVIEW_NOTES
    assert r["your_development_step"] == REVIEW_STEP
    # every rubric item, in the rubric's order, with its label rather than its key
    assert [x["item"] for x in r["ratings"]] == [item.label for item in walks.MEETING_RUBRIC]
    assert r["ratings"][:3] == [
        {"item": "Precise praise", "rating": "Seen"},
        {"item": "One observable step", "rating": "Partly"},
        {"item": "The teacher sees the gap", "rating": "Not yet"},
    ]
    assert data["reviews_not_yet_written"] == 0
    (received,) = data["thanks"]["received"]
    assert (received["from"], received["message"]) == ("Alice Example", THANKS_MESSAGE)
    assert data["thanks"]["sent"] == []

    page = _page(data)
    for text in (REVIEW_NOTES, REVIEW_STEP, "Precise praise", THANKS_MESSAGE):
        assert text in page
    assert "Reviews of your coaching (1)" in page


def test_what_a_walker_and_a_reviewer_wrote_about_others_is_listed_without_notes(
    oak, alice, bob, head, lead, pairing
):
    visit = make_walk_visit(school=oak, leader=head, pair=pairing)
    review = make_review(school=oak, lead=lead, coach=bob, reviewer=lead)

    walker = subject_access_data(head, school=oak)
    assert walker["learning_walk_visits_to_you"] == []
    (listed,) = walker["records_you_wrote_about_others"]["walk_visits"]
    assert set(listed) == {"id", "school", "teacher", "when", "walk", "walked_on"}
    assert (listed["id"], listed["teacher"], listed["walked_on"]) == (
        visit.pk,
        "Alice Example",
        "2026-10-06",
    )
    dumped = json.dumps(walker)
    for text in (WALK_SEEN, WALK_NOTE, WALK_STEP):  # nor the sightings of alice's steps
        assert text not in dumped
    page = _page(walker)
    assert "On learning walks you led: 1 visit to other teachers" in page
    assert WALK_NOTE not in page

    reviewer = subject_access_data(lead, school=None)
    assert reviewer["reviews_of_your_coaching"] == []
    (given,) = reviewer["records_you_wrote_about_others"]["reviews"]
    assert given == {
        "id": review.pk,
        "school": "Oak School",
        "coach_reviewed": "Bob Example",
        "held": "2026-10-07",
        "status": "Written",
    }
    dumped = json.dumps(reviewer)
    for text in (REVIEW_NOTES, REVIEW_STEP, "Precise praise"):  # nor the ratings, nor bob's step
        assert text not in dumped
    assert "As a reviewer: 1 review of other coaches" in _page(reviewer)


def test_unwritten_reviews_are_counted_for_the_coach_but_given_to_the_school(oak, lead, bob):
    walks.review_assign(school=oak, by=lead, coach=bob, reviewer=lead)
    mine = subject_access_data(bob, school=None)
    assert mine["reviews_of_your_coaching"] == []
    assert mine["reviews_not_yet_written"] == 1
    assert "1 review of your coaching has been arranged but not yet written" in _page(mine)
    schools = subject_access_data(bob, school=oak)
    assert schools["reviews_not_yet_written"] == 0
    (r,) = schools["reviews_of_your_coaching"]
    assert (r["status"], r["notes"], r["ratings"], r["written"]) == (
        "Not yet written",
        "",
        [],
        None,
    )
    (given,) = subject_access_data(lead, school=None)["records_you_wrote_about_others"]["reviews"]
    assert given["status"] == "Not yet written"


def test_walks_reviews_thanks_and_goals_are_scoped_to_the_school(
    oak, elm, alice, bob, head, lead, outsider, pairing
):
    Membership.objects.create(user=alice, school=elm)
    Membership.objects.create(user=bob, school=elm, is_coach=True)
    elm_pair = RelationshipFactory(school=elm, coachee=alice)
    make_walk_visit(school=oak, leader=head, pair=pairing)
    make_walk_visit(school=elm, leader=outsider, pair=elm_pair)
    make_review(school=oak, lead=lead, coach=bob, reviewer=lead)
    make_review(school=elm, lead=outsider, coach=bob, reviewer=outsider)
    for pair in (pairing, elm_pair):
        make_thanks(pair)
        make_goal(pair)

    def schools(data, *keys):
        rows = data
        for key in keys:
            rows = rows[key]
        return sorted(row["school"] for row in rows)

    for scope, names in (
        (oak, ["Oak School"]),
        (elm, ["Elm School"]),
        (None, ["Elm School", "Oak School"]),
    ):
        teacher = subject_access_data(alice, school=scope)
        assert schools(teacher, "learning_walk_visits_to_you") == names
        assert schools(teacher, "thanks", "sent") == names
        assert schools(teacher, "goals") == names
        coach = subject_access_data(bob, school=scope)
        assert schools(coach, "reviews_of_your_coaching") == names
    # what leaders wrote stays with the school they wrote it in
    assert schools(
        subject_access_data(outsider, school=elm), "records_you_wrote_about_others", "walk_visits"
    ) == ["Elm School"]
    outsider_at_oak = subject_access_data(outsider, school=oak)["records_you_wrote_about_others"]
    assert (outsider_at_oak["walk_visits"], outsider_at_oak["reviews"]) == ([], [])
    assert (
        schools(subject_access_data(lead, school=elm), "records_you_wrote_about_others", "reviews")
        == []
    )


def test_walk_notes_and_thanks_are_shown_as_text(oak, alice, head, pairing):
    make_walk_visit(school=oak, leader=head, pair=pairing, note="<script>walk()</script>")
    make_thanks(pairing, message="<b>Thank you</b>")
    page = _page(subject_access_data(alice, school=oak))
    assert "<script>walk()</script>" not in page
    assert "&lt;script&gt;walk()&lt;/script&gt;" in page
    assert "<b>Thank you</b>" not in page
    assert "&lt;b&gt;Thank you&lt;/b&gt;" in page


def test_leavers_can_be_chosen(client, dpo, alice, oak):
    membership = Membership.objects.get(user=alice, school=oak)
    membership.is_active = False
    membership.save()
    client.force_login(dpo)
    page = client.get(SAR)
    assert b"Example, Alice (alice@oak.example) \xe2\x80\x93 left" in page.content
    assert client.post(SAR, {"person": membership.pk}).status_code == 200


def test_a_data_protection_lead_cannot_reach_people_in_another_school(client, outsider, alice, oak):
    client.force_login(outsider)
    response = client.post(SAR, {"person": Membership.objects.get(user=alice, school=oak).pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Select a valid choice" in response.content
    assert not AuditEvent.objects.filter(action="records.subject_access.exported").exists()


@pytest.mark.parametrize("who", ["alice", "bob", "lead", "head", "admin"])
def test_only_the_data_protection_lead_answers_requests(client, request, who, alice, oak):
    """A school admin runs the school and sees counts, never notes: no subject access."""
    client.force_login(request.getfixturevalue(who))
    membership = Membership.objects.get(user=alice, school=oak)
    assert client.post(SAR, {"person": membership.pk}).status_code == 403


@pytest.mark.parametrize("staff", [1, 20])
def test_the_request_page_queries_do_not_grow(
    client, dpo, oak, staff, django_assert_max_num_queries
):
    for _ in range(staff):
        MembershipFactory(school=oak, user=UserFactory())
    client.force_login(dpo)
    # session, user, membership (3); the people joined to their accounts (1); the session
    # saved (3)
    with django_assert_max_num_queries(7):
        response = client.get(SAR)
    assert response.status_code == 200


@pytest.mark.parametrize("cycles", [1, 3])
def test_the_export_queries_do_not_grow(
    oak, alice, head, pairing, cycles, django_assert_max_num_queries
):
    for day in (5, 12, 19)[:cycles]:
        history = make_history(pairing, on=dt.date(2026, 10, day))
        services.step_withdraw(step=history.step, by=alice, reason="Wrong step")
        on = dt.date(2026, 10, day + 1)
        make_walk_visit(school=oak, leader=head, pair=pairing, on=on)
        make_thanks(pairing, on=on)
        make_goal(pairing, on=on)
    # One query per section, plus its prefetches, whatever the number of records: trusts
    # administered (1); memberships and pairs (2); steps and their histories (2); drop-ins
    # and their evidence (2); meetings, rounds and drop-ins (3); sessions (1); walk visits and
    # their sightings (2); reviews of her coaching (1: she has none, so no ratings are
    # fetched); thanks (1); goals, their readings and steps (3); what she wrote about others
    # (4); calendar feed and email settings (2); audit about her and by her (2); lesson
    # videos (1: she has none, so no comments or shares are fetched); self-reviews (1: she
    # has none, so no points are fetched)
    with django_assert_max_num_queries(29):
        data = subject_access_data(alice, school=None)
    assert len(data["learning_walk_visits_to_you"]) == cycles
    assert len(data["goals"]) == cycles
    assert len(data["thanks"]["sent"]) == cycles


@pytest.mark.parametrize("cycles", [1, 3])
def test_the_export_queries_do_not_grow_for_a_coach(
    oak, oak_year, alice, bob, carol, lead, pairing, cycles, django_assert_max_num_queries
):
    """bob's coaching is reviewed by lead, he reviews carol's, and alice thanks him."""
    for index, day in enumerate((5, 12, 19)[:cycles]):
        on = dt.date(2026, 10, day)
        first = index == 0
        make_review(school=oak, lead=lead, coach=bob, reviewer=lead, on=on, new_step=first)
        make_review(school=oak, lead=lead, coach=carol, reviewer=bob, on=on, new_step=first)
        make_thanks(pairing, on=on)
    # As above, but nothing about bob's own lessons (drop-ins, meetings, walk visits, goals:
    # one query each, with nothing to prefetch), and reviews of his coaching with their
    # ratings (2); lesson videos (1); self-reviews (1)
    with django_assert_max_num_queries(24):
        data = subject_access_data(bob, school=None)
    assert len(data["reviews_of_your_coaching"]) == cycles
    assert len(data["records_you_wrote_about_others"]["reviews"]) == cycles
    assert len(data["thanks"]["received"]) == cycles


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
