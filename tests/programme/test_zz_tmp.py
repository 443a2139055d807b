import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.programme.test_completion import *  # noqa

@pytest.mark.parametrize("pairs", [2, 12])
def test_count(client, lead, oak, oak_year, pairs):
    for _ in range(pairs):
        coach = UserFactory()
        MembershipFactory(user=coach, school=oak, is_coach=True)
        pair = RelationshipFactory(school=oak, academic_year=oak_year, coach=coach)
        slot = _slot(pair, coach)
        scheduling.session_mark_held(session=_on(slot, dt.date(2026, 9, 9)), by=coach)
    client.force_login(lead)
    with CaptureQueriesContext(connection) as ctx:
        client.get(URL)
    for q in ctx.captured_queries: print(q["sql"][:150])
    print(len(ctx.captured_queries))
