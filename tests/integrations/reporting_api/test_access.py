"""The API's access matrix, by token: every endpoint × every role, as the pages decide it.

Personal tokens act as the cast (alice teaches, bob and carol coach, lead runs coaching, head
is a senior leader, admin the school admin, tess the induction tutor, dpo the data protection
lead, all at Oak; outsider holds every role at Elm). `trust` is a token of Oak's trust. A school
the token does not reach is a 404; a school where its roles show nothing of the kind, a 403.
"""

from __future__ import annotations

import pytest

from tests.integrations.reporting_api.helpers import api_get, token_for

pytestmark = pytest.mark.django_db

ACTORS = ("alice", "bob", "carol", "lead", "head", "admin", "tess", "dpo", "outsider", "trust")
COMPLETION = {"bob", "carol", "lead", "head", "admin", "outsider", "trust"}
COACHEES = {"bob", "carol", "lead", "outsider"}  # leads and coaches; never totals-only leaders
LEADERS = {"lead", "head", "admin", "outsider", "trust"}
ASSESSORS = {"head", "tess", "outsider"}  # never the mentor (bob) or the school admin

READERS: dict[str, set[str]] = {
    "me": set(ACTORS),
    "schools": set(ACTORS),
    "completion/weeks": COMPLETION,
    "completion/reasons": COMPLETION,
    "completion/coachees": COACHEES,
    "steps/strands": LEADERS,
    "steps/priorities": LEADERS,
    "steps/stick-rate": LEADERS,
    "induction/reviews": ASSESSORS,
    "induction/summary": ASSESSORS | {"trust"},
    "me/timeline": set(ACTORS) - {"trust"},
}
DATASETS = [path for path in READERS if path not in {"me", "schools", "me/timeline"}]


@pytest.fixture
def bearers(request, oak, pairing, trust_admin) -> dict[str, str]:
    found = {name: token_for(request.getfixturevalue(name)) for name in ACTORS[:-1]}
    found["trust"] = token_for(trust_admin, trust=oak.trust)
    return found


@pytest.mark.parametrize("path", sorted(READERS))
def test_who_reads_what(client, bearers, path):
    got = {actor: api_get(client, path, secret).status_code for actor, secret in bearers.items()}
    assert got == {actor: 200 if actor in READERS[path] else 403 for actor in ACTORS}


@pytest.mark.parametrize("path", DATASETS)
def test_another_school_is_a_404_whatever_the_roles(client, bearers, oak, elm, path):
    assert api_get(client, path, bearers["outsider"], school=oak.urn).status_code == 404
    assert api_get(client, path, bearers["trust"], school=elm.urn).status_code == 404
    assert api_get(client, path, bearers["lead"], school="999999").status_code == 404


def test_a_school_the_token_reaches_without_the_role_is_a_403(client, bearers, oak):
    response = api_get(client, "steps/strands", bearers["bob"], school=oak.urn)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your roles do not show steps and stick rate at this school."
    }


def test_coaches_get_their_own_pairs_and_leaders_the_school(client, bearers):
    own = api_get(client, "completion/coachees", bearers["bob"]).json()["items"]
    assert [(row["coachee"], row["figures"]) for row in own] == [("Alice Example", "own_pairs")]
    assert api_get(client, "completion/coachees", bearers["carol"]).json()["items"] == []
    school = api_get(client, "completion/coachees", bearers["lead"]).json()["items"]
    assert [(row["coachee"], row["figures"]) for row in school] == [("Alice Example", "school")]


def test_schools_lists_what_each_token_reads_there(client, bearers, oak):
    bob = api_get(client, "schools", bearers["bob"]).json()["items"]
    assert bob == [
        {
            "urn": oak.urn,
            "name": "Oak School",
            "phase": "Secondary",
            "trust_name": oak.trust.name,
            "roles": ["Coach", "Teacher"],
            "datasets": ["completion/weeks", "completion/reasons", "completion/coachees"],
        }
    ]
    trust = api_get(client, "schools", bearers["trust"]).json()["items"]
    assert trust[0]["roles"] == []
    assert trust[0]["datasets"] == [
        "completion/weeks",
        "completion/reasons",
        "steps/strands",
        "steps/priorities",
        "steps/stick-rate",
        "induction/summary",
    ]
