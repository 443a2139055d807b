"""Induction through the API: each ECT's reviews by date with the cohort CSV's statuses (for the
induction tutor and senior leaders), counts by school for a trust; never what a review says."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.induction import reviews, setup
from coachroom.induction.setup import InductionDetails
from tests.factories import MembershipFactory, UserFactory
from tests.integrations.reporting_api.helpers import api_get, token_for

pytestmark = pytest.mark.django_db

EVIDENCE = "Routines are secure; questioning checks the whole class."
TARGETS = "Plan hinge questions for each lesson."


def _write(review, tess) -> None:
    reviews.review_write(
        review=review,
        by=tess,
        outcome="on track",
        standards_of_concern=[],
        evidence=EVIDENCE,
        targets=TARGETS,
    )
    reviews.review_sign_as_tutor(review=review, by=tess)


def test_rows_are_the_cohort_csv_s(client, programme, tess):
    _write(programme.review, tess)
    rows = api_get(client, "induction/reviews", token_for(tess)).json()["items"]
    client.force_login(tess)
    download = client.get(reverse("induction:cohort-csv")).content.decode()
    lines = list(csv.DictReader(io.StringIO(download)))
    assert [(r["review"], r["due_on"], r["status"]) for r in rows] == [
        (line["review"], line["due_on"], line["status"]) for line in lines
    ]
    first = rows[0]
    assert (first["ect_name"], first["status"], first["outcome"]) == (
        "Alice Example",
        "signed by the tutor",
        "on track",
    )
    assert (first["fte"], first["induction_tutor"], first["time_off_hours_due"]) == (
        1.0,
        "Tess Example",
        first["time_off_hours_due"],
    )
    assert {r["status"] for r in rows[1:]} == {"not started"}


def test_no_review_text_leaves_coachroom(client, programme, tess, head, trust_admin):
    _write(programme.review, tess)
    for secret, path in (
        (token_for(tess), "induction/reviews"),
        (token_for(head), "induction/summary"),
        (token_for(trust_admin, trust=programme.trust), "induction/summary"),
    ):
        body = api_get(client, path, secret).content.decode()
        assert EVIDENCE not in body and TARGETS not in body


def test_the_summary_counts_reviews_due_and_how_far_they_got(client, programme, tess, trust_admin):
    _write(programme.review, tess)
    secret = token_for(trust_admin, trust=programme.trust)
    rows = api_get(client, "induction/summary", secret).json()["items"]
    progress = next(r for r in rows if r["review_kind"] == "progress review")
    assert (progress["ects"], progress["signed_by_the_tutor"]) == (1, 1)
    assert progress["not_started"] == progress["reviews"] - 1
    assert (progress["due"], progress["overdue"]) == (0, 0)  # the first is due in December
    assert "Alice" not in str(rows)


def test_reading_rows_by_ect_is_audited(client, programme, head):
    api_get(client, "induction/reviews", token_for(head))
    event = AuditEvent.objects.get(action="api.induction_reviews.exported")
    assert (event.actor, event.school) == (head, programme.oak)


@pytest.mark.parametrize("ects", [1, 5])
def test_rows_by_ect_cost_the_same_however_many_ects(
    client, oak, oak_year, bob, tess, ects, django_assert_max_num_queries
):
    for _ in range(ects):
        ect = UserFactory()
        MembershipFactory(user=ect, school=oak, is_ect=True)
        setup.induction_set_up(
            school=oak,
            ect=ect,
            details=InductionDetails(
                starts_on=dt.date(2026, 9, 7),
                fte=Decimal("0.8"),
                appropriate_body="Oakshire TSH",
                mentor=bob,
                tutor=tess,
                timetable_hours=Decimal("20"),
            ),
            by=tess,
        )
    secret = token_for(tess)
    # token; rate limit (2); memberships; inductions; absences; reviews; the school's terms and
    # closures; entitlements' meetings, time off and calendar (4); the audit entry
    with django_assert_max_num_queries(14):
        response = api_get(client, "induction/reviews", secret)
    assert {row["ect_email"] for row in response.json()["items"]} == {
        i.ect.email for i in oak.inductions.select_related("ect")
    }


def test_a_review_past_its_date_and_not_signed_by_all_is_overdue(
    client, programme, tess, trust_admin
):
    _write(programme.review, tess)
    secret = token_for(trust_admin, trust=programme.trust, days=365)
    with time_machine.travel(dt.datetime(2027, 1, 11, 9, tzinfo=dt.UTC)):
        rows = api_get(client, "induction/summary", secret).json()["items"]
    progress = next(r for r in rows if r["review_kind"] == "progress review")
    assert (progress["due"], progress["overdue"], progress["signed_by_the_tutor"]) == (1, 1, 1)
