"""Fixtures of the API tests: a term of Oak's programme
(tests/integrations/reporting_api/programme.py) and the trust's admin."""

from __future__ import annotations

import pytest

from coachroom.accounts.models import User
from tests.factories import UserFactory
from tests.integrations.reporting_api.programme import Programme, make_programme


@pytest.fixture
def programme(oak, elm, oak_year, pairing, alice, bob, carol, lead, tess, outsider) -> Programme:
    return make_programme(
        oak=oak,
        elm=elm,
        oak_year=oak_year,
        pairing=pairing,
        alice=alice,
        bob=bob,
        carol=carol,
        lead=lead,
        tess=tess,
        outsider=outsider,
    )


@pytest.fixture
def trust_admin(oak) -> User:
    """Oak's trust's admin, with no school of their own."""
    person = UserFactory(first_name="Trusty", last_name="Admin", email="trusty@trust.example")
    oak.trust.admins.add(person)
    return person
