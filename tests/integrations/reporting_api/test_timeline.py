"""The owner's own timeline through the API: what their timeline page shows (never notes),
only their own, only with `records:read`, every read audited; a fixed number of queries."""

from __future__ import annotations

import pytest

from coachroom.audit.models import AuditEvent
from coachroom.integrations.reporting_api.models import Scope
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory
from tests.integrations.reporting_api.helpers import api_get, token_for
from tests.records.history import NOTES, PRAISE, REFLECTION, STEP_TITLE, make_history

pytestmark = pytest.mark.django_db


def test_the_owner_reads_their_own_timeline(client, programme, lead):
    body = api_get(client, "me/timeline", token_for(lead)).json()
    assert (body["school_urn"], body["academic_year"], body["count"]) == (
        "111111",
        "2026–27",
        None,
    )
    kinds = [entry["kind"] for entry in body["items"]]
    assert {"drop-in", "meeting", "step"} <= set(kinds)
    drop_in = next(e for e in body["items"] if e["kind"] == "drop-in")
    assert drop_in["who"] == "Carol Example"
    assert drop_in["evidence"] == ["The step: partly"]
    assert drop_in["url"].startswith("http://testserver/coaching/")
    assert [step["title"] for step in body["current_steps"]] == [STEP_TITLE]


def test_notes_stay_in_coachroom(client, programme, lead):
    text = api_get(client, "me/timeline", token_for(lead)).content.decode()
    for words in (NOTES, PRAISE, REFLECTION):
        assert words not in text


def test_every_read_is_audited(client, programme, lead):
    secret = token_for(lead)
    api_get(client, "me/timeline", secret)
    api_get(client, "me/timeline", secret, limit=1)
    events = list(AuditEvent.objects.filter(action="api.timeline.exported").order_by("pk"))
    assert [(e.actor, e.subject, e.school) for e in events] == [(lead, lead, programme.oak)] * 2
    assert events[0].data["entries"] >= 3 and events[1].data["entries"] == 1
    assert events[0].target_type == "integrations.apitoken"


def test_it_needs_records_read_and_a_personal_token(client, programme, lead, trust_admin):
    without = token_for(lead, [Scope.REPORTING.value])
    assert api_get(client, "me/timeline", without).status_code == 403
    trust = token_for(trust_admin, trust=programme.trust)
    assert api_get(client, "me/timeline", trust).status_code == 403
    assert not AuditEvent.objects.filter(action="api.timeline.exported").exists()


def test_a_coach_s_token_reads_only_their_own_record(client, pairing, bob, alice):
    """bob coaches alice, yet his token's timeline is his own: the API has no way to ask for
    anyone else's."""
    make_history(pairing)
    body = api_get(client, "me/timeline", token_for(bob), school="111111").json()
    assert body["items"] == [] and body["current_steps"] == []
    mine = api_get(client, "me/timeline", token_for(alice)).json()
    assert len(mine["items"]) >= 3


def test_pages_follow_next(client, programme, lead):
    secret = token_for(lead)
    first = api_get(client, "me/timeline", secret, limit=1).json()
    assert len(first["items"]) == 1 and first["next"]
    second = client.get(first["next"], headers={"Authorization": f"Bearer {secret}"}).json()
    assert second["items"][0]["at"] <= first["items"][0]["at"]
    assert api_get(client, "me/timeline", secret, offset=5000).json()["items"] == []


def test_another_year_or_school(client, programme, lead, elm):
    secret = token_for(lead)
    assert api_get(client, "me/timeline", secret, year=2026).status_code == 200
    assert api_get(client, "me/timeline", secret, year=2031).status_code == 404
    assert api_get(client, "me/timeline", secret, school=elm.urn).status_code == 404


@pytest.mark.parametrize("coaches", [1, 3])
def test_the_timeline_costs_the_same_however_long(
    client, oak, oak_year, lead, coaches, django_assert_max_num_queries
):
    for _ in range(coaches):
        coach = UserFactory()
        MembershipFactory(user=coach, school=oak, is_coach=True)
        make_history(
            RelationshipFactory(school=oak, academic_year=oak_year, coach=coach, coachee=lead)
        )
    secret = token_for(lead)
    # token; rate limit (2); memberships; years; drop-ins; their evidence; meetings; step
    # changes; current steps; the audit entry
    with django_assert_max_num_queries(12):
        response = api_get(client, "me/timeline", secret)
    assert len(response.json()["items"]) >= 3 * coaches
