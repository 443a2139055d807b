from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

from coachroom import cli
from coachroom.accounts.models import CoachingRelationship, Membership, School, User
from coachroom.demo import DEMO_PASSWORD, load_demo
from tests.factories import SchoolFactory


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client):
    with mock.patch(
        "coachroom.config.views.connection.cursor", side_effect=OperationalError("down")
    ):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_demo_builds_a_trust_with_two_schools_and_pairs():
    ctx = load_demo()
    assert School.objects.count() == 2
    assert {s.phase for s in School.objects.all()} == {"primary", "secondary"}
    assert Membership.objects.filter(is_coach=True).count() >= 4
    assert Membership.objects.filter(is_ect=True).exists()
    assert 20 <= Membership.objects.filter(is_teacher=True).count() <= 30
    assert CoachingRelationship.objects.count() >= 15
    assert ctx.trust is not None and ctx.trust.admins.count() == 1
    user = User.objects.get(email="priya.shah@oakfield.example")
    assert user.check_password(DEMO_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_demo_command_refuses_a_database_with_data(capsys):
    SchoolFactory()  # any data will do; loading the whole demo here took seconds
    exit_code = cli.main(["demo"])
    assert exit_code == 1
    err = capsys.readouterr().err
    assert "already has data" in err
    assert err.count("\n") == 1


def test_cli_without_a_command_shows_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2
    assert "usage: coachroom" in capsys.readouterr().err
