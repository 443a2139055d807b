"""The teacher timeline (coaching/timeline.py and its page): the newest entries of one year, a
batch at a time, through the privacy gate, with a query count that does not grow."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import School
from coachroom.accounts.services import academic_year_create
from coachroom.coaching.access import teacher_may_see_observation, teacher_may_see_q
from coachroom.coaching.models import (
    FeedbackMeeting,
    Observation,
    RehearsalRound,
    StepEvidence,
    StepTransition,
)
from coachroom.coaching.timeline import (
    BATCH,
    MOST,
    Timeline,
    choose_year,
    timeline_for,
    year_window,
)
from tests.cast import TEST_NOW
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step

HOUR = dt.timedelta(hours=1)


def _drop_ins(pair, count, *, newest=TEST_NOW, status="submitted", every=HOUR):
    """`count` drop-ins an `every` apart, the newest at `newest`; newest first."""
    return [
        Observation.objects.create(
            school=pair.school,
            relationship=pair,
            teacher=pair.coachee,
            observer=pair.coach,
            status=status,
            observed_at=newest - i * every,
            notes="Pupils settled quickly",
        )
        for i in range(count)
    ]


def _meetings(pair, count, *, newest=TEST_NOW, **fields):
    return [
        FeedbackMeeting.objects.create(
            school=pair.school,
            relationship=pair,
            teacher=pair.coachee,
            coach=pair.coach,
            held_at=newest - i * HOUR,
            praise="Calm, quick start",
            decision="continue",
            **fields,
        )
        for i in range(count)
    ]


def _step_changes(pair, count, *, newest=TEST_NOW):
    step = make_step(pair, title="Stop, scan, say")
    return [
        StepTransition.objects.create(
            school=pair.school,
            step=step,
            from_state="practising",
            to_state="practising",
            event="tried",
            reason="Tried it with Year 9",
            by=pair.coachee,
            at=newest - i * HOUR,
        )
        for i in range(count)
    ]


def _page(client, teacher, *, htmx=False, restore=False, **query):
    headers = {"HX-Request": "true"} if htmx else {}
    if restore:
        headers["HX-History-Restore-Request"] = "true"
    return client.get(reverse("coaching:timeline", args=[teacher.pk]), query, headers=headers)


def _keys(response):
    return [(item.kind, item.pk) for item in response.context["items"]]


# The bound ----------------------------------------------------------------------------------


def test_the_page_shows_the_newest_batch_and_links_to_earlier_entries(
    client, alice, pairing, oak_year
):
    drop_ins = _drop_ins(pairing, BATCH + 5)
    client.force_login(alice)
    response = _page(client, alice)
    assert _keys(response) == [("drop-in", o.pk) for o in drop_ins[:BATCH]]
    earlier = f"?year={oak_year.pk}&amp;shown={2 * BATCH}"
    html = response.content.decode()
    assert f'href="{earlier}#entry-{BATCH + 1}"' in html  # the plain link, for no JavaScript
    assert f'hx-get="{earlier}"' in html
    assert "Show earlier entries" in html


def test_entries_of_every_kind_merge_newest_first(alice, pairing, oak_year):
    drop_ins = _drop_ins(pairing, 12, newest=TEST_NOW)
    meetings = _meetings(pairing, 12, newest=TEST_NOW - dt.timedelta(minutes=20))
    changes = _step_changes(pairing, 12, newest=TEST_NOW - dt.timedelta(minutes=40))
    everything = [
        *[("drop-in", o.pk, o.observed_at) for o in drop_ins],
        *[("meeting", m.pk, m.held_at) for m in meetings],
        *[("step", t.pk, t.at) for t in changes],
    ]
    newest_first = [
        (kind, pk) for kind, pk, _ in sorted(everything, key=lambda e: -e[2].timestamp())
    ]
    window = year_window(oak_year, [oak_year])

    first = timeline_for(viewer=alice, teacher=alice, school=pairing.school, window=window)
    more = timeline_for(viewer=alice, teacher=alice, school=pairing.school, window=window, shown=50)

    assert [(e.kind, e.pk) for e in first.entries] == newest_first[:BATCH]
    assert first.has_earlier
    assert [(e.kind, e.pk) for e in more.entries] == newest_first
    assert not more.has_earlier
    assert [(e.kind, e.pk) for e in more.latest_batch] == newest_first[BATCH:]


def test_exactly_one_batch_has_nothing_earlier(client, alice, pairing):
    _drop_ins(pairing, BATCH)
    client.force_login(alice)
    response = _page(client, alice)
    assert len(response.context["items"]) == BATCH
    assert "Show earlier entries" not in response.content.decode()


def test_entries_show_what_the_page_needs_without_the_notes(alice, pairing, oak_year):
    step = make_step(pairing, title="Stop, scan, say")
    (drop_in,) = _drop_ins(pairing, 1, newest=TEST_NOW)
    StepEvidence.objects.create(
        school=pairing.school, observation=drop_in, step=step, rating="partly"
    )
    (meeting,) = _meetings(pairing, 1, newest=TEST_NOW - HOUR)
    for number in (1, 2):
        RehearsalRound.objects.create(
            school=pairing.school, meeting=meeting, number=number, attempt="Paused"
        )
    StepTransition.objects.create(
        school=pairing.school,
        step=step,
        from_state="agreed",
        to_state="practising",
        event="rehearsed",
        by=pairing.coach,
        at=TEST_NOW - 2 * HOUR,
    )
    window = year_window(oak_year, [oak_year])
    entries = timeline_for(
        viewer=alice, teacher=alice, school=pairing.school, window=window
    ).entries
    seen, met, changed = entries
    assert (seen.url, seen.who, seen.evidence) == (
        drop_in.get_absolute_url(),
        "Bob Example",
        ("The step: partly",),
    )
    assert (met.url, met.rounds, met.awaits_reflection) == (
        meeting.get_absolute_url(),
        "2 rehearsal rounds",
        True,
    )
    assert (changed.url, changed.step_title, changed.change, changed.who) == (
        step.get_absolute_url(),
        "Stop, scan, say",
        "rehearsed in a meeting; now practising",
        "Bob Example",
    )


# Show earlier entries -----------------------------------------------------------------------


def test_earlier_entries_without_javascript_render_the_page_with_more(client, alice, pairing):
    drop_ins = _drop_ins(pairing, BATCH + 5)
    client.force_login(alice)
    response = _page(client, alice, shown=2 * BATCH)
    html = response.content.decode()
    assert _keys(response) == [("drop-in", o.pk) for o in drop_ins]
    assert "<h1>" in html  # the whole page
    assert f'id="entry-{BATCH + 1}" tabindex="-1"' in html  # where the link's #fragment lands
    assert "Show earlier entries" not in html  # that was everything


def test_earlier_entries_with_htmx_return_just_the_next_batch(client, alice, pairing, oak_year):
    drop_ins = _drop_ins(pairing, 2 * BATCH + 5)
    client.force_login(alice)
    response = _page(client, alice, shown=2 * BATCH, htmx=True)
    html = response.content.decode()
    links = re.findall(r'<a href="(/coaching/drop-ins/\d+/)">Drop-in</a>', html)
    assert links == [o.get_absolute_url() for o in drop_ins[BATCH : 2 * BATCH]]
    assert "<h1>" not in html and "<ol" not in html  # list items, appended to the list
    assert html.count("<li") == BATCH
    assert f'id="entry-{BATCH + 1}" tabindex="-1" data-focus-after-swap' in html
    # the control is replaced out of band and now asks for the batch after
    assert 'id="timeline-earlier" class="actions" hx-swap-oob="true"' in html
    assert f'hx-get="?year={oak_year.pk}&amp;shown={3 * BATCH}"' in html
    # and the live region says what happened
    assert 'role="status" hx-swap-oob="innerHTML">Showing the newest 50 entries.</p>' in html
    assert "HX-Request" in response["Vary"]


def test_the_last_batch_says_that_is_everything(client, alice, pairing):
    _drop_ins(pairing, BATCH + 3)
    client.force_login(alice)
    response = _page(client, alice, shown=2 * BATCH, htmx=True)
    html = response.content.decode()
    assert html.count("<li") == 3
    assert "Showing the newest 28 entries: that is everything in 2026–27." in html
    assert "Show earlier entries" not in html


def test_htmx_restoring_history_gets_the_whole_page(client, alice, pairing):
    _drop_ins(pairing, BATCH + 5)
    client.force_login(alice)
    response = _page(
        client,
        alice,
        shown=2 * BATCH,
        htmx=True,
        restore=True,
    )
    assert "<h1>" in response.content.decode()
    assert len(response.context["items"]) == BATCH + 5


@pytest.mark.parametrize(
    ("shown", "expected"), [("abc", BATCH), ("0", BATCH), ("-3", BATCH), ("3", 3)]
)
def test_a_mistyped_count_shows_the_first_batch(client, alice, pairing, shown, expected):
    _drop_ins(pairing, BATCH + 5)
    client.force_login(alice)
    assert len(_page(client, alice, shown=shown).context["items"]) == expected


def test_a_huge_count_is_held_to_the_most_a_page_shows(alice, pairing, oak_year):
    window = year_window(oak_year, [oak_year])
    result = timeline_for(
        viewer=alice, teacher=alice, school=pairing.school, window=window, shown=10**9
    )
    assert result.shown == MOST


def test_at_the_most_a_page_shows_there_is_no_link_to_the_same_page_again():
    def timeline(shown):
        return Timeline(entries=[], shown=shown, has_earlier=True, current_steps=[])

    assert timeline(MOST - BATCH).offers_earlier
    assert not timeline(MOST).offers_earlier


# The year switch ----------------------------------------------------------------------------


def test_the_year_switch_shows_that_years_batch_and_keeps_the_year_for_earlier(
    client, oak, alice, pairing, oak_year
):
    last_year = academic_year_create(school=oak, by=None, start_year=2025)
    this_year = _drop_ins(pairing, 3)
    last = _drop_ins(pairing, BATCH + 2, newest=dt.datetime(2026, 6, 30, 10, tzinfo=dt.UTC))
    client.force_login(alice)

    current = _page(client, alice)
    earlier = _page(client, alice, year=last_year.pk)
    more = _page(client, alice, year=last_year.pk, shown=2 * BATCH)

    assert _keys(current) == [("drop-in", o.pk) for o in this_year]
    assert f'<a href="?year={last_year.pk}">2025–26</a>' in current.content.decode()
    assert earlier.context["year"] == last_year
    assert _keys(earlier) == [("drop-in", o.pk) for o in last[:BATCH]]
    assert f"?year={last_year.pk}&amp;shown={2 * BATCH}" in earlier.content.decode()
    assert _keys(more) == [("drop-in", o.pk) for o in last]


def test_choose_year_falls_back_to_the_current_year(oak, oak_year):
    last_year = academic_year_create(school=oak, by=None, start_year=2025)
    assert choose_year(oak, None) == (oak_year, [oak_year, last_year])
    assert choose_year(oak, last_year.pk)[0] == last_year
    assert choose_year(oak, 999_999)[0] == oak_year  # another school's, or none
    assert choose_year(oak, None, today=dt.date(2020, 1, 1))[0] == last_year  # the earliest


# Privacy ------------------------------------------------------------------------------------


def test_the_teacher_sees_everything_about_them_at_the_school(client, oak_year, alice, pairing):
    former = UserFactory(first_name="Former", last_name="Coach")
    MembershipFactory(user=former, school=pairing.school, is_coach=True)
    old_pair = RelationshipFactory(
        school=pairing.school,
        academic_year=oak_year,
        coach=former,
        coachee=alice,
        ended_on=dt.date(2026, 10, 1),
    )
    ours = _drop_ins(pairing, 1)[0]
    theirs = _drop_ins(old_pair, 1, newest=TEST_NOW - 3 * HOUR)[0]
    meeting = _meetings(old_pair, 1, newest=TEST_NOW - 4 * HOUR)[0]
    client.force_login(alice)
    response = _page(client, alice)
    assert _keys(response) == [
        ("drop-in", ours.pk),
        ("drop-in", theirs.pk),
        ("meeting", meeting.pk),
    ]


def test_the_teacher_does_not_see_drafts_until_they_publish(client, bob, alice, pairing):
    (draft,) = _drop_ins(pairing, 1, status="draft")
    client.force_login(alice)
    assert _keys(_page(client, alice)) == []
    client.force_login(bob)
    assert _keys(_page(client, alice)) == [("drop-in", draft.pk)]  # the coach sees their draft


def test_where_drop_ins_wait_for_the_meeting_the_teacher_sees_them_after_it(
    client, oak, alice, pairing
):
    oak.drop_in_visibility = School.DropInVisibility.AFTER_MEETING
    oak.save()
    _waiting, discussed = _drop_ins(pairing, 2)
    (meeting,) = _meetings(pairing, 1, newest=TEST_NOW - 3 * HOUR)
    meeting.observations.add(discussed)
    client.force_login(alice)
    assert _keys(_page(client, alice)) == [("drop-in", discussed.pk), ("meeting", meeting.pk)]


@pytest.mark.parametrize("visibility", list(School.DropInVisibility))
def test_the_teachers_filter_agrees_with_the_one_record_rule(oak, pairing, visibility):
    oak.drop_in_visibility = visibility
    oak.save()
    fresh_draft, *_ = _drop_ins(pairing, 1, status="draft")
    old_draft, *_ = _drop_ins(pairing, 1, status="draft")
    Observation.objects.filter(pk=old_draft.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    _waiting, discussed = _drop_ins(pairing, 2)
    _meetings(pairing, 1)[0].observations.add(discussed)
    rows = Observation.objects.filter(relationship=pairing).select_related("school")
    by_rule = {o.pk for o in rows if teacher_may_see_observation(o)}
    by_filter = set(rows.filter(teacher_may_see_q(oak)).values_list("pk", flat=True))
    assert by_filter == by_rule
    assert old_draft.pk in by_filter and fresh_draft.pk not in by_filter


@pytest.mark.parametrize("who", ["carol", "outsider", "head", "another_teacher"])
def test_others_get_404(client, request, oak, alice, pairing, who):
    if who == "another_teacher":
        person = UserFactory()
        MembershipFactory(user=person, school=oak, is_teacher=True)
    else:
        person = request.getfixturevalue(who)
    _drop_ins(pairing, 1)
    client.force_login(person)
    assert _page(client, alice).status_code == 404
    assert _page(client, alice, shown=2 * BATCH, htmx=True).status_code == 404


def test_the_lead_sees_steps_and_meetings_for_review_but_no_private_notes(
    client, lead, alice, pairing
):
    (change,) = _step_changes(pairing, 1)
    _drop_ins(pairing, 2, newest=TEST_NOW - HOUR)
    _private, for_review = _meetings(pairing, 2, newest=TEST_NOW - 4 * HOUR)
    FeedbackMeeting.objects.filter(pk=for_review.pk).update(submitted_for_review=True)
    client.force_login(lead)
    response = _page(client, alice)
    assert response.status_code == 200
    assert _keys(response) == [("step", change.pk), ("meeting", for_review.pk)]
    assert "Pupils settled quickly" not in response.content.decode()


def test_each_batch_a_coach_reads_is_audited(client, bob, alice, pairing):
    from coachroom.audit.models import AuditEvent

    _drop_ins(pairing, BATCH + 5)
    client.force_login(bob)
    _page(client, alice)
    _page(client, alice, shown=2 * BATCH, htmx=True)
    views = AuditEvent.objects.filter(action="coaching.timeline.viewed", actor=bob, subject=alice)
    assert views.count() == 2


# Queries ------------------------------------------------------------------------------------


def _history(pair, per_kind):
    _drop_ins(pair, per_kind)
    _meetings(pair, per_kind, newest=TEST_NOW - dt.timedelta(minutes=30))
    _step_changes(pair, per_kind, newest=TEST_NOW - dt.timedelta(minutes=45))
    step = pair.steps.first()
    StepEvidence.objects.bulk_create(
        StepEvidence(school=pair.school, observation=o, step=step, rating="seen")
        for o in Observation.objects.filter(relationship=pair)
    )


@pytest.mark.parametrize("per_kind", [2, 60])
@pytest.mark.parametrize(
    ("who", "htmx", "budget"),
    [
        # session, user, memberships, the school's years, drop-ins, their step evidence,
        # meetings, step changes, self-reviews, current steps, the session's save (3, in a
        # savepoint); the whole page also asks whether the teacher has ECT mentoring
        # (induction's panel) and reads the pairs' rhythm (tapering's panel: pairs, state)
        ("alice", False, 16),
        ("alice", True, 13),
        # and for the coach: the access check, the pairs they coach (the request's Viewer, once)
        # and the audit record
        ("bob", False, 19),
        ("bob", True, 16),
    ],
)
def test_timeline_queries_do_not_grow(
    client, request, alice, pairing, per_kind, who, htmx, budget, django_assert_max_num_queries
):
    _history(pairing, per_kind)
    client.force_login(request.getfixturevalue(who))
    # the first batch, or (htmx) the second
    shown = 2 * BATCH if htmx else BATCH
    with django_assert_max_num_queries(budget):
        response = _page(client, alice, shown=shown, htmx=htmx)
    assert response.status_code == 200
    expected = max(0, min(shown, 3 * per_kind) - shown + BATCH)
    assert response.content.decode().count("<time datetime") == expected
