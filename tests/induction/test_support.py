"""An ECT who leaves part-way (an interim assessment on their last day) and support plans
(opened once, read by the ECT, the induction tutor and senior leaders, closed with a note).

The cast: alice is the ECT, bob her mentor, tess her induction tutor, head a senior leader."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError
from coachroom.induction import reviews, support
from coachroom.induction.dates import plan_for
from coachroom.induction.models import InductionReview, SupportPlan
from coachroom.induction.setup import InductionDetails
from tests.html import visible_text

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(visible_text(response.content.decode()))


def details(**changes) -> InductionDetails:
    values = {
        "starts_on": dt.date(2026, 9, 7),
        "fte": Decimal("1"),
        "appropriate_body": "Oakshire TSH",
    }
    return InductionDetails(**{**values, **changes})


def test_leaving_part_way_brings_an_interim_assessment(client, induction, tess, bob):
    client.force_login(tess)
    data = {
        "starts_on": "2026-09-07",
        "fte": "1",
        "appropriate_body": "Oakshire TSH",
        "mentor": bob.pk,
        "tutor": tess.pk,
        "left_on": "2027-02-12",
    }
    client.post(induction.get_absolute_url(), data)
    induction.refresh_from_db()
    points = plan_for(induction).points
    assert [p.label for p in points] == [
        "Progress review, Autumn 2026",
        "Interim assessment, on leaving",
    ]
    page = text_of(client.get(induction.get_absolute_url()))
    assert "Leaves 12 Feb 2027" in page
    review = reviews.review_start(induction=induction, point=points[1], by=tess)
    assert (review.kind, review.period, review.title) == (
        "interim assessment",
        "on leaving",
        "Interim assessment, on leaving",
    )
    early = client.post(induction.get_absolute_url(), {**data, "left_on": "2026-08-01"})
    assert "cannot be before induction started" in text_of(early)


def test_a_support_plan_is_opened_once_and_closed_with_a_note(induction, tess):
    values = {
        "concerns": "Standard 7: low-level disruption in Year 9.",
        "support": "Weekly drop-ins with Year 9; rehearse the correction script.",
        "review_on": dt.date(2027, 1, 15),
    }
    plan = support.support_plan_open(induction=induction, by=tess, **values)
    again = support.support_plan_open(induction=induction, by=tess, **values)
    assert again == plan and SupportPlan.objects.count() == 1
    support.support_plan_close(plan=plan, by=tess, note="Back on track in January.")
    with pytest.raises(DomainError, match="closed"):
        support.support_plan_update(plan=plan, by=tess, **values)
    assert support.support_plan_open(induction=induction, by=tess, **values) != plan
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"induction.support_plan.opened", "induction.support_plan.closed"} <= actions


def test_the_mentor_cannot_make_a_support_plan(induction, bob):
    with pytest.raises(DomainError, match="induction tutors and senior leaders"):
        support.support_plan_open(
            induction=induction,
            by=bob,
            concerns="x",
            support="y",
            review_on=dt.date(2027, 1, 15),
        )


@pytest.mark.parametrize(
    ("person", "status"),
    [("alice", 200), ("tess", 200), ("head", 200), ("bob", 404), ("admin", 404)],
)
def test_who_opens_the_support_plan_page(client, request, induction, person, status):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("induction:support-plan", args=[induction.pk])).status_code == status


def test_the_tutor_opens_a_plan_the_ect_reads_it_and_leaders_see_the_ect_at_risk(
    client, induction, alice, tess, head
):
    url = reverse("induction:support-plan", args=[induction.pk])
    client.force_login(tess)
    missing = client.post(url, {"action": "save", "concerns": "", "support": ""})
    assert "This field is required" in text_of(missing)
    client.post(
        url,
        {
            "action": "save",
            "concerns": "Standard 7: Year 9 lessons lose ten minutes.",
            "support": "Rehearse the correction script each week.",
            "review_on": "2027-01-15",
        },
    )
    assert SupportPlan.objects.get().review_on == dt.date(2027, 1, 15)
    client.force_login(alice)
    assert "Your support plan" in text_of(client.get(reverse("induction:mine")))
    page = text_of(client.get(url))
    assert "Rehearse the correction script each week." in page
    assert "Close support plan" not in page
    client.force_login(head)
    at_risk = text_of(client.get(reverse("induction:cohort") + "?show=at-risk"))
    assert "Alice Example" in at_risk and "On a support plan" in at_risk
    assert AuditEvent.objects.filter(action="induction.support_plan.viewed").count() == 0
    client.get(url)
    assert AuditEvent.objects.get(action="induction.support_plan.viewed").subject == alice


def test_interim_assessments_are_reviews_too(induction, tess):
    induction.left_on = dt.date(2027, 2, 12)
    induction.save()
    point = plan_for(induction).points[-1]
    reviews.review_start(induction=induction, point=point, by=tess)
    assert InductionReview.objects.get().get_kind_display() == "Interim assessment"
