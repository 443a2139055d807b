"""Tokens: stored hashed, shown once, refused when revoked, expired, or no longer backed by
their owner; rate-limited per token in the database; revoked with the owner's old secrets."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from coachroom.accounts import services as accounts
from coachroom.accounts.models import Membership
from coachroom.accounts.signals import credentials_changed
from coachroom.audit.labels import LABELS, kind_of
from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError
from coachroom.integrations.reporting_api import services, tokens
from coachroom.integrations.reporting_api.models import ApiToken, Scope
from tests.integrations.reporting_api.helpers import api_get, token_for

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_token_is_stored(alice):
    token, secret = services.token_create(
        owner=alice, name="Power BI", scopes=[Scope.REPORTING.value], days=90
    )
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("cr1_") and len(secret) > 40
    assert secret not in {stored.token_hash, stored.prefix, stored.name}
    assert stored.token_hash == tokens.digest(secret)
    assert stored.prefix == secret[:12]
    assert stored.expires_at == stored.created_at + dt.timedelta(days=90)
    event = AuditEvent.objects.get(action="api.token.created")
    assert event.actor == alice
    assert secret not in str(event.data)


def test_a_token_answers_to_its_bearer(client, alice):
    secret = token_for(alice)
    response = api_get(client, "me", secret)
    assert response.status_code == 200
    assert response.json()["person_email"] == alice.email
    assert response["Cache-Control"] == "no-store, private"
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer cr1_not-a-real-token",
        "Bearer ",
        "Basic YWxpY2U6cGFzc3dvcmQ=",
        "Bearer " + "x" * 5000,
    ],
)
def test_anything_but_a_valid_token_is_a_401(client, alice, header):
    token_for(alice)
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="coachroom"'
    assert response.json() == {"detail": "Send a valid API token: Authorization: Bearer <token>."}


def test_a_signed_in_session_is_not_a_token(client, alice):
    client.force_login(alice)
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_and_expired_tokens_stop_working(client, alice):
    revoked, expired = token_for(alice), token_for(alice, days=30)
    services.token_revoke(token=ApiToken.objects.get(token_hash=tokens.digest(revoked)), by=alice)
    assert api_get(client, "me", revoked).status_code == 401
    assert api_get(client, "me", expired).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert api_get(client, "me", expired).status_code == 401


def test_a_deactivated_person_s_token_stops_working(client, alice):
    secret = token_for(alice)
    alice.is_active = False
    alice.save()
    assert api_get(client, "me", secret).status_code == 401


def test_a_trust_token_stops_when_its_maker_is_no_longer_a_trust_admin(client, oak, trust_admin):
    secret = token_for(trust_admin, trust=oak.trust)
    assert api_get(client, "me", secret).json()["trust_name"] == oak.trust.name
    oak.trust.admins.remove(trust_admin)
    assert api_get(client, "me", secret).status_code == 401


def test_a_token_needs_the_scope_of_what_it_reads(client, lead):
    secret = token_for(lead, [Scope.RECORDS.value])
    response = api_get(client, "completion/weeks", secret)
    assert response.status_code == 403
    assert "reporting:read" in response.json()["detail"]
    assert api_get(client, "me", secret).status_code == 200  # any scope reads /me


def test_the_rate_limit_counts_each_token_in_the_database(client, settings, alice, bob):
    settings.API_REQUESTS_PER_MINUTE = 3
    secret, other = token_for(alice), token_for(bob)
    start = timezone.now().replace(second=50, microsecond=0)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert api_get(client, "me", secret).status_code == 200
        refused = api_get(client, "me", secret)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "10"
        assert "Too many requests" in refused.json()["detail"]
        assert api_get(client, "me", other).status_code == 200  # per token
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        assert api_get(client, "me", secret).status_code == 200  # a new minute


def test_the_limit_is_shared_by_every_process(alice, settings):
    """Two server processes hold two copies of the token: the count is the database's."""
    settings.API_REQUESTS_PER_MINUTE = 2
    secret = token_for(alice)
    first, second = tokens.token_for(secret), tokens.token_for(secret)
    assert first is not None and second is not None
    now = timezone.now()
    assert tokens.spend(first, now=now) is None
    assert tokens.spend(second, now=now) is None
    assert tokens.spend(first, now=now) is not None
    assert ApiToken.objects.get().rate_count == 2


def test_a_password_reset_revokes_the_person_s_tokens(client, alice, oak, trust_admin):
    mine = token_for(alice)
    trusts = token_for(trust_admin, trust=oak.trust)
    accounts.credentials_reset(person=alice)
    assert api_get(client, "me", mine).status_code == 401
    assert api_get(client, "me", trusts).status_code == 200  # someone else's
    event = AuditEvent.objects.get(action="api.token.revoked")
    assert (event.actor, event.data["reason"]) == (alice, "password_reset")


def test_an_email_change_revokes_them_too(client, trust_admin, oak):
    secret = token_for(trust_admin, trust=oak.trust)  # a trust token its maker made
    credentials_changed.send(sender=type(trust_admin), user=trust_admin, reason="email_changed")
    assert api_get(client, "me", secret).status_code == 401


def test_a_role_taken_away_narrows_the_token_at_once(client, lead, oak):
    secret = token_for(lead)
    assert api_get(client, "steps/stick-rate", secret).status_code == 200
    Membership.objects.filter(user=lead, school=oak).update(is_coaching_lead=False)
    assert api_get(client, "steps/stick-rate", secret).status_code == 403


def test_no_more_than_ten_usable_tokens_a_person(alice):
    for _ in range(services.MAX_ACTIVE):
        token_for(alice)
    with pytest.raises(DomainError):
        token_for(alice)


def test_a_trust_token_never_reads_a_record_and_only_an_admin_makes_one(alice, oak, trust_admin):
    with pytest.raises(DomainError):
        token_for(trust_admin, [Scope.RECORDS.value], trust=oak.trust)
    with pytest.raises(DomainError):
        token_for(alice, [Scope.REPORTING.value], trust=oak.trust)


def test_every_api_audit_code_reads_as_a_sentence_of_its_kind():
    """The audit log names what the API did: token changes with settings, reads with exports
    (the person the records are about sees those)."""
    source = "".join(path.read_text() for path in Path(services.__file__).parent.rglob("*.py"))
    codes = set(re.findall(r'"(api\.[a-z_]+\.[a-z_]+)"', source))
    assert codes == {
        "api.token.created",
        "api.token.revoked",
        "api.timeline.exported",
        "api.completion_coachees.exported",
        "api.induction_reviews.exported",
    }
    assert all(code in LABELS for code in codes)
    assert {code: kind_of(code).key for code in codes} == {
        code: "exports" if code.endswith(".exported") else "staff" for code in codes
    }
