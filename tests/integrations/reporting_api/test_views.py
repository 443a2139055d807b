"""The API tokens page: make a token and see it once, the list with when each was last used,
revoking with a confirmation; trust admins' trust tokens; nobody reaches anyone else's."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.integrations.reporting_api.models import ApiToken, Scope
from tests.html import visible_text as _visible
from tests.integrations.reporting_api.helpers import api_get, token_for

pytestmark = pytest.mark.django_db

URL = reverse("api:tokens")


def visible_text(page: str) -> str:
    return html.unescape(_visible(page))


def _make(client, **fields):
    data = {"name": "Power BI", "scopes": [Scope.REPORTING.value], "days": "90", **fields}
    return client.post(URL, data)


def test_a_new_token_is_shown_once_then_only_its_first_characters(client, alice):
    client.force_login(alice)
    response = _make(client)
    assert response.status_code == 302
    token = ApiToken.objects.get()
    page = client.get(URL).content.decode()
    secret = page.split('id="new-token" name="new-token" value="', 1)[1].split('"', 1)[0]
    assert secret.startswith(token.prefix)
    assert api_get(client, "me", secret).status_code == 200
    again = client.get(URL).content.decode()
    assert secret not in again and "Your new token" not in again
    assert f"{token.prefix}…" in again
    assert (token.owner, token.kind, token.scopes) == (alice, "personal", ["reporting:read"])


def test_the_list_shows_scopes_expiry_and_last_use(client, alice):
    secret = token_for(alice, [Scope.REPORTING.value, Scope.RECORDS.value])
    client.force_login(alice)
    text = visible_text(client.get(URL).content.decode())
    assert "Never" in text and "Active" in text
    assert "Your own coaching timeline" in text
    api_get(client, "me", secret)
    text = visible_text(client.get(URL).content.decode())
    assert "Never" not in text


def test_a_name_and_a_scope_are_needed(client, alice):
    client.force_login(alice)
    response = _make(client, name="", scopes=[])
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    text = visible_text(response.content.decode())
    assert "There is a problem" in text


def test_revoking_asks_first_then_the_token_stops(client, alice):
    secret = token_for(alice)
    token = ApiToken.objects.get()
    client.force_login(alice)
    url = reverse("api:token-revoke", args=[token.pk])
    assert "Revoke “Reports”?" in visible_text(client.get(url).content.decode())
    assert api_get(client, "me", secret).status_code == 200
    assert client.post(url).status_code == 302
    assert api_get(client, "me", secret).status_code == 401
    assert "Revoked" in visible_text(client.get(URL).content.decode())
    event = AuditEvent.objects.get(action="api.token.revoked")
    assert event.actor == alice and event.subject is None


def test_nobody_else_sees_or_revokes_a_token(client, alice, bob, outsider, oak, trust_admin):
    token_for(alice)
    token = ApiToken.objects.get()
    url = reverse("api:token-revoke", args=[token.pk])
    for person in (bob, outsider, trust_admin):
        client.force_login(person)
        assert token.prefix not in client.get(URL).content.decode()
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_trust_admin_makes_a_trust_token_for_counts_only(client, oak, trust_admin):
    client.force_login(trust_admin)
    page = visible_text(client.get(URL).content.decode())
    assert f"{oak.trust.name}: counts and patterns across the trust's schools" in page
    refused = _make(client, reads=str(oak.trust.pk), scopes=[Scope.RECORDS.value])
    assert "never anyone's coaching record" in visible_text(refused.content.decode())
    _make(client, reads=str(oak.trust.pk), scopes=[Scope.REPORTING.value, Scope.INDUCTION.value])
    token = ApiToken.objects.get()
    assert (token.kind, token.trust) == ("trust", oak.trust)


def test_trust_admins_see_and_revoke_each_other_s_trust_tokens(client, oak, trust_admin):
    other = type(trust_admin).objects.create_user("second@trust.example", first_name="Second")
    oak.trust.admins.add(other)
    secret = token_for(trust_admin, trust=oak.trust)
    token = ApiToken.objects.get()
    client.force_login(other)
    assert "made by Trusty Admin" in visible_text(client.get(URL).content.decode())
    client.post(reverse("api:token-revoke", args=[token.pk]))
    assert api_get(client, "me", secret).status_code == 401
    event = AuditEvent.objects.get(action="api.token.revoked")
    assert (event.actor, event.subject) == (other, trust_admin)


def test_a_teacher_is_offered_no_trust_tokens(client, alice):
    client.force_login(alice)
    assert "Whose figures it reads" not in client.get(URL).content.decode()
    _make(client, reads="1")  # ignored: not a field for them
    assert ApiToken.objects.get().kind == "personal"


def test_the_account_page_links_to_the_tokens(client, alice):
    client.force_login(alice)
    assert URL in client.get(reverse("accounts:profile")).content.decode()


def test_a_trust_token_whose_maker_left_shows_as_stopped(client, oak, trust_admin):
    token_for(trust_admin, trust=oak.trust)
    oak.trust.admins.remove(trust_admin)
    client.force_login(trust_admin)
    text = visible_text(client.get(URL).content.decode())
    assert "Stopped: its maker is no longer a trust admin" in text
    assert "Revoke “Reports”" in text
