"""The induction tutor's reviews: who reads them (the ECT, induction tutors and senior leaders;
never the mentor or the school admin), the order of signing, what a signature freezes, the
PDF for the appropriate body and the cohort's CSV.

The cast: alice is the ECT, bob her mentor, tess her induction tutor, head a senior leader."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import zipfile

import pytest
from django.urls import reverse

from coachroom.accounts.models import Membership
from coachroom.audit.models import AuditEvent
from coachroom.core.errors import DomainError
from coachroom.induction import reviews
from coachroom.induction.dates import plan_for
from coachroom.induction.models import InductionReview
from coachroom.records.subject_access import subject_access_data, write_subject_access_zip
from tests.html import visible_text

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(visible_text(response.content.decode()))


@pytest.fixture
def review(induction, tess):
    autumn = plan_for(induction).points[0]
    return reviews.review_start(induction=induction, point=autumn, by=tess)


def write(review, tess, **changes):
    values = {
        "outcome": "on track",
        "standards_of_concern": [],
        "evidence": "Routines are secure; questioning checks the whole class.",
        "targets": "Plan hinge questions for each lesson.",
    }
    return reviews.review_write(review=review, by=tess, **{**values, **changes})


@pytest.mark.parametrize(
    ("person", "reads"),
    [
        ("alice", True),  # the ECT: everything written about her
        ("tess", True),  # the induction tutor
        ("head", True),  # a senior leader signs for the headteacher
        ("bob", False),  # the mentor coaches and never assesses
        ("admin", False),  # a school admin runs the set-up, not the assessment
        ("lead", False),
        ("outsider", False),  # an induction tutor at Elm
    ],
)
def test_who_reads_a_review(request, review, person, reads):
    viewer = request.getfixturevalue(person)
    assert InductionReview.objects.visible_to(viewer).filter(pk=review.pk).exists() is reads


def test_a_tutor_who_loses_the_role_reads_nothing(review, tess):
    Membership.objects.filter(user=tess).update(is_induction_tutor=False)
    assert not InductionReview.objects.visible_to(tess).exists()


def test_starting_a_review_twice_opens_the_same_one(induction, review, tess):
    again = reviews.review_start(induction=induction, point=plan_for(induction).points[0], by=tess)
    assert again == review
    assert (review.kind, review.period, review.due_on) == (
        "progress review",
        "Autumn 2026",
        dt.date(2026, 12, 18),
    )


def test_signing_goes_tutor_first_and_freezes_what_the_tutor_wrote(review, alice, tess, head):
    with pytest.raises(DomainError, match="outcome and the evidence"):
        reviews.review_sign_as_tutor(review=review, by=tess)
    write(review, tess)
    for sign in (
        lambda: reviews.review_sign_as_head(review=review, by=head),
        lambda: reviews.review_sign_as_ect(review=review, by=alice, comments=""),
    ):
        with pytest.raises(DomainError, match=r"tutor signs first|once your induction tutor"):
            sign()
    reviews.review_sign_as_tutor(review=review, by=tess)
    reviews.review_sign_as_tutor(review=review, by=tess)  # a double tap signs once
    with pytest.raises(DomainError, match="final"):
        write(review, tess, evidence="Changed afterwards")
    reviews.review_sign_as_ect(review=review, by=alice, comments="I agree with the targets.")
    reviews.review_sign_as_head(review=review, by=head)
    review.refresh_from_db()
    assert review.is_complete and review.ect_comments == "I agree with the targets."
    signed = AuditEvent.objects.filter(action__startswith="induction.review.signed_by")
    assert signed.count() == 3


def test_only_the_right_people_sign(review, alice, bob, tess):
    write(review, tess)
    with pytest.raises(DomainError):
        reviews.review_sign_as_tutor(review=review, by=bob)
    reviews.review_sign_as_tutor(review=review, by=tess)
    with pytest.raises(DomainError):
        reviews.review_sign_as_head(review=review, by=tess)
    with pytest.raises(DomainError):
        reviews.review_sign_as_ect(review=review, by=tess, comments="")


def test_not_on_track_names_the_standards(client, review, tess):
    client.force_login(tess)
    url = review.get_absolute_url()
    data = {"action": "save", "outcome": "not on track", "evidence": "Behaviour routines."}
    assert "Choose the standards that are not on track" in text_of(client.post(url, data))
    client.post(url, {**data, "standards_of_concern": ["7"]})
    review.refresh_from_db()
    assert (review.outcome, review.standards_of_concern) == ("not on track", [7])
    assert "7. Managing behaviour" in text_of(client.get(url))


def test_the_ect_reads_and_signs_and_her_reading_is_not_audited(client, review, alice, tess):
    write(review, tess)
    reviews.review_sign_as_tutor(review=review, by=tess)
    client.force_login(alice)
    page = text_of(client.get(review.get_absolute_url()))
    assert "Routines are secure" in page and "Sign the review" in page
    client.post(review.get_absolute_url(), {"action": "sign-ect", "comments": "Thank you."})
    review.refresh_from_db()
    assert review.ect_signed_at is not None and review.ect_comments == "Thank you."
    assert not AuditEvent.objects.filter(action="induction.review.viewed").exists()
    client.force_login(tess)
    client.get(review.get_absolute_url())
    assert AuditEvent.objects.get(action="induction.review.viewed").subject == alice


def test_the_induction_page_starts_reviews_from_its_dates(client, induction, tess):
    client.force_login(tess)
    page = text_of(client.get(induction.get_absolute_url()))
    assert page.count("Start the") == 6
    response = client.post(reverse("induction:review-start", args=[induction.pk]), {"point": 2})
    review = InductionReview.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert review.title == "Formal assessment, end of year 1"
    bad = client.post(reverse("induction:review-start", args=[induction.pk]), {"point": 99})
    assert bad["Location"] == induction.get_absolute_url()


def test_the_pdf_carries_the_review_and_is_audited(client, review, tess):
    write(review, tess)
    client.force_login(tess)
    response = client.get(reverse("induction:review-pdf", args=[review.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Progress-review-Autumn-2026" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="induction.review.exported").exists()


def test_the_cohort_csv_has_every_date_with_its_status_and_no_text(client, review, tess):
    write(review, tess)
    reviews.review_sign_as_tutor(review=review, by=tess)
    client.force_login(tess)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("induction:cohort-csv")).text)))
    assert [r["review"] for r in rows][:2] == [
        "Progress review, Autumn 2026",
        "Progress review, Spring 2027",
    ]
    assert (rows[0]["status"], rows[0]["outcome"]) == ("signed by the tutor", "on track")
    assert rows[1]["status"] == "not started" and len(rows) == 6
    assert "Routines" not in client.get(reverse("induction:cohort-csv")).text


def test_the_at_risk_list_shows_ects_whose_latest_signed_review_is_not_on_track(
    client, review, tess, head, admin
):
    write(review, tess, outcome="not on track", standards_of_concern=[7])
    client.force_login(head)
    url = reverse("induction:cohort") + "?show=at-risk"
    assert "No ECT's latest signed review says not on track" in text_of(client.get(url))
    reviews.review_sign_as_tutor(review=review, by=tess)
    page = text_of(client.get(url))
    assert "Early-career teachers at risk" in page and "Alice Example" in page
    assert "Not on track" in page
    client.force_login(admin)  # runs the set-up; sees no review outcomes
    page = text_of(client.get(url))
    assert "Not on track" not in page and "Show ECTs at risk" not in page


def test_subject_access_gives_the_ect_their_induction_and_reviews_in_full(review, alice, tess):
    write(review, tess)
    reviews.review_sign_as_tutor(review=review, by=tess)
    data = subject_access_data(alice, school=None)
    (held,) = data["induction"]
    assert (held["mentor"], held["induction_tutor"]) == ("Bob Example", "Tess Example")
    (written,) = held["reviews_and_assessments"]
    assert written["evidence"].startswith("Routines are secure")
    assert written["signed_by_tutor"] == "Tess Example"
    out = io.BytesIO()
    write_subject_access_zip(data, out)
    page = zipfile.ZipFile(out).read("index.html").decode()
    assert "Induction (1)" in page and "Plan hinge questions for each lesson." in page
