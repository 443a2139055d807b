from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

from coachroom import cli
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
