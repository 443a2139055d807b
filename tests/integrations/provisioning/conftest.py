"""Oak's SCIM token, and a SCIM client that sends it (tests/integrations/provisioning/entra.py)."""

from __future__ import annotations

import pytest

from coachroom.integrations.provisioning.models import ScimToken
from coachroom.integrations.provisioning.services import scim_token_create
from tests.integrations.provisioning.entra import Scim


@pytest.fixture
def oak_token(oak, admin) -> tuple[ScimToken, str]:
    """Oak's token for Microsoft Entra ID, made by Oak's school admin: (token, secret)."""
    return scim_token_create(school=oak, by=admin, name="Microsoft Entra ID")


@pytest.fixture
def scim(client, oak_token) -> Scim:
    return Scim(oak_token[1], client=client)
