"""Self-review: a teacher reviews a lesson against their step's points, and the step moves
through its own lifecycle as they decide; the review stays theirs until they share it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.audit.models import AuditEvent
from coachroom.coaching.models import ActionStep, StepState, StepTransition
from coachroom.coaching.selfreview import queries, services
from coachroom.coaching.selfreview.forms import seconds_from
from coachroom.coaching.selfreview.models import Decision, SelfReview
from coachroom.coaching.services import StepDraft
from coachroom.core.errors import DomainError
from coachroom.library.models import LibraryStep
from tests.factories import make_step


def review(decision=Decision.CONTINUE, *, next_step=None, shared=False, submission="k1"):
    return services.Review(
        points=[
            services.Point("Stops talking", "seen", 65),
            services.Point("Scans the room", "partly", None),
        ],
        decision=decision,
        noticed="The back row waited",
        shared_with_coach=shared,
        next_step=next_step,
        submission=submission,
    )


@pytest.fixture
def step(pairing):
    return make_step(pairing, state=StepState.AGREED)


def test_continue_on_an_agreed_step_starts_practising(step, alice):
    made = services.selfreview_record(step=step, by=alice, entered=review())
    step.refresh_from_db()
    assert step.state == StepState.PRACTISING
    assert step.streak == 0  # only drop-ins secure a step
    assert list(step.transitions.values_list("event", flat=True)) == ["tried"]
    assert [(p.rating, p.at_label) for p in made.points.all()] == [
        ("seen", "1:05"),
        ("partly", ""),
    ]
    assert made.relationship_id == step.relationship_id and not made.shared_with_coach


def test_continue_on_a_practising_step_leaves_it_and_its_streak(pairing, alice):
    practising = make_step(pairing, streak=1)
    services.selfreview_record(step=practising, by=alice, entered=review())
    practising.refresh_from_db()
    assert (practising.state, practising.streak) == (StepState.PRACTISING, 1)
    assert not practising.transitions.exists()


def test_refine_supersedes_the_step_with_the_teachers_proposal(pairing, alice):
    practising = make_step(pairing)
    draft = StepDraft(title="Stop, scan, then say", criteria="Stops\nScans\nSays the key point")
    services.selfreview_record(
        step=practising, by=alice, entered=review(Decision.REFINE, next_step=draft)
    )
    practising.refresh_from_db()
    new = ActionStep.objects.get(supersedes=practising)
    assert practising.state == StepState.SUPERSEDED
    assert (new.state, new.proposed_by, new.teacher_confirmed, new.coach_confirmed) == (
        StepState.PROPOSED,
        alice,
        True,
        False,
    )


def test_next_after_a_secured_step_proposes_a_library_step(pairing, alice):
    secured = make_step(pairing, state=StepState.SECURED)
    library = LibraryStep.objects.first() or pytest.fail("the starter library is loaded")
    draft = StepDraft(title=library.title, criteria=library.looks_like, library_step=library)
    services.selfreview_record(
        step=secured, by=alice, entered=review(Decision.NEXT, next_step=draft)
    )
    secured.refresh_from_db()
    assert secured.state == StepState.SECURED
    new = ActionStep.objects.exclude(pk=secured.pk).get(relationship=pairing)
    assert (new.library_step, new.state) == (library, StepState.PROPOSED)


def test_a_secured_step_is_not_refined(pairing, alice):
    secured = make_step(pairing, state=StepState.SECURED)
    draft = StepDraft(title="Another", criteria="One thing")
    with pytest.raises(DomainError):
        services.selfreview_record(
            step=secured, by=alice, entered=review(Decision.REFINE, next_step=draft)
        )
    assert not SelfReview.objects.exists()


def test_a_double_tap_is_one_review_and_one_move(step, alice):
    first = services.selfreview_record(step=step, by=alice, entered=review())
    again = services.selfreview_record(step=step, by=alice, entered=review())
    assert first.pk == again.pk
    assert SelfReview.objects.count() == 1
    assert StepTransition.objects.filter(step=step).count() == 1


@pytest.mark.parametrize("state", [StepState.PROPOSED, StepState.PAUSED, StepState.WITHDRAWN])
def test_only_a_current_step_is_reviewed(pairing, alice, state):
    with pytest.raises(DomainError):
        services.selfreview_record(step=make_step(pairing, state=state), by=alice, entered=review())


def test_the_coach_cannot_write_the_teachers_self_review(step, bob):
    with pytest.raises(DomainError):
        services.selfreview_record(step=step, by=bob, entered=review())


def test_sharing_is_the_teachers_and_is_audited(step, alice, bob):
    made = services.selfreview_record(step=step, by=alice, entered=review())
    with pytest.raises(DomainError):
        services.selfreview_share(review=made, by=bob, shared=True)
    services.selfreview_share(review=made, by=alice, shared=True)
    assert SelfReview.objects.visible_to(bob).filter(pk=made.pk).exists()
    services.selfreview_share(review=made, by=alice, shared=False)
    assert not SelfReview.objects.visible_to(bob).filter(pk=made.pk).exists()
    actions = AuditEvent.objects.filter(subject=alice).values_list("action", flat=True)
    assert {"coaching.self_review.shared", "coaching.self_review.unshared"} <= set(actions)


@pytest.mark.parametrize(("text", "seconds"), [("0:09", 9), ("12:05", 725), ("", None)])
def test_times_in_the_clip_read_as_minutes_and_seconds(text, seconds):
    assert seconds_from(text) == seconds


# Pages -----------------------------------------------------------------------------------------


def _post(step, **extra):
    data = {
        "taught_on": "2026-11-03",
        "rating_1": "seen",
        "at_1": "",
        "rating_2": "not_yet",
        "at_2": "",
        "decision": "continue",
        "submission": "tap-1",
        **extra,
    }
    return reverse("coaching:self-review-new", args=[step.pk]), data


def test_the_teacher_records_a_review_from_the_step_page(client, step, alice):
    client.force_login(alice)
    page = client.get(step.get_absolute_url())
    assert reverse("coaching:self-review-new", args=[step.pk]) in page.content.decode()
    url, data = _post(step)
    response = client.post(url, data)
    made = SelfReview.objects.get()
    assert response["Location"] == made.get_absolute_url()
    client.post(url, data)  # the same form again: a double tap
    assert SelfReview.objects.count() == 1


def test_a_bad_time_re_renders_with_the_answers_kept(client, step, alice):
    client.force_login(alice)
    url, data = _post(step, at_1="ten past")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "minutes:seconds" in response.content.decode()
    assert not SelfReview.objects.exists()


def test_next_needs_a_library_step(client, step, alice):
    client.force_login(alice)
    url, data = _post(step, decision="next", new_title="My own", new_criteria="One point")
    response = client.post(url, data)
    assert "Choose your next step from the library" in response.content.decode()


def test_the_coach_reads_a_review_only_while_it_is_shared(client, step, alice, bob):
    made = services.selfreview_record(step=step, by=alice, entered=review())
    client.force_login(bob)
    assert client.get(made.get_absolute_url()).status_code == 404
    services.selfreview_share(review=made, by=alice, shared=True)
    response = client.get(made.get_absolute_url())
    assert response.status_code == 200
    assert "The back row waited" in response.content.decode()
    assert AuditEvent.objects.filter(action="coaching.selfreview.viewed", actor=bob).exists()


def test_the_teacher_shares_from_the_review_page(client, step, alice, bob):
    made = services.selfreview_record(step=step, by=alice, entered=review())
    client.force_login(alice)
    url = reverse("coaching:self-review-share", args=[made.pk])
    client.post(url, {"shared": "1"})
    made.refresh_from_db()
    assert made.shared_with_coach
    client.post(url, {"shared": "0"})
    made.refresh_from_db()
    assert not made.shared_with_coach


def test_the_timeline_shows_a_shared_review_to_the_coach_and_counts_only(client, step, alice, bob):
    made = services.selfreview_record(step=step, by=alice, entered=review())
    client.force_login(bob)
    url = reverse("coaching:timeline", args=[alice.pk])
    assert made.get_absolute_url() not in client.get(url).content.decode()
    services.selfreview_share(review=made, by=alice, shared=True)
    page = client.get(url).content.decode()
    assert made.get_absolute_url() in page
    assert "1 seen, 1 partly, 0 not yet" in page
    assert "The back row waited" not in page


@pytest.mark.parametrize("rows", [1, 12])
def test_step_page_queries_do_not_grow_with_reviews(
    client, step, alice, rows, django_assert_max_num_queries
):
    for n in range(rows):
        services.selfreview_record(step=step, by=alice, entered=review(submission=f"k{n}"))
    client.force_login(alice)
    # session, user, memberships, step, transitions, superseded-by, self-reviews with their
    # counts, and the panels' and audit's few: a bound that does not grow with the reviews
    with django_assert_max_num_queries(14):
        response = client.get(step.get_absolute_url())
    assert response.content.decode().count("Lesson on ") == rows


@pytest.mark.parametrize("rows", [1, 12])
def test_timeline_queries_do_not_grow_with_reviews(
    client, step, alice, rows, django_assert_max_num_queries
):
    for n in range(rows):
        services.selfreview_record(step=step, by=alice, entered=review(submission=f"k{n}"))
    client.force_login(alice)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("coaching:timeline", args=[alice.pk]))
    assert response.content.decode().count("Self-review</a>") == rows


@pytest.mark.parametrize("points", [2, 6])
def test_review_page_queries_do_not_grow_with_points(
    client, pairing, alice, points, django_assert_max_num_queries
):
    criteria = "\n".join(f"Point {n}" for n in range(points))
    practising = make_step(pairing, success_criteria=criteria)
    entered = services.Review(
        points=[services.Point(f"Point {n}", "seen") for n in range(points)],
        decision=Decision.CONTINUE,
    )
    made = services.selfreview_record(step=practising, by=alice, entered=entered)
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(made.get_absolute_url())
    assert response.content.decode().count("<strong>Seen</strong>") == points


def _clip(owner, school, status="ready"):
    from coachroom.video.models import Clip

    now = timezone.now()
    return Clip.objects.create(
        school=school,
        owner=owner,
        uploaded_by=owner,
        key=f"clip-{owner.pk}-{status}",
        title="Year 9 starter",
        status=status,
        protocol_confirmed_at=now,
        delete_after=now + dt.timedelta(days=90),
    )


def test_only_the_teachers_own_ready_clips_are_offered_or_accepted(step, alice, bob, oak):
    own = _clip(alice, oak)
    _clip(alice, oak, status="processing")
    someone_elses = _clip(bob, oak)
    assert [pk for pk, _label in queries.own_clip_choices(alice, oak)] == [own.pk]
    entered = dataclasses.replace(review(), clip_id=someone_elses.pk)
    with pytest.raises(DomainError, match="your own clips"):
        services.selfreview_record(step=step, by=alice, entered=entered)
    made = services.selfreview_record(
        step=step, by=alice, entered=dataclasses.replace(review(), clip_id=own.pk)
    )
    assert made.clip == own


def test_the_teachers_subject_access_export_holds_her_self_reviews(step, alice):
    from coachroom.records.subject_access import subject_access_data

    services.selfreview_record(step=step, by=alice, entered=review())
    [exported] = subject_access_data(alice, school=None)["self_reviews"]
    assert exported["what_you_noticed"] == "The back row waited"
    assert [p["seen"] for p in exported["points"]] == ["Seen", "Partly"]
