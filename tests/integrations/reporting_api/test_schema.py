"""The OpenAPI schema and the interactive docs: public, versioned, every operation read-only,
behind the bearer token, and declaring every status code it can answer with."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_is_a_get_behind_the_token_declaring_its_errors(schema):
    operations = [
        (path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()
    ]
    assert len(operations) == 11
    for path, method, operation in operations:
        assert path.startswith("/api/v1/")
        assert method == "get"
        assert set(operation["responses"]) == {"200", "401", "403", "404", "422", "429"}, path
        assert operation["security"] == [{"BearerToken": []}]
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_list_operations_are_paged(schema):
    for path, ops in schema["paths"].items():
        names = {p["name"] for p in ops["get"].get("parameters", [])}
        if path not in {"/api/v1/me"}:
            assert {"limit", "offset"} <= names, path


def test_the_docs_page_serves_its_own_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
