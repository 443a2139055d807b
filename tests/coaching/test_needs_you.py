"""The "Needs you" panel on the coach's home, and one set of step words for home and dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from coachroom.coaching import meetings, services
from coachroom.coaching.models import REPORTED_STATES, StepState
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import RelationshipFactory, make_step

# Wednesday 25 November 2026: the week ends on Sunday 29 November
WEDNESDAY = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
DRAFT = services.StepDraft(title="Stop, scan, say", criteria="Halts\nSweeps the room")


def _panel(response) -> str:
    body = response.content.decode()
    start = body.index('id="needs-you"')
    return body[start : body.index("</section>", start)]


def _meeting(pair, coach):
    return meetings.meeting_record(
        relationship=pair,
        by=coach,
        praise="Sharp start",
        decision="new",
        rounds=[("Tried it", "Slower")],
        new_step=DRAFT,
    )


@time_machine.travel(WEDNESDAY, tick=False)
def test_nothing_needs_the_coach(client, bob, pairing):
    client.force_login(bob)
    panel = _panel(client.get(reverse("home")))
    assert "Nothing needs you right now." in panel


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_teachers_alternative_is_there_to_confirm(client, bob, alice, pairing):
    original = services.step_propose(relationship=pairing, by=bob, draft=DRAFT)
    mine = services.step_counter_propose(
        step=original,
        by=alice,
        draft=services.StepDraft(title="Silent cue before key points", criteria="Hand up"),
    )
    client.force_login(bob)
    panel = _panel(client.get(reverse("home")))
    assert "Alternatives to confirm" in panel
    assert "Alice Example suggested" in panel and "Silent cue before key points" in panel
    assert reverse("coaching:step-agree", args=[mine.pk]) in panel
    client.post(reverse("coaching:step-agree", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.state == StepState.AGREED
    assert "Nothing needs you right now." in _panel(client.get(reverse("home")))


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_coachs_own_proposal_waiting_for_the_teacher_is_not_the_coachs_to_do(
    client, bob, pairing
):
    services.step_propose(relationship=pairing, by=bob, draft=DRAFT, teacher_proposed=True)
    client.force_login(bob)
    assert "Nothing needs you right now." in _panel(client.get(reverse("home")))


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_reflection_waits_until_the_coach_reads_it(client, bob, alice, pairing):
    meeting = _meeting(pairing, bob)
    meetings.meeting_reflect(meeting=meeting, by=alice, reflection="I'll try it in Year 9.")
    client.force_login(bob)
    panel = _panel(client.get(reverse("home")))
    assert "Reflections to read" in panel
    assert meeting.get_absolute_url() in panel
    client.get(meeting.get_absolute_url())
    assert "<h3>Reflections to read</h3>" not in _panel(client.get(reverse("home")))
    # she rewrites it: it needs reading again
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=2), tick=False):
        meetings.meeting_reflect(meeting=meeting, by=alice, reflection="Tried it: it worked.")
        assert "Reflections to read" in _panel(client.get(reverse("home")))


def test_the_panel_shows_the_five_newest_reflections_and_links_to_the_rest(
    client, bob, oak, oak_year
):
    held = []
    for days_ago in range(7, 0, -1):  # one reflection a day, the newest yesterday
        with time_machine.travel(WEDNESDAY - dt.timedelta(days=days_ago), tick=False):
            pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
            meeting = _meeting(pair, bob)
            meetings.meeting_reflect(meeting=meeting, by=pair.coachee, reflection="Noted.")
            held.append(meeting)
    with time_machine.travel(WEDNESDAY, tick=False):
        client.force_login(bob)
        panel = _panel(client.get(reverse("home")))
        assert panel.count("reflected on your meeting") == 5
        for meeting in held[2:]:  # the five newest
            assert meeting.get_absolute_url() in panel
        for meeting in held[:2]:  # the two oldest wait on the full list
            assert meeting.get_absolute_url() not in panel
        assert "and 2 more" in panel
        assert reverse("coaching:reflections") in panel

        page = client.get(reverse("coaching:reflections")).content.decode()
        assert "<h1>Reflections to read</h1>" in page
        assert all(m.get_absolute_url() in page for m in held)
        assert page.index(held[-1].get_absolute_url()) < page.index(
            held[0].get_absolute_url()
        )  # newest first
        client.get(held[0].get_absolute_url())  # reading one takes it off both lists
        assert held[0].get_absolute_url() not in (
            client.get(reverse("coaching:reflections")).content.decode()
        )
        assert "and 1 more" in _panel(client.get(reverse("home")))


def test_the_reflections_page_says_when_all_are_read(client, bob, pairing):
    client.force_login(bob)
    page = client.get(reverse("coaching:reflections")).content.decode()
    assert "You have read every reflection your teachers have written." in page


@time_machine.travel(WEDNESDAY, tick=False)
def test_stick_checks_due_this_week(client, bob, pairing, oak, oak_year):
    make_step(pairing, state=StepState.SECURED, stick_check_due=dt.date(2026, 11, 27))
    later = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
    make_step(later, state=StepState.SECURED, stick_check_due=dt.date(2026, 12, 2))
    client.force_login(bob)
    panel = _panel(client.get(reverse("home")))
    assert "Stick-checks due this week" in panel
    assert "did it stick? Look for it from Fri 27 Nov" in panel
    assert panel.count("did it stick?") == 1  # next week's check is not yet


@time_machine.travel(WEDNESDAY, tick=False)
def test_sessions_to_record(client, bob, pairing):
    SessionOccurrence.objects.create(
        school=pairing.school,
        relationship=pairing,
        kind="drop_in",
        coach=bob,
        starts_at=timezone.now() - dt.timedelta(days=2),
    )
    client.force_login(bob)
    panel = _panel(client.get(reverse("home")))
    assert "Sessions to record" in panel and "with Alice Example" in panel


@pytest.mark.parametrize("coachees", [1, 10])
def test_the_panel_costs_the_same_for_any_number_of_coachees(
    client, bob, alice, oak, oak_year, coachees, django_assert_max_num_queries
):
    with time_machine.travel(WEDNESDAY, tick=False):
        for _ in range(coachees):
            pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
            meetings.meeting_reflect(
                meeting=_meeting(pair, bob), by=pair.coachee, reflection="Noted."
            )
            make_step(pair, state=StepState.SECURED, stick_check_due=dt.date(2026, 11, 26))
        client.force_login(bob)
        # with one for the pairs' rhythm (steps that stuck, open proposals: tapering)
        with django_assert_max_num_queries(15):
            response = client.get(reverse("home"))
    needs = response.context["needs_you"]
    assert len(needs.reflections) == min(coachees, 5)
    assert needs.more_reflections == max(coachees - 5, 0)
    assert len(needs.stick_checks) == coachees


def test_home_and_dashboard_use_the_same_step_states_and_words(client, lead, pairing):
    make_step(pairing, state=StepState.PAUSED)
    client.force_login(lead)
    home = client.get(reverse("home")).context["school_figures"]["steps"]
    dashboard = client.get(reverse("reporting:dashboard")).context["states"]
    assert [label for label, _ in home] == [label for label, _ in dashboard]
    assert [label for label, _ in home] == [s.label for s in REPORTED_STATES]
    assert dict(home)["Paused"] == dict(dashboard)["Paused"] == 1
