"""Framework tags on steps and meetings: the mentor (bob, coaching alice in an ECT-mentoring
pair) tags; alice sees the tags; nobody else at Oak may tag; Elm's outsider gets a 404."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import FeedbackMeeting
from coachroom.induction.models import FrameworkStatement, FrameworkTag
from tests.factories import make_step
from tests.html import visible_text

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(visible_text(response.content.decode()))


@pytest.fixture
def mentoring(pairing):
    pairing.kind = "ecf"
    pairing.save(update_fields=["kind"])
    return pairing


@pytest.fixture
def step(mentoring):
    return make_step(mentoring)


@pytest.fixture
def meeting(mentoring):
    return FeedbackMeeting.objects.create(
        school=mentoring.school,
        relationship=mentoring,
        teacher=mentoring.coachee,
        coach=mentoring.coach,
        praise="Calm, quick start",
        decision="new",
    )


@pytest.fixture
def loaded():
    """Made-up wording: the real statements never enter the repository."""
    from django.utils import timezone

    for section, number, kind, text in [
        (2, "2.3", "learn that", "Made-up wording about memory."),
        (2, "2.4", "learn how to", "Made-up wording about practice."),
    ]:
        FrameworkStatement.objects.create(
            section=section, number=number, kind=kind, text=text, loaded_at=timezone.now()
        )


def tags_url(step) -> str:
    return reverse("induction:step-tags", args=[step.pk])


def test_the_mentor_tags_a_step_with_a_section_without_javascript(client, bob, step):
    client.force_login(bob)

    response = client.post(tags_url(step), {"section": "7", "statement": ""})

    assert response.status_code == 302
    assert response["Location"] == step.get_absolute_url()
    tag = FrameworkTag.objects.get()
    assert (tag.step, tag.meeting, tag.section, tag.statement, tag.school) == (
        step,
        None,
        7,
        "",
        step.school,
    )
    event = AuditEvent.objects.get(action="induction.tag.added")
    assert event.data == {"section": 7, "statement": ""}
    page = text_of(client.get(step.get_absolute_url()))
    assert "Section 7, Managing behaviour" in page
    assert "Tag added." in page


def test_with_htmx_the_panel_comes_back_with_the_new_tag(client, bob, step):
    client.force_login(bob)

    response = client.post(
        tags_url(step), {"section": "2", "statement": "2.3"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="framework-tags"')
    assert "<h1" not in fragment
    assert "2.3, How pupils learn" in text_of(response)


def test_without_loaded_wording_a_tag_shows_its_number_and_section_title(client, bob, alice, step):
    FrameworkTag.objects.create(
        school=step.school, step=step, section=2, statement="2.3", added_at=step.created_at
    )
    client.force_login(alice)

    page = text_of(client.get(step.get_absolute_url()))

    assert "2.3, How pupils learn" in page
    assert "Add tag" not in page


def test_with_loaded_wording_a_tag_shows_the_statement(client, alice, step, loaded):
    FrameworkTag.objects.create(
        school=step.school, step=step, section=2, statement="2.3", added_at=step.created_at
    )
    client.force_login(alice)

    page = text_of(client.get(step.get_absolute_url()))

    assert "2.3 learn that Made-up wording about memory. (How pupils learn)" in page


def test_once_wording_is_loaded_a_number_must_be_one_of_its_statements(client, bob, step, loaded):
    client.force_login(bob)

    response = client.post(tags_url(step), {"section": "2", "statement": "2.9"})

    assert response.status_code == 200
    assert "Section 2 has no statement 2.9 in the framework your school loaded." in text_of(
        response
    )
    assert not FrameworkTag.objects.exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"section": "9", "statement": ""}, "Select a valid choice."),
        ({"section": "", "statement": "2.1"}, "This field is required."),
        ({"section": "2", "statement": "3.1"}, "3.1 is in section 3, not 2."),
        ({"section": "2", "statement": "two one"}, "Use digits and letters with dots"),
    ],
)
def test_a_bad_tag_is_refused_with_a_reason(client, bob, step, data, error):
    client.force_login(bob)

    response = client.post(tags_url(step), data)

    assert response.status_code == 200
    assert error in text_of(response)
    assert not FrameworkTag.objects.exists()


def test_the_same_tag_twice_is_refused(client, bob, step):
    client.force_login(bob)
    client.post(tags_url(step), {"section": "2", "statement": "2.3"})

    response = client.post(tags_url(step), {"section": "2", "statement": "2.3"})

    assert "It already has that tag." in text_of(response)
    assert FrameworkTag.objects.count() == 1


def test_the_mentor_removes_a_tag(client, bob, step):
    tag = FrameworkTag.objects.create(
        school=step.school, step=step, section=4, added_at=step.created_at
    )
    client.force_login(bob)

    response = client.post(tags_url(step), {"remove": tag.pk})

    assert response.status_code == 302
    assert not FrameworkTag.objects.exists()
    assert AuditEvent.objects.filter(action="induction.tag.removed").count() == 1


def test_a_tag_of_another_step_cannot_be_removed_through_this_one(client, bob, step, mentoring):
    other = make_step(mentoring, state="secured", title="Another step")
    tag = FrameworkTag.objects.create(
        school=other.school, step=other, section=4, added_at=other.created_at
    )
    client.force_login(bob)

    client.post(tags_url(step), {"remove": tag.pk})

    assert FrameworkTag.objects.filter(pk=tag.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("lead", 403), ("carol", 404)])
def test_only_the_mentor_may_tag(client, request, step, who, status):
    client.force_login(request.getfixturevalue(who))

    for response in (
        client.get(tags_url(step)),
        client.post(tags_url(step), {"section": "2", "statement": ""}),
    ):
        assert response.status_code == status
    assert not FrameworkTag.objects.exists()


def test_another_schools_user_gets_404_for_the_tags_and_the_step(client, outsider, step):
    FrameworkTag.objects.create(school=step.school, step=step, section=4, added_at=step.created_at)
    client.force_login(outsider)

    assert client.get(tags_url(step)).status_code == 404
    assert client.post(tags_url(step), {"remove": "1"}).status_code == 404
    assert client.get(step.get_absolute_url()).status_code == 404
    assert FrameworkTag.objects.count() == 1


def test_a_coach_outside_ect_mentoring_may_not_tag_and_sees_no_empty_panel(client, bob, pairing):
    step = make_step(pairing)  # an instructional-coaching pair
    client.force_login(bob)

    assert client.post(tags_url(step), {"section": "2"}).status_code == 403
    assert "Early career framework" not in text_of(client.get(step.get_absolute_url()))


def test_the_mentor_sees_the_editor_on_the_step_page(client, bob, step, loaded):
    client.force_login(bob)

    page = client.get(step.get_absolute_url()).content.decode()

    assert f'hx-post="{tags_url(step)}"' in page
    assert f'action="{tags_url(step)}"' in page
    assert '<option value="2.4">' in page  # the loaded numbers, offered as suggestions


def test_an_ended_pair_keeps_its_tags_read_only(client, bob, alice, step, mentoring):
    import datetime as dt

    FrameworkTag.objects.create(school=step.school, step=step, section=4, added_at=step.created_at)
    mentoring.ended_on = dt.date(2026, 10, 1)
    mentoring.save(update_fields=["ended_on"])
    client.force_login(alice)

    assert "Section 4, Classroom practice" in text_of(client.get(step.get_absolute_url()))


def test_the_mentor_tags_a_meeting_and_the_teacher_sees_it(client, bob, alice, meeting, loaded):
    client.force_login(bob)
    url = reverse("induction:meeting-tags", args=[meeting.pk])

    assert client.post(url, {"section": "2", "statement": "2.4"}).status_code == 302

    client.force_login(alice)
    page = text_of(client.get(meeting.get_absolute_url()))
    assert "2.4 learn how to Made-up wording about practice. (How pupils learn)" in page
    assert client.post(url, {"section": "3"}).status_code == 403


def test_another_schools_user_gets_404_for_a_meetings_tags(client, outsider, meeting):
    client.force_login(outsider)

    assert client.get(reverse("induction:meeting-tags", args=[meeting.pk])).status_code == 404


@pytest.mark.parametrize("tags", [1, 8])
def test_the_step_page_reads_tags_in_a_fixed_number_of_queries(
    client, bob, step, loaded, tags, django_assert_max_num_queries
):
    for section in range(1, tags + 1):
        FrameworkTag.objects.create(
            school=step.school,
            step=step,
            section=section,
            statement="2.3" if section == 2 else "",
            added_at=step.created_at,
        )
    client.force_login(bob)
    client.get(step.get_absolute_url())  # warm the session and sign-in lookups

    # the step page's own 10 (sign-in, viewer, step, transitions, ...), then the tags (1), the
    # loaded wording of the tagged statements (1), the numbers offered to the mentor (1) and the
    # teacher's self-reviews of the step (1)
    with django_assert_max_num_queries(14):
        response = client.get(step.get_absolute_url())

    assert response.status_code == 200


def test_with_htmx_a_removed_tag_leaves_the_panel_in_place(client, bob, step):
    tag = FrameworkTag.objects.create(
        school=step.school, step=step, section=5, added_at=step.created_at
    )
    client.force_login(bob)

    response = client.post(tags_url(step), {"remove": tag.pk}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Not tagged with the framework yet." in text_of(response)
    assert not FrameworkTag.objects.exists()


def test_the_tags_page_of_its_own_works_for_the_mentor(client, bob, meeting):
    FrameworkTag.objects.create(
        school=meeting.school, meeting=meeting, section=6, added_at=meeting.created_at
    )
    client.force_login(bob)

    page = text_of(client.get(reverse("induction:meeting-tags", args=[meeting.pk])))

    assert "Framework tags: feedback meeting" in page
    assert "Section 6, Assessment" in page
    assert "Add tag" in page
