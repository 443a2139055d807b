"""What each person may do with a step is decided once, in `step_actions`, and the pages show it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coachroom.coaching.step_actions import step_actions
from tests.factories import make_step as _make_step


def make_step(pairing, *, state, teacher_confirmed, coach_confirmed):
    step = _make_step(pairing, state=state)
    step.teacher_confirmed, step.coach_confirmed = teacher_confirmed, coach_confirmed
    step.save(update_fields=["teacher_confirmed", "coach_confirmed"])
    return step


@pytest.mark.parametrize(
    ("state", "teacher_can", "coach_can"),
    [
        ("proposed", {"agree", "counter", "withdraw"}, {"withdraw"}),
        ("agreed", {"try", "pause", "withdraw"}, {"pause", "withdraw"}),
        ("practising", {"pause", "withdraw"}, {"pause", "withdraw"}),
        ("paused", {"resume"}, {"resume"}),
        ("secured", {"reopen"}, {"reopen"}),
    ],
)
def test_the_teacher_and_the_coach_each_get_their_own_actions(
    pairing, alice, bob, lead, state, teacher_can, coach_can
):
    step = make_step(pairing, state=state, teacher_confirmed=False, coach_confirmed=True)

    def allowed(user):
        actions = step_actions(step, user)
        names = ("agree", "counter", "try", "pause", "resume", "withdraw", "reopen")
        return {n for n in names if getattr(actions, f"can_{n}")}

    assert allowed(alice) == teacher_can
    assert allowed(bob) == coach_can
    assert allowed(lead) == set()


def test_once_the_teacher_has_agreed_her_home_row_no_longer_offers_agreement(
    client, pairing, alice
):
    step = make_step(pairing, state="proposed", teacher_confirmed=True, coach_confirmed=False)
    assert not step_actions(step, alice).can_agree
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()
    assert step.title in page
    assert reverse("coaching:step-agree", args=[step.pk]) not in page


def test_a_step_she_must_agree_offers_agree_and_a_different_step_on_home(client, pairing, alice):
    step = make_step(pairing, state="proposed", teacher_confirmed=False, coach_confirmed=True)
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()
    assert reverse("coaching:step-agree", args=[step.pk]) in page
    assert reverse("coaching:step-counter", args=[step.pk]) in page
