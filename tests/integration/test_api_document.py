"""The OpenAPI document says what the API does: its query parameters, its answers, the
two forms of an appointment body, and a 405's Allow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import SITE

API = Path(__file__).parent.parent.parent / "server" / "api"

# What each route reads from the query string (grep request.args in server/api and the
# services it calls); every other operation reads none.
QUERY_PARAMETERS = {
    ("get", "/api/sites/{site}/destinations"): {"lang"},
    ("get", "/api/sites/{site}/route"): {"from", "to", "mode", "lang"},
    ("get", "/api/sites/{site}/accuracy"): {"date"},
    ("get", "/api/sites/{site}/reports"): {"from", "to", "service", "room"},
    ("post", "/api/sites/{site}/appointments"): {"date"},
    ("get", "/api/sites/{site}/audit"): {"limit"},
    ("get", "/api/sites/{site}/audit.csv"): {"from", "to"},
    ("get", "/api/sites/{site}/feedback/summary"): {"weeks"},
}


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


def test_every_query_parameter_a_route_reads_is_declared(document):
    declared = {
        (method, path): {p["name"] for p in op["parameters"] if p["in"] == "query"}
        for method, path, op in operations(document)
    }
    assert {key: names for key, names in declared.items() if names} == QUERY_PARAMETERS


def test_routes_read_the_query_string_only_through_their_declared_model():
    readers = [
        f"{path.name}:{n}"
        for path in API.glob("*.py")
        if path.name != "spec.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"request\.(args|values)", line)
    ]
    assert readers == []


def test_an_undeclared_query_parameter_is_refused(client, staff):
    response = client.get(f"/api/sites/{SITE}/destinations?colour=red")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input"
    response = staff.get(f"/api/sites/{SITE}/accuracy?day=2026-03-10")
    assert response.status_code == 400


def test_a_declared_query_parameter_is_checked_as_declared(staff, document):
    (date,) = document["paths"]["/api/sites/{site}/accuracy"]["get"]["parameters"][1:]
    assert date["schema"]["format"] == "date"
    assert staff.get(f"/api/sites/{SITE}/accuracy?date=2026-03-10").status_code == 200
    assert staff.get(f"/api/sites/{SITE}/accuracy?date=tuesday").status_code == 400


def test_every_success_has_a_schema(document):
    missing = [
        f"{method.upper()} {path} {status}"
        for method, path, op in operations(document)
        for status, answer in op["responses"].items()
        if status.startswith("2")
        and not all(media.get("schema") for media in answer.get("content", {}).values())
    ]
    assert missing == []


def test_every_json_answer_schema_names_its_fields(document):
    schemas = document["components"]["schemas"]
    for method, path, op in operations(document):
        # Most have one success; a POST that may update instead has two (201 and 200).
        for answer in [a for s, a in op["responses"].items() if s.startswith("2")]:
            if "application/json" not in answer["content"]:
                continue  # a file, such as a CSV export
            ref = answer["content"]["application/json"]["schema"]["$ref"]
            schema = schemas[ref.rsplit("/", 1)[-1]]
            assert schema["type"] == "object", (method, path)
            assert schema.get("properties") or schema.get("additionalProperties"), (method, path)


def test_posting_a_notice_documents_both_a_new_and_an_updated_notice(document):
    op = document["paths"]["/api/sites/{site}/notices"]["post"]
    successes = {
        s: a["content"]["application/json"]["schema"]["$ref"]
        for s, a in op["responses"].items()
        if s.startswith("2")
    }
    assert successes == {
        "201": "#/components/schemas/NoticePosted",
        "200": "#/components/schemas/NoticePosted",
    }
    body = document["components"]["schemas"]["Notice"]
    assert {"reason_code", "note", "reason"} <= set(body["properties"])
    assert body["properties"]["reason"]["deprecated"] is True


@pytest.mark.parametrize("action", ["appointments/lookup", "checkins/appointment"])
def test_an_appointment_body_is_one_of_two_forms_in_the_document(document, action):
    op = document["paths"][f"/api/sites/{{site}}/{action}"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schemas = document["components"]["schemas"]
    forms = schemas[ref.rsplit("/", 1)[-1]]["oneOf"]
    required = [set(schemas[f["$ref"].rsplit("/", 1)[-1]]["required"]) for f in forms]
    assert required == [{"code"}, {"last_name", "date_of_birth"}]
    for form in forms:
        assert schemas[form["$ref"].rsplit("/", 1)[-1]]["additionalProperties"] is False


BOTH = {"code": "RV1003", "last_name": "Okafor", "date_of_birth": "2003-02-12"}


@pytest.mark.parametrize("action", ["appointments/lookup", "checkins/appointment"])
@pytest.mark.parametrize(
    "body",
    [
        BOTH,
        {},
        {"last_name": "Okafor"},
        {"date_of_birth": "2003-02-12"},
        {"code": "RV1003", "last_name": "Okafor"},
        {"code": "RV1003", "date_of_birth": "2003-02-12"},
        {"code": None, "last_name": "Okafor", "date_of_birth": "2003-02-12"},
    ],
    ids=[
        "both",
        "neither",
        "name-only",
        "birth-date-only",
        "code-and-name",
        "code-and-birth-date",
        "null-code",
    ],
)
def test_an_appointment_body_in_both_forms_or_neither_is_refused(client, action, body):
    response = client.post(f"/api/sites/{SITE}/{action}", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("action", ["appointments/lookup", "checkins/appointment"])
def test_an_appointment_body_in_one_form_is_taken(client, action):
    by_code = client.post(f"/api/sites/{SITE}/{action}", json={"code": "RV1003"})
    by_name = client.post(
        f"/api/sites/{SITE}/{action}", json={"last_name": "Nobody", "date_of_birth": "2003-02-12"}
    )
    assert by_code.status_code != 400, by_code.get_json()
    assert by_name.status_code == 404, by_name.get_json()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", f"/api/sites/{SITE}/checkins/walk-in", {"POST"}),
        ("post", f"/api/sites/{SITE}/queue", {"GET", "HEAD", "OPTIONS"}),
        ("delete", "/api/me", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_a_wrong_method_says_which_are_allowed(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= allowed
    assert response.content_type == "application/json"
