"""One record per create form, however often it is sent (accounts/submissions.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coachroom.accounts.submissions import KEPT_FOR, UsedFormKey
from coachroom.coaching.models import FeedbackMeeting

KEY = "0123456789abcdef0123456789abcdef"


def _meeting(**extra):
    return {
        "praise": "Your instructions were under 20 words and everyone started at once.",
        "decision": "new",
        "new_title": "Stop, scan, say",
        "new_criteria": "Stops mid-sentence\nSweeps the room",
        "round_1_attempt": "Introduced the key point with a pause",
        "round_1_feedback": "Hold the pause a second longer",
        "next_drop_in": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        **extra,
    }


def test_two_identical_posts_of_the_meeting_form_make_one_meeting(client, bob, pairing):
    client.force_login(bob)
    url = reverse("coaching:meeting-new", args=[pairing.pk])
    first = client.post(url, _meeting(once=KEY))
    again = client.post(url, _meeting(once=KEY))
    assert FeedbackMeeting.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]  # the repeat goes to the meeting made first


def test_the_repeat_says_it_was_already_saved(client, bob, pairing):
    client.force_login(bob)
    url = reverse("coaching:meeting-new", args=[pairing.pk])
    client.post(url, _meeting(once=KEY))
    page = client.post(url, _meeting(once=KEY), follow=True).content.decode()
    assert "That was already saved, once." in page


def test_a_form_shown_again_with_problems_keeps_its_key_and_can_be_sent(client, bob, pairing):
    client.force_login(bob)
    url = reverse("coaching:meeting-new", args=[pairing.pk])
    problem = client.post(url, _meeting(once=KEY, praise=""))
    assert problem.status_code == 200
    assert f'name="once" value="{KEY}"' in problem.content.decode()
    assert client.post(url, _meeting(once=KEY)).status_code == 302
    assert FeedbackMeeting.objects.count() == 1


def test_a_fresh_form_carries_a_new_key(client, bob, pairing):
    client.force_login(bob)
    url = reverse("coaching:meeting-new", args=[pairing.pk])
    keys = [client.get(url).content.decode().split('name="once" value="')[1][:32] for _ in "ab"]
    assert keys[0] != keys[1]


def test_a_key_is_one_person_s(client, bob, carol, pairing):
    UsedFormKey.objects.create(user=carol, key=KEY, path="/", result_url="/elsewhere/")
    client.force_login(bob)
    response = client.post(reverse("coaching:meeting-new", args=[pairing.pk]), _meeting(once=KEY))
    assert response.status_code == 302
    assert response["Location"] != "/elsewhere/"
    assert FeedbackMeeting.objects.count() == 1


def test_a_post_with_the_key_still_in_flight_is_refused_calmly(client, bob, pairing):
    UsedFormKey.objects.create(user=bob, key=KEY, path="/")  # the first post has not finished
    client.force_login(bob)
    response = client.post(reverse("coaching:meeting-new", args=[pairing.pk]), _meeting(once=KEY))
    assert response.status_code == 409
    assert FeedbackMeeting.objects.count() == 0


def test_old_keys_are_forgotten_as_new_ones_are_claimed(client, bob, pairing):
    old = UsedFormKey.objects.create(user=bob, key="f" * 32, path="/", result_url="/x/")
    UsedFormKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - KEPT_FOR * 2)
    client.force_login(bob)
    client.post(reverse("coaching:meeting-new", args=[pairing.pk]), _meeting(once=KEY))
    assert list(UsedFormKey.objects.values_list("key", flat=True)) == [KEY]


@pytest.mark.parametrize("key", ["", "not-a-key", "A" * 32])
def test_a_missing_or_malformed_key_is_no_key(client, bob, pairing, key):
    client.force_login(bob)
    response = client.post(reverse("coaching:meeting-new", args=[pairing.pk]), _meeting(once=key))
    assert response.status_code == 302
    assert not UsedFormKey.objects.exists()
