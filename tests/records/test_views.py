"""The records pages that are not downloads: the hub and the retention page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from tests.records.history import LONDON

INDEX = reverse("records:index")
RETENTION = reverse("records:retention")


def test_the_hub_offers_each_person_what_they_may_do(client, alice, lead, admin, dpo, history):
    client.force_login(alice)
    page = client.get(INDEX).content.decode()
    assert reverse("records:my-record-pdf") in page
    assert reverse("records:my-data") in page
    assert reverse("records:activity-export") not in page
    client.force_login(lead)
    page = client.get(INDEX).content.decode()
    assert reverse("records:my-record-pdf") not in page  # lead has never been coached
    assert reverse("records:activity-export") in page
    assert reverse("records:school-export") not in page
    client.force_login(admin)
    page = client.get(INDEX).content.decode()
    assert reverse("records:retention") in page
    assert reverse("records:activity-export") in page
    for name in ("subject-access", "school-export"):
        assert reverse(f"records:{name}") not in page
    assert "answered by your data protection lead" in page
    client.force_login(dpo)
    page = client.get(INDEX).content.decode()
    for name in ("records:subject-access", "records:school-export", "audit:log"):
        assert reverse(name) in page
    assert reverse("records:retention") not in page
    assert reverse("records:activity-export") not in page  # not a leader: no figures either


def test_someone_without_a_school_can_still_get_their_data(client, oak):
    from tests.factories import UserFactory

    trust_admin = UserFactory()
    oak.trust.admins.add(trust_admin)
    client.force_login(trust_admin)
    assert client.get(INDEX).status_code == 200
    assert client.get(reverse("records:my-data")).status_code == 200


def test_retention_page_previews_the_next_run(client, admin, history, pairing):
    pairing.ended_on = dt.date(2025, 10, 1)
    pairing.save()
    client.force_login(admin)
    response = client.get(RETENTION)
    assert response.status_code == 200
    page = response.content.decode()
    assert "kept for 12 months" in page
    assert '<th scope="row">Drop-ins with notes blanked</th><td>1</td>' in page
    assert "Nothing has been erased at Oak School yet." in page


def test_admin_changes_the_retention_period(client, admin, oak):
    client.force_login(admin)
    response = client.post(RETENTION, {"retention_months": "24"})
    assert response.status_code == 302
    oak.refresh_from_db()
    assert oak.retention_months == 24
    event = AuditEvent.objects.get(action="accounts.school.settings_changed")
    assert event.data == {"retention_months": "24"}


@pytest.mark.parametrize("months", ["0", "121", "twelve"])
def test_the_period_must_be_between_1_and_120_months(client, admin, oak, months):
    client.force_login(admin)
    response = client.post(RETENTION, {"retention_months": months})
    assert response.status_code == 200
    assert b"error-message" in response.content
    assert b"kept for 12 months" in response.content  # the page still shows the saved value
    oak.refresh_from_db()
    assert oak.retention_months == 12


def test_recent_erasures_are_listed(client, admin, oak):
    from coachroom import audit

    with time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=LONDON), tick=False):
        audit.record(
            actor=None,
            action="records.retention.applied",
            school=oak,
            data={"drop_ins": 3, "meetings": 0, "people": 1, "cutoff": "2025-11-20"},
        )
    client.force_login(admin)
    page = client.get(RETENTION).content.decode()
    assert "3 drop-ins with notes blanked; 1 people anonymised" in page


@pytest.mark.parametrize("runs", [1, 12])
def test_retention_page_queries_do_not_grow(
    client, admin, oak, runs, django_assert_max_num_queries
):
    for _ in range(runs):
        AuditEvent.objects.create(
            action="records.retention.applied", school=oak, data={"drop_ins": 1}
        )
    client.force_login(admin)
    # session, user, membership (3); thirteen counts of narrative past retention; schools,
    # leavers and their memberships (3); old audit events (1); recent runs (1); the session
    # saved (3)
    with django_assert_max_num_queries(24):
        response = client.get(RETENTION)
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["alice", "bob", "lead", "head"])
def test_only_school_admins_set_retention(client, request, who, oak):
    client.force_login(request.getfixturevalue(who))
    assert client.post(RETENTION, {"retention_months": "1"}).status_code == 403
    oak.refresh_from_db()
    assert oak.retention_months == 12
