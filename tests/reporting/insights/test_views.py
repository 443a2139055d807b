"""The Insights pages: who may open them, what they show, and that they name no one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.accounts.models import User
from tests.factories import UserFactory
from tests.reporting.insights.history import make_year_of_coaching

CAVEAT = b"This is a correlation in one school's data, not proof of cause"


@pytest.fixture
def history(oak):
    return make_year_of_coaching(oak, teachers=12)


def test_a_coaching_lead_sees_comparisons_with_intervals_and_the_caveat(client, lead, history):
    client.force_login(lead)
    response = client.get(reverse("reporting:insights"))
    assert response.status_code == 200
    page = response.content
    assert page.count(b"<h1>") == 1
    assert b"Steps the teacher proposed, or the coach" in page
    assert b"95% interval" in page
    assert CAVEAT in page
    assert b'role="img"' in page and b"<table>" in page  # a picture and the table behind it
    assert b"Withheld." in page  # line managers: every third teacher, too few steps


def test_insights_name_no_teacher_or_coach(client, lead, oak, history):
    client.force_login(lead)
    page = client.get(reverse("reporting:insights")).content.decode()
    named = User.objects.filter(memberships__school=oak).exclude(pk=lead.pk)
    for person in named:
        assert person.last_name not in page
        assert person.email not in page


def test_a_school_without_enough_steps_shows_no_figure(client, lead):
    client.force_login(lead)
    response = client.get(reverse("reporting:insights"))
    assert b"Not enough steps yet" in response.content
    assert CAVEAT not in response.content


def test_a_teacher_may_not_open_insights(client, alice):
    client.force_login(alice)
    assert client.get(reverse("reporting:insights")).status_code == 403


def test_a_lead_elsewhere_sees_their_own_school_only(client, outsider, history):
    client.force_login(outsider)
    response = client.get(reverse("reporting:insights"))
    assert response.status_code == 200
    assert b"from 0 agreed steps" in response.content


def test_a_trust_admin_sees_a_school_or_all_of_them(client, oak, elm, history):
    trust_admin = UserFactory()
    oak.trust.admins.add(trust_admin)
    elm.trust = oak.trust
    elm.save()
    client.force_login(trust_admin)
    url = reverse("reporting:trust-insights")
    pooled = client.get(url)
    assert pooled.status_code == 200
    assert b"these schools' data" in pooled.content
    one = client.get(url, {"school": oak.urn})
    assert oak.name.encode() in one.content and CAVEAT in one.content
    tampered = client.get(url, {"school": "999999"})  # not theirs: the pooled page
    assert tampered.status_code == 200


def test_someone_who_is_not_a_trust_admin_gets_403(client, lead):
    client.force_login(lead)
    assert client.get(reverse("reporting:trust-insights")).status_code == 403


@pytest.mark.parametrize("teachers", [6, 18])
def test_insights_queries_do_not_grow(client, lead, oak, teachers, django_assert_max_num_queries):
    make_year_of_coaching(oak, teachers=teachers)
    client.force_login(lead)
    # session, user, memberships (3) + the facts (at most 14)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("reporting:insights"))
    assert response.status_code == 200


def test_the_trust_dashboard_links_to_the_trusts_insights(client, oak):
    trust_admin = UserFactory()
    oak.trust.admins.add(trust_admin)
    client.force_login(trust_admin)
    page = client.get(reverse("reporting:trust-dashboard")).content.decode()
    assert reverse("reporting:trust-insights") in page


def test_the_programme_page_offers_insights_to_coaching_leads_only(client, lead, head):
    link = reverse("reporting:insights").encode()
    client.force_login(lead)
    assert link in client.get(reverse("reporting:dashboard")).content
    client.force_login(head)
    assert link not in client.get(reverse("reporting:dashboard")).content
