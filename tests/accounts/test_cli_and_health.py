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
def test_healthz_says_ok_and_nothing_else(client):
    """Anyone may call it, so it names no database engine or version."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails_and_says_no_more(client, caplog):
    with mock.patch(
        "coachroom.config.views.connection.cursor", side_effect=OperationalError("db.internal down")
    ):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"db.internal" not in response.content
    assert "did not answer" in caplog.text  # the operator still finds out why


@pytest.mark.django_db
def test_healthz_gives_a_signed_in_person_no_more(client, alice):
    client.force_login(alice)
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


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


@pytest.mark.django_db
def test_the_demo_has_a_data_protection_lead_who_is_not_the_admin(capsys):
    load_demo()
    fiona = Membership.objects.get(user__email="fiona.campbell@elmwood.example")
    assert fiona.is_data_protection_lead and not fiona.is_school_admin
    assert not Membership.objects.filter(is_school_admin=True, is_data_protection_lead=True)
    cli._print_demo_accounts("http://127.0.0.1:8000")
    (line,) = [x for x in capsys.readouterr().out.splitlines() if "fiona.campbell" in x]
    assert "Data protection lead" in line


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
