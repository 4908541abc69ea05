"""The whole API fuzzed from its own OpenAPI document (schemathesis), in process.

Each operation gets a few generated requests, anonymous and logged in (desk, admin), on
SQLite and on PostgreSQL, each run on a fresh database. Every answer must be no 5xx,
have a status, a content type and a body the document declares.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import SITE, FakeClock, login, make_app, seed, walk_in

# Enough to reach every operation's branches of its document; small enough that the
# four runs add well under three minutes to the suite on two cores.
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A staff run must stay logged in: its logout (tested on its own) would end the session.
NEGATIVE = GenerationMode.NEGATIVE
NOT_AS_STAFF = {("POST", "/api/logout"), ("POST", "/api/login")}


@schemathesis.serializer("text/csv")
def _csv(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The demo site on a database of its own: the fuzz changes what it touches."""
    overrides: dict[str, Any] = {}
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_schema_url")
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    app = make_app(FakeClock(), **overrides)
    seed(app)
    yield app
    from server.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# Hypothesis warns when the global `random` state moves while it draws an example. In
# the whole suite something else moves it meanwhile (a Socket.IO client's reconnect
# jitter or a server thread left by an earlier test), not our strategies, which draw
# only from Hypothesis; as an error that warning failed each operation's first example.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@pytest.mark.parametrize("who", ["anonymous", "desk", "admin"])
def test_every_answer_is_what_the_document_says(fresh_app: Flask, who: str) -> None:
    # As a cookie, not a Cookie header: the WSGI test client sends its jar instead.
    cookies: dict[str, str] = {}
    if who != "anonymous":
        http = fresh_app.test_client()
        login(http, who)
        cookie = http.get_cookie("session")
        assert cookie is not None
        cookies["session"] = cookie.value
    known = _known_values(fresh_app)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fresh_app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if who != "anonymous" and (operation.method.upper(), operation.path) in NOT_AS_STAFF:
            continue
        failures += _fuzz(operation, cookies, known)
    assert not failures, "\n\n".join(failures[:10])


def _known_values(app: Flask) -> dict[str, list[Any]]:
    """Path values that exist (with a few tickets waiting), so that generated requests
    reach past "not found" to what each operation does."""
    http = app.test_client()
    tickets = [walk_in(http, service) for service in ("G", "G", "B", "N")]
    return {
        "site": [SITE],
        "room": ["room-1", "room-2", "room-3", "lab-1", "lab-2"],
        "token": [t["token"] for t in tickets],
        "ticket_id": [1, 2, 3, 4],
        "notice_id": [1],
    }


def _fuzz(operation: Any, cookies: dict[str, str], known: dict[str, list[Any]]) -> list[str]:
    names = [p.name for p in operation.path_parameters]
    real = st.fixed_dictionaries({n: st.sampled_from(known[n]) for n in names if n in known})
    # On things that exist, on anything the document allows, and on what it does not.
    cases = st.one_of(
        real.flatmap(lambda values: operation.as_strategy(path_parameters=values)),
        operation.as_strategy(),
        real.flatmap(lambda values: operation.as_strategy(NEGATIVE, path_parameters=values)),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(cookies=cookies, checks=CHECKS)

    try:
        run()
    except (AssertionError, ExceptionGroup) as failure:  # schemathesis' check failures
        return [f"{operation.method.upper()} {operation.path}: {failure}"]
    return []
