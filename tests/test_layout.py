"""The shared layout (base.html and its nav): links reversed once, no queries of its own."""

from __future__ import annotations

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import override_script_prefix
from django.urls import resolve, reverse

from coachroom.accounts.viewer import viewer_of
from coachroom.config.context import LAYOUT_VIEWS
from tests.factories import MembershipFactory


def test_the_layout_links_every_page_it_names(client, lead, tess, elm):
    MembershipFactory(user=lead, school=elm, is_coaching_lead=True)  # and the switcher
    lead.memberships.update(is_ect=True)
    client.force_login(lead)  # a coaching lead in induction: every item of the nav but one
    page = client.get(reverse("scheduling:week")).content.decode()
    for name, view in LAYOUT_VIEWS.items():
        if name != "inductions":  # leaders reach the ECTs from the programme's tools
            assert f'="{reverse(view)}"' in page, view
    assert f'<a href="{reverse("scheduling:week")}" aria-current="page">My week</a>' in page
    client.force_login(tess)  # an induction tutor and no leader: that one
    assert f'="{reverse("induction:cohort")}"' in client.get(reverse("scheduling:week")).text


def test_the_layout_links_follow_the_script_prefix(client, lead):
    client.force_login(lead)
    plain = client.get(reverse("scheduling:week")).content.decode()
    assert 'href="/programme/week/"' in plain
    with override_script_prefix("/coachroom/"):
        prefixed = client.get(reverse("scheduling:week")).content.decode()
    assert 'href="/coachroom/programme/week/"' in prefixed
    assert 'href="/programme/week/"' not in prefixed
    again = client.get(reverse("scheduling:week")).content.decode()
    assert 'href="/programme/week/"' in again


@pytest.mark.parametrize("schools", [1, 3])
def test_the_layout_makes_no_queries_once_the_memberships_are_read(
    lead, elm, schools, django_assert_num_queries
):
    if schools > 1:
        MembershipFactory(user=lead, school=elm)
    request = RequestFactory().get(reverse("scheduling:week"))
    request.user = lead
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.resolver_match = resolve(request.path)
    viewer_of(request)  # what every member page has done before it renders
    with django_assert_num_queries(0):
        page = render_to_string("base.html", request=request)
    assert ('id="school-switch"' in page) == (schools > 1)
    assert "Sign out" in page
