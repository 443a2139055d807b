"""Framework coverage on an ECT's timeline (induction/coverage.py): a picture of how often each
section has come up, counted from the tagged steps and meetings the viewer may see, never a
checklist."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import CoachingRelationship, Membership
from coachroom.accounts.viewer import Viewer
from coachroom.coaching.models import FeedbackMeeting
from coachroom.induction.coverage import BAR_W, coverage, section_counts
from coachroom.induction.models import FrameworkTag
from tests.factories import make_step


def _tag(record, section, statement=""):
    field = "step" if hasattr(record, "title") else "meeting"
    return FrameworkTag.objects.create(
        school=record.school,
        section=section,
        statement=statement,
        added_at=timezone.now(),
        **{field: record},
    )


def _mentoring(induction) -> CoachingRelationship:
    return CoachingRelationship.objects.current().get(
        coachee=induction.ect, kind=CoachingRelationship.Kind.ECF
    )


def _meeting(pair) -> FeedbackMeeting:
    return FeedbackMeeting.objects.create(
        school=pair.school,
        relationship=pair,
        teacher=pair.coachee,
        coach=pair.coach,
        praise="Crisp routines",
        decision="new",
    )


def _viewer(person) -> Viewer:
    memberships = tuple(Membership.objects.active().filter(user=person).select_related("school"))
    return Viewer(user=person, membership=memberships[0], memberships=memberships)


def test_every_section_in_order_with_the_most_touched_the_longest_bar():
    rows = coverage({4: (3, 1), 7: (1, 0)})
    assert [r.number for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [r.width for r in rows] == [0, 0, 0, BAR_W, 0, 0, 25, 0]
    assert coverage({1: (1, 0), 2: (30, 0)})[0].width == 5  # a section that came up shows
    assert (rows[3].steps, rows[3].meetings, rows[3].touched) == (3, 1, 4)
    assert all(r.width == 0 for r in coverage({}))


def test_counts_come_only_from_mentoring_the_viewer_may_see(
    induction, oak, oak_year, alice, bob, carol, tess
):
    pair = _mentoring(induction)
    step = make_step(pair)
    _tag(step, 4, "4.1")
    _tag(step, 4, "4.2")  # two statements of one section: one step
    _tag(_meeting(pair), 4)
    _tag(make_step(pair), 7)
    Membership.objects.filter(user=carol, school=oak).update(is_coach=True)
    other = CoachingRelationship.objects.create(
        school=oak, academic_year=oak_year, coach=carol, coachee=alice
    )
    _tag(make_step(other), 2)  # instructional coaching: not mentoring

    expected = {4: (1, 1), 7: (1, 0)}
    assert section_counts(_viewer(bob), alice, oak) == expected
    assert section_counts(_viewer(alice), alice, oak) == expected
    assert section_counts(_viewer(carol), alice, oak) == {}
    assert section_counts(_viewer(tess), alice, oak) == {}


def test_the_mentor_sees_the_picture_on_the_timeline_not_a_checklist(client, induction, alice, bob):
    _tag(make_step(_mentoring(induction)), 3)
    client.force_login(bob)
    page = client.get(reverse("coaching:timeline", args=[alice.pk])).content.decode()
    assert "The framework in Alice's mentoring" in page
    assert "3 Subject and curriculum</span>" in page
    assert "1 step, 0 meetings" in page
    assert "1 of the eight sections has come up in mentoring so far" in page
    for checklist_word in ("✓", "complete", "%"):
        assert checklist_word not in page.split('class="coverage"')[1].split("</ul>")[0]


def test_no_picture_for_a_teacher_without_mentoring(client, pairing, alice, bob):
    client.force_login(bob)
    page = client.get(reverse("coaching:timeline", args=[alice.pk])).content.decode()
    assert "coverage-title" not in page


@pytest.mark.parametrize("tagged_steps", [1, 8])
def test_the_picture_costs_the_same_queries_however_many_tags(
    client, induction, alice, bob, tagged_steps, django_assert_max_num_queries
):
    pair = _mentoring(induction)
    for n in range(tagged_steps):
        _tag(make_step(pair), n % 8 + 1)
    client.force_login(bob)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("coaching:timeline", args=[alice.pk]))
    assert "coverage-title" in response.content.decode()
