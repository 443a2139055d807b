"""Completion through the API: the page's figures (the same `CompletionQuery`), by school and
week, missed reasons and by coachee, paged; a fixed number of queries however many schools,
pairs or weeks."""

from __future__ import annotations

import datetime as dt

import pytest

from coachroom.audit.models import AuditEvent
from coachroom.reporting.completion import CompletionQuery, Filters
from tests.factories import MembershipFactory, RelationshipFactory, SchoolFactory, UserFactory
from tests.integrations.reporting_api.helpers import api_get, token_for
from tests.integrations.reporting_api.programme import drop_ins

pytestmark = pytest.mark.django_db

YEAR = Filters(start=dt.date(2026, 9, 1), end=dt.date(2026, 11, 4))


def test_weeks_are_the_completion_page_s_weeks(client, programme, lead):
    rows = api_get(client, "completion/weeks", token_for(lead)).json()["items"]
    page = CompletionQuery(school=programme.oak, viewer_coach=None, filters=YEAR).by_week()
    assert [(r["week_starting"], r["planned"], r["held"]) for r in rows] == [
        (w.starts_on.isoformat(), w.tally.planned, w.tally.held) for w in page
    ]
    first = rows[0]
    assert first == {
        "school_urn": "111111",
        "school_name": "Oak School",
        "figures": "school",
        "week_starting": "2026-09-07",
        "week_ending": "2026-09-13",
        "planned": 1,
        "held": 1,
        "completion_percent": 100,
        "drop_ins_planned": 1,
        "drop_ins_held": 1,
        "meetings_planned": 0,
        "meetings_held": 0,
        "missed": 0,
        "cancelled": 0,
        "unrecorded": 0,
    }
    assert sum(r["missed"] for r in rows) == 1


def test_filters_narrow_the_dates_and_the_kind(client, programme, lead):
    secret = token_for(lead)
    rows = api_get(
        client, "completion/weeks", secret, from_date="2026-09-14", to_date="2026-09-27"
    ).json()["items"]
    assert [r["week_starting"] for r in rows] == ["2026-09-14", "2026-09-21"]
    meetings = api_get(client, "completion/weeks", secret, kind="meeting").json()["items"]
    assert meetings and all(r["drop_ins_planned"] == 0 for r in meetings)
    bad = api_get(client, "completion/weeks", secret, from_date="2026-10-01", to_date="2026-09-01")
    assert bad.status_code == 422
    assert "on or after" in str(bad.json()["detail"])
    assert api_get(client, "completion/weeks", secret, kind="lesson").status_code == 422
    assert api_get(client, "completion/weeks", secret, from_date="1066-10-14").status_code == 422


def test_reasons_count_every_miss(client, programme, head):
    rows = api_get(client, "completion/reasons", token_for(head)).json()["items"]
    assert rows == [
        {
            "school_urn": "111111",
            "school_name": "Oak School",
            "figures": "school",
            "reason": "Cover duty",
            "missed": 1,
            "rebooked": 0,
            "cancelled": 0,
        }
    ]


def test_pages_carry_the_count_and_the_next_address(client, programme, lead):
    secret = token_for(lead)
    first = api_get(client, "completion/weeks", secret, limit=2).json()
    assert first["count"] > 2 and len(first["items"]) == 2
    assert first["next"].startswith("http://testserver/api/v1/completion/weeks?")
    assert "offset=2" in first["next"] and "limit=2" in first["next"]
    rest = client.get(first["next"], headers={"Authorization": f"Bearer {secret}"}).json()
    assert rest["items"][0]["week_starting"] != first["items"][0]["week_starting"]
    last = api_get(client, "completion/weeks", secret, limit=500).json()
    assert last["next"] is None and len(last["items"]) == last["count"]
    assert api_get(client, "completion/weeks", secret, limit=501).status_code == 422


def test_reading_coachees_is_audited_for_each_school(client, programme, lead):
    api_get(client, "completion/coachees", token_for(lead))
    event = AuditEvent.objects.get(action="api.completion_coachees.exported")
    assert (event.actor, event.school) == (lead, programme.oak)


def _more_schools(trust, schools: int, pairs: int) -> None:
    """Schools in the trust, each with coached pairs that have drop-ins on the timetable."""
    for _ in range(schools):
        school = SchoolFactory(trust=trust)
        for _ in range(pairs):
            coach = UserFactory()
            MembershipFactory(user=coach, school=school, is_coach=True)
            drop_ins(RelationshipFactory(school=school, coach=coach), coach)


@pytest.mark.parametrize(("schools", "pairs"), [(1, 1), (4, 3)])
@pytest.mark.parametrize("path", ["completion/weeks", "completion/reasons"])
def test_a_trust_s_completion_costs_the_same_however_many_schools(
    client, oak, trust_admin, schools, pairs, path, django_assert_max_num_queries
):
    _more_schools(oak.trust, schools, pairs)
    secret = token_for(trust_admin, trust=oak.trust)
    # the token with its owner still an admin; the rate limit (two UPDATEs in the token's first
    # minute); the trust's schools; every school's counters (one UNION); today's sessions
    with django_assert_max_num_queries(6):
        response = api_get(client, path, secret)
    assert response.status_code == 200
    assert len({row["school_urn"] for row in response.json()["items"]}) == schools


@pytest.mark.parametrize("pairs", [1, 6])
def test_coachees_cost_the_same_however_many_pairs(
    client, oak, oak_year, lead, pairs, django_assert_max_num_queries
):
    for _ in range(pairs):
        coach = UserFactory()
        MembershipFactory(user=coach, school=oak, is_coach=True)
        drop_ins(RelationshipFactory(school=oak, academic_year=oak_year, coach=coach), coach)
    secret = token_for(lead)
    # token; rate limit (2); memberships; counters; today's sessions; the pairs' counters; the
    # pairs with when each was last seen; the audit entry
    with django_assert_max_num_queries(9):
        response = api_get(client, "completion/coachees", secret)
    assert response.json()["count"] == pairs
