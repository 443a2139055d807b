"""Schemathesis fuzzes every operation of the live schema (`/api/v1/openapi.json`, served by
the live server) with valid tokens: no server error, every status code declared, every response
matching its declared schema and content type.

Three tokens between them reach every answer: the coaching lead (who here is also a senior
leader and induction tutor, so every dataset answers 200, and whose own coaching has a
history), a plain teacher (403s) and the trust's reporting token (counts; 403s for names).
Hypothesis draws valid requests and, separately, invalid ones (which must be refused with a
declared 4xx), a few of each per operation, derandomised so that CI is repeatable.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coachroom.accounts.models import Membership
from tests.integrations.reporting_api.helpers import token_for

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}


def _runner(operation, mode: GenerationMode, secret: str, seen: Counter[tuple[str, int]]):
    """A Hypothesis test of one operation: each request made with the token and checked."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS
        )
        seen[(operation.path, response.status_code)] += 1

    return run


def _fuzz(schema, secret: str) -> Counter[tuple[str, int]]:
    """Every operation, both kinds of request: how often each operation gave each status."""
    seen: Counter[tuple[str, int]] = Counter()
    for result in schema.get_all_operations():
        for mode in EXAMPLES:
            _runner(result.ok(), mode, secret, seen)()
    return seen


def test_schemathesis_finds_nothing(live_server, settings, programme, lead, alice, trust_admin):
    settings.API_REQUESTS_PER_MINUTE = 1_000_000  # the limit has a test of its own
    Membership.objects.filter(user=lead).update(is_senior_leader=True, is_induction_tutor=True)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    paths = {result.ok().path for result in schema.get_all_operations()}
    everything = _fuzz(schema, token_for(lead))
    # The lead's token reads every operation: each answered 200 at least once.
    assert {path for path, status in everything if status == 200} == paths
    teacher = _fuzz(schema, token_for(alice))
    trust = _fuzz(schema, token_for(trust_admin, trust=programme.trust))
    statuses: Counter[int] = Counter()
    for seen in (everything, teacher, trust):
        for (_path, status), times in seen.items():
            statuses[status] += times
    assert statuses[403] and statuses[422] and statuses.total() > 300
