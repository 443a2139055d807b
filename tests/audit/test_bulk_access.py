"""Alert on bulk access (domain §10): one reader, more than 20 teachers' notes within an hour."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from coachroom.audit.models import AuditEvent
from coachroom.audit.views import BULK_TEACHERS, _bursts, bulk_access_alerts
from tests.audit.test_views import event
from tests.factories import UserFactory

LOG = reverse("audit:log")
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def _views(teachers: int, *, every: dt.timedelta, start: dt.datetime = T0):
    return [(start + n * every, n) for n in range(teachers)]


def test_more_than_twenty_teachers_within_an_hour_is_one_burst():
    bursts = _bursts(_views(BULK_TEACHERS + 5, every=dt.timedelta(minutes=2)))
    assert bursts == [(T0, T0 + dt.timedelta(minutes=2 * 24), BULK_TEACHERS + 5)]


def test_twenty_teachers_is_not_a_burst():
    assert _bursts(_views(BULK_TEACHERS, every=dt.timedelta(minutes=1))) == []


def test_the_same_teachers_again_and_again_is_not_a_burst():
    views = [(T0 + dt.timedelta(seconds=n), n % 5) for n in range(200)]
    assert _bursts(views) == []


def test_twenty_one_teachers_spread_over_a_morning_is_not_a_burst():
    assert _bursts(_views(BULK_TEACHERS + 1, every=dt.timedelta(minutes=4))) == []


def test_a_burst_late_in_a_long_day_is_found():
    slow = _views(30, every=dt.timedelta(minutes=10))
    fast = _views(25, every=dt.timedelta(seconds=30), start=T0 + dt.timedelta(hours=6))
    fast = [(at, teacher + 100) for at, teacher in fast]
    assert len(_bursts(slow + fast)) == 1


def _bulk_read(school, reader, teachers: int, *, start: dt.datetime) -> None:
    for n in range(teachers):
        event(
            school,
            reader,
            "coaching.observation.viewed",
            subject=UserFactory(),
            at=start + dt.timedelta(minutes=n),
        )


def test_the_admins_log_flags_bulk_reading_once(client, admin, oak, bob, elm):
    start = timezone.now() - dt.timedelta(hours=3)
    _bulk_read(oak, bob, BULK_TEACHERS + 1, start=start)
    client.force_login(admin)
    response = client.get(LOG)
    alert = AuditEvent.objects.get(action="audit.bulk_access")
    assert alert.school == oak
    assert alert.actor == bob
    assert alert.data["teachers"] == BULK_TEACHERS + 1
    html = response.content.decode()
    assert "possible bulk access" in html
    assert "<strong>Bob Example</strong> viewed the coaching notes of 21 teachers" in html
    assert "q=bob%40oak.example" in html
    assert response.context["entries"][0].event == alert  # the newest row of the log, too
    client.get(LOG)
    client.get(LOG)
    assert AuditEvent.objects.filter(action="audit.bulk_access").count() == 1


def test_a_second_burst_by_the_same_reader_is_flagged_again(oak, bob):
    now = timezone.now()
    _bulk_read(oak, bob, BULK_TEACHERS + 1, start=now - dt.timedelta(days=2))
    assert len(bulk_access_alerts(oak)) == 1
    _bulk_read(oak, bob, BULK_TEACHERS + 1, start=now - dt.timedelta(hours=2))
    assert len(bulk_access_alerts(oak)) == 2
    assert AuditEvent.objects.filter(action="audit.bulk_access").count() == 2


def test_ordinary_coaching_raises_no_alert(client, admin, oak, bob, alice):
    start = timezone.now() - dt.timedelta(hours=1)
    for n in range(60):
        event(
            oak,
            bob,
            "coaching.observation.viewed",
            subject=alice,
            at=start + dt.timedelta(seconds=n),
        )
    _bulk_read(oak, alice, BULK_TEACHERS, start=start)  # exactly at the threshold
    client.force_login(admin)
    response = client.get(LOG)
    assert not AuditEvent.objects.filter(action="audit.bulk_access").exists()
    assert "possible bulk access" not in response.content.decode()


def test_bulk_reading_in_another_school_is_not_oaks_alert(client, admin, oak, elm, outsider):
    _bulk_read(elm, outsider, BULK_TEACHERS + 1, start=timezone.now() - dt.timedelta(hours=2))
    client.force_login(admin)
    client.get(LOG)
    assert not AuditEvent.objects.filter(action="audit.bulk_access").exists()
    client.force_login(outsider)
    assert "possible bulk access" in client.get(LOG).content.decode()
    assert AuditEvent.objects.get(action="audit.bulk_access").school == elm


def test_old_bursts_are_outside_the_check(oak, bob):
    _bulk_read(oak, bob, BULK_TEACHERS + 1, start=timezone.now() - dt.timedelta(days=40))
    assert bulk_access_alerts(oak) == []
