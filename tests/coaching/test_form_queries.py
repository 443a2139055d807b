"""The coach's two forms read a fixed number of rows-sets however much coaching there is: the
same queries for a new pair and for one with a long history, many coachees and a big library."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.models import Membership
from coachroom.coaching.models import FeedbackMeeting, Observation, StepState
from coachroom.library.models import LibraryStep, Strand
from tests.coaching.access_rows_goals import make_priority
from tests.factories import MembershipFactory, RelationshipFactory, UserFactory, make_step
from tests.library.factories import LibraryStepFactory


def _grow(oak, oak_year, pairing, n: int) -> None:
    """`n` of everything: drop-ins, meetings and finished steps for the pair (`n` stick
    checks due among them), `n` more coachees for the coach, `n` more library steps."""
    now = timezone.now()
    for i in range(n):
        when = now - dt.timedelta(days=i + 1)
        observation = Observation.objects.create(
            school=oak,
            relationship=pairing,
            teacher=pairing.coachee,
            observer=pairing.coach,
            status=Observation.Status.SUBMITTED,
            observed_at=when,
            submitted_at=when,
            went_well=f"Drop-in {i}",
        )
        meeting = FeedbackMeeting.objects.create(
            school=oak,
            relationship=pairing,
            teacher=pairing.coachee,
            coach=pairing.coach,
            praise=f"Meeting {i}",
            decision="new",
            held_at=when,
        )
        meeting.observations.add(observation)
        make_step(
            pairing,
            state=StepState.SECURED,
            title=f"Secured step {i}",
            secured_at=when,
            stick_check_due=timezone.localdate() - dt.timedelta(days=1),
        )
        coachee = UserFactory()
        MembershipFactory(user=coachee, school=oak, is_teacher=True)
        other = RelationshipFactory(
            school=oak, academic_year=oak_year, coach=pairing.coach, coachee=coachee
        )
        Observation.objects.create(
            school=oak,
            relationship=other,
            teacher=coachee,
            observer=pairing.coach,
            status=Observation.Status.SUBMITTED,
            observed_at=when,
        )
    LibraryStepFactory.create_batch(n, school=oak)
    make_priority(
        oak,
        oak_year,
        title=f"Priority with {n}",
        strands=[Strand.objects.order_by("order").first()],
        library_steps=list(LibraryStep.objects.order_by("-pk")[:n]),
    )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_meeting_form_reads_the_same_queries_at_two_sizes(
    client, bob, oak, oak_year, pairing, django_assert_max_num_queries
):
    make_step(pairing, library_step=LibraryStep.objects.starter().order_by("pk").first())
    url = reverse("coaching:meeting-new", args=[pairing.pk])
    client.force_login(bob)
    client.get(url)
    _grow(oak, oak_year, pairing, 1)
    small = _count(client, url)
    _grow(oak, oak_year, pairing, 30)
    # session, user (2); memberships; the coach's pairs, then this one; its current step; its
    # latest drop-ins; the suggestions (the year, the priorities' links, the steps); booking
    # the next drop-in (terms, closures, the planned drop-in, the slot, the free times); the
    # session save (3)
    with django_assert_max_num_queries(18):
        response = client.get(url)
    assert _count(client, url) == small
    body = response.content.decode()
    assert body.count('name="library_step"') <= 1 + 5 + 1  # none, suggestions, chosen
    assert body.count('name="observations"') == 5  # the latest five drop-ins only
    assert len(body) < 40_000


def test_the_drop_in_form_reads_the_same_queries_at_two_sizes(
    client, bob, oak, oak_year, pairing, django_assert_max_num_queries
):
    make_step(pairing, state=StepState.PRACTISING)
    client.force_login(bob)
    start = reverse("coaching:drop-in-start", args=[pairing.pk])
    url = client.post(start)["Location"]
    client.get(url)
    _grow(oak, oak_year, pairing, 1)
    small = _count(client, url)
    _grow(oak, oak_year, pairing, 30)
    # session, user (2); memberships; the coach's pairs (the privacy rule); the draft with
    # its school, teacher and pair; the steps to look for; the session save (3)
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert _count(client, url) == small
    # the practising step and every stick check due, each with its four ratings
    assert response.content.decode().count('type="radio"') == 4 * (1 + 31)


def test_the_autosave_reads_a_fixed_number_of_queries(
    client, bob, oak, oak_year, pairing, django_assert_max_num_queries
):
    client.force_login(bob)
    url = client.post(reverse("coaching:drop-in-start", args=[pairing.pk]))["Location"]
    autosave = url.replace("/edit/", "/autosave/")
    _grow(oak, oak_year, pairing, 30)
    assert Membership.objects.filter(user=bob).exists()
    # session, user (2); memberships; the coach's pairs (the privacy rule); the draft; the
    # update in its savepoint (3); the saved version read back; the session save
    with django_assert_max_num_queries(10):
        response = client.post(autosave, {"went_well": "Calm start"}, HTTP_HX_REQUEST="true")
    assert "Draft saved at" in response.content.decode()
