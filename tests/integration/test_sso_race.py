"""Two first sign-ins of one person at the same moment (two tabs, two server processes)
both find no account and both make one; the second to write breaks the unique provider
and subject. It must not answer 500: it reads the account the first one made and signs
in to it. On PostgreSQL, where the processes of a large site race (on SQLite every
transaction takes the write lock first, so they queue)."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from server import services
from server.domain import sso
from server.extensions import db
from server.storage.models import AuditEntry, User
from tests.conftest import FakeClock, make_app, seed

pytestmark = pytest.mark.postgres

ISSUER = "https://sso.hospital.example"
ROLE_MAP = sso.parse_role_map({"reception": [["riverside", "staff"]]})


def identity(sub: str = "ana-1", name: str = "ana") -> services.Identity:
    return services.Identity(ISSUER, sub, name, ("reception",))


@pytest.fixture
def pg_app(clock: FakeClock, pg_schema_url: str):
    app = make_app(clock, SQLALCHEMY_DATABASE_URI=pg_schema_url, SQLALCHEMY_ENGINE_OPTIONS={})
    seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sign_in_elsewhere(app: Flask, who: services.Identity, results: list[int]) -> None:
    """Another process's sign-in: its own app context, session and connection."""
    with app.app_context():
        results.append(services.sign_in_account(who, ROLE_MAP, "10.0.0.2").id)
        db.session.remove()


def race_once(app: Flask, who: services.Identity) -> list[int]:
    """The first flush of this sign-in waits while another sign-in runs to its commit,
    as two processes would interleave; returns the other's account id."""
    theirs: list[int] = []

    def other_sign_in_first(_session, _context, _instances) -> None:
        thread = threading.Thread(target=sign_in_elsewhere, args=(app, who, theirs))
        thread.start()
        thread.join()

    event.listen(Session, "before_flush", other_sign_in_first, once=True)
    _listening.append(other_sign_in_first)
    return theirs


_listening: list = []


@pytest.fixture(autouse=True)
def _stop_listening():
    """A test that failed before its first flush leaves no listener to the next."""
    yield
    while _listening:
        listener = _listening.pop()
        if event.contains(Session, "before_flush", listener):
            event.remove(Session, "before_flush", listener)


def test_two_first_sign_ins_at_once_make_one_account_and_both_sign_in(pg_app):
    theirs = race_once(pg_app, identity())
    with pg_app.app_context():
        mine = services.sign_in_account(identity(), ROLE_MAP, "10.0.0.1")
        assert theirs == [mine.id]
        accounts = db.session.scalars(select(User).where(User.oidc_subject == "ana-1")).all()
        assert [a.username for a in accounts] == ["ana"]
        added = db.session.scalar(select(func.count()).where(AuditEntry.action == "account_added"))
        assert added == 1 + 2  # the demo's two local accounts, and ana's once
        assert services.verify_audit_chain()[1] is None


def test_two_people_of_the_same_name_at_once_both_get_an_account(pg_app):
    theirs = race_once(pg_app, identity("ana-2"))
    with pg_app.app_context():
        mine = services.sign_in_account(identity("ana-1"), ROLE_MAP, "10.0.0.1")
        other = db.session.get(User, theirs[0])
        assert {mine.username, other.username} == {"ana", "ana~2"}
        assert mine.oidc_subject == "ana-1" and other.oidc_subject == "ana-2"
