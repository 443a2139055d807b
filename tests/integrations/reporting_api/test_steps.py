"""Steps through the API: by strand and by priority (the priority report's counts), the stick
rate (the programme dashboard's); for a whole trust in a fixed number of queries."""

from __future__ import annotations

import pytest

from coachroom.accounts.services import academic_year_create
from coachroom.coaching.goals.queries import priority_report
from coachroom.coaching.models import StepState
from coachroom.reporting import counters
from tests.factories import RelationshipFactory, SchoolFactory, make_step
from tests.integrations.reporting_api.helpers import api_get, token_for

pytestmark = pytest.mark.django_db


def test_strands_are_the_priority_report_s(client, programme, head, oak_year):
    rows = api_get(client, "steps/strands", token_for(head)).json()["items"]
    report = priority_report(school=programme.oak, year=oak_year)
    assert [(r["strand"], r["current_steps"], r["secured_steps"]) for r in rows] == [
        (row.label, row.current, row.secured) for row in report.strands
    ]
    assert rows[-1]["strand"] == "Written by the pair (not from the library)"
    assert {r["academic_year"] for r in rows} == {"2026–27"}
    assert sum(r["total_steps"] for r in rows) == 4  # practising, secured, agreed; lead's paused


def test_priorities_count_steps_serving_each(client, programme, admin):
    rows = api_get(client, "steps/priorities", token_for(admin)).json()["items"]
    assert [(r["priority"], r["outside_the_priorities"]) for r in rows] == [
        ("Pupils give up on tricky tasks", False),
        ("Outside the priorities", True),
    ]
    assert rows[0]["current_steps"] == 1  # the practising step from the priority's strand


def test_the_stick_rate_is_the_dashboard_s(client, programme, trust_admin):
    rows = api_get(client, "steps/stick-rate", token_for(trust_admin, trust=programme.trust))
    assert rows.json()["items"] == [
        {
            "school_urn": "111111",
            "school_name": "Oak School",
            "steps_proposed": 0,
            "steps_agreed": 1,
            "steps_practising": 1,
            "steps_reopened": 0,
            "steps_secured": 1,
            "steps_paused": 1,
            "secured_this_half_term": 0,
            "stuck": 1,
            "slipped": 0,
            "stick_rate_percent": 100,
        }
    ]


def test_no_step_title_or_name_reaches_a_trust_token(client, programme, trust_admin, alice):
    secret = token_for(trust_admin, trust=programme.trust)
    for path in ("steps/strands", "steps/priorities", "steps/stick-rate"):
        body = api_get(client, path, secret).content.decode()
        assert "Pause and scan" not in body and alice.last_name not in body


def _schools(trust, count: int) -> None:
    for _ in range(count):
        school = SchoolFactory(trust=trust)
        year = academic_year_create(school=school, by=None, start_year=2026)
        pair = RelationshipFactory(school=school, academic_year=year)
        for state in (StepState.PRACTISING, StepState.SECURED):
            make_step(pair, state=state)
        counters.rebuild(school.pk)


@pytest.mark.parametrize("schools", [1, 4])
@pytest.mark.parametrize(
    ("path", "budget"),
    [
        # token; rate limit (2); the trust's schools; their current years; priorities; the
        # priorities' steps and strands (2); strands; the steps' counts
        ("steps/strands", 10),
        ("steps/priorities", 10),
        # token; rate limit (2); schools; then the dashboard's fixed eight
        ("steps/stick-rate", 12),
    ],
)
def test_a_trust_s_steps_cost_the_same_however_many_schools(
    client, oak, oak_year, trust_admin, schools, path, budget, django_assert_max_num_queries
):
    _schools(oak.trust, schools)
    secret = token_for(trust_admin, trust=oak.trust)
    with django_assert_max_num_queries(budget):
        response = api_get(client, path, secret)
    assert response.status_code == 200
    assert len({row["school_urn"] for row in response.json()["items"]}) == schools + 1
