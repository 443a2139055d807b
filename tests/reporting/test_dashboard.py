from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from coachroom.coaching.models import StepState, StepTransition
from coachroom.reporting.dashboard import summarise
from coachroom.reporting.tools import SECTIONS
from coachroom.scheduling import services as scheduling
from coachroom.scheduling.models import SessionOccurrence
from tests.factories import MembershipFactory, RelationshipFactory, SchoolFactory, make_step

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/London"))
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def history(pairing, bob):
    slot = scheduling.slot_create(
        relationship=pairing,
        by=bob,
        kind="drop_in",
        weekday=2,
        start_time=dt.time(10, 0),
        starts_on=dt.date(2026, 9, 7),
    )
    past = list(SessionOccurrence.objects.filter(slot=slot, starts_at__lt=NOW))
    for session in past[:-2]:
        scheduling.session_mark_held(session=session, by=bob)
    scheduling.session_mark_missed(session=past[-2], by=bob, reason="trip")
    stuck = make_step(pairing, state=StepState.SECURED, stuck_at=NOW)
    slipped = make_step(pairing, state=StepState.REOPENED)
    StepTransition.objects.create(
        school=pairing.school,
        step=slipped,
        from_state="secured",
        to_state="reopened",
        event="reopened",
        reason="Stick-check: not yet",
    )
    StepTransition.objects.create(
        school=pairing.school,
        step=stuck,
        from_state="practising",
        to_state="secured",
        event="secured",
        at=NOW - dt.timedelta(days=3),
    )
    return past


def test_summary_counts_completion_steps_and_stick_rate(oak, history):
    summary = summarise([oak])[0]
    # every past Wednesday: all held but two (one missed, one still unrecorded)
    assert summary.this_year.planned == len(history)
    assert summary.this_year.held == len(history) - 2
    assert summary.this_term.planned < summary.this_year.planned
    assert summary.steps[StepState.SECURED] == 1
    assert (summary.stuck, summary.slipped, summary.stick_rate) == (1, 1, 50)
    assert summary.secured_this_term == 1


def test_leader_dashboard_page_and_csv(client, head, history):
    client.force_login(head)
    page = client.get(reverse("reporting:dashboard"))
    assert page.status_code == 200
    assert b"stick rate" in page.content
    csv = client.get(reverse("reporting:dashboard"), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert b"Oak School" in csv.content


def test_trust_dashboard_compares_schools(client, oak, history):
    admin = MembershipFactory(school=oak).user
    admin.memberships.all().delete()
    oak.trust.admins.add(admin)
    SchoolFactory(trust=oak.trust, name="Birch School")
    client.force_login(admin)
    page = client.get(reverse("reporting:trust-dashboard"))
    names = [s.school.name for s, _ in page.context["rows"]]
    assert names == ["Birch School", "Oak School"]
    csv = client.get(reverse("reporting:trust-dashboard"), {"format": "csv"})
    assert csv.content.decode().count("\n") == 3


def test_csv_cells_that_look_like_formulas_are_quoted(client, head, oak):
    oak.name = "=HYPERLINK(1)"
    oak.save()
    client.force_login(head)
    csv = client.get(reverse("reporting:dashboard"), {"format": "csv"})
    assert "'=HYPERLINK(1)" in csv.content.decode()


@pytest.mark.parametrize("schools", [1, 6])
def test_trust_dashboard_queries_do_not_grow(client, oak, schools, django_assert_max_num_queries):
    admin = MembershipFactory(school=oak).user
    oak.trust.admins.add(admin)
    for _ in range(schools):
        school = SchoolFactory(trust=oak.trust)
        RelationshipFactory(school=school)
    client.force_login(admin)
    # session, user, memberships, schools, then a fixed set of grouped counts: terms, today's
    # recorded sessions, two completion windows (counters), staff, pairs, steps by state with
    # stuck and slipped (counters), secured (counters); chart; session save
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reporting:trust-dashboard"))
    assert len(response.context["rows"]) == schools + 1


@pytest.mark.parametrize("pairs", [1, 8])
def test_school_dashboard_queries_do_not_grow(
    client, head, oak, oak_year, bob, pairs, django_assert_max_num_queries
):
    for _ in range(pairs):
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=bob)
        make_step(pair, state=StepState.PRACTISING)
    client.force_login(head)
    # the trust dashboard's grouped counts for one school, plus the half-term completion
    # figures behind the charts (current year, terms, day counters, today's sessions)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("reporting:dashboard"))
    assert response.context["summary"].pairs == pairs


def _tool_links(response) -> list[str]:
    return [tool.url for _, tools in response.context["sections"] for tool in tools]


@pytest.mark.parametrize("who", ["lead", "head", "admin"])
def test_dashboard_offers_only_the_tools_the_person_may_open(client, request, who, pairing):
    """A school admin or senior leader is not sent to quality signals or recognition, which
    only coaches open; every tool offered opens, and every tool held back is refused."""
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("reporting:dashboard"))
    offered = _tool_links(response)
    for url in offered:
        assert url.encode() in response.content
        assert client.get(url).status_code == 200, url
    for tool in (tool for section in SECTIONS for tool in section.tools):
        if tool.url not in offered:
            assert f'href="{tool.url}"'.encode() not in response.content
            assert client.get(tool.url).status_code == 403, tool.url


def test_senior_leader_and_admin_are_not_offered_coaches_pages(client, head, admin):
    for person in (head, admin):
        client.force_login(person)
        content = client.get(reverse("reporting:dashboard")).content
        assert reverse("leading:quality").encode() not in content
        assert reverse("leading:recognition").encode() not in content
        assert reverse("reporting:completion").encode() in content
