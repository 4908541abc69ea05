"""The demo's past (`waitroom demo --history-days`): made-up days the reports can read,
written on SQLite and PostgreSQL, leaving today's queue and the next ticket alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from server import services
from server.extensions import db
from server.services import reports
from server.storage import queries
from server.storage.models import DelayNotice, FeedbackAnswer, Ticket
from tests.conftest import SITE, FakeClock, make_app, seed, walk_in


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_app(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[Flask]:
    overrides: dict[str, Any] = {}
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_schema_url")
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    app = make_app(clock, **overrides)
    seed(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_history_fills_the_reports_of_the_past_days_and_not_today(demo_app, clock):
    with demo_app.app_context():
        made = services.add_demo_history(SITE, 14)
        today = queries.get_site(SITE).days.day_of(clock.now)
        days = db.session.execute(select(func.min(Ticket.day), func.max(Ticket.day))).one()
        found = reports.report(SITE, today - timedelta(days=14), today - timedelta(days=1))
        open_notices = db.session.scalar(
            select(func.count()).where(DelayNotice.cleared_at.is_(None))
        )
        cases = db.session.scalar(
            select(func.count()).where(FeedbackAnswer.case_status.is_not(None))
        )

    assert made > 14 * 10
    assert days == (today - timedelta(days=14), today - timedelta(days=1))
    headline = found["headline"]
    assert headline["checked_in"] == made
    assert 0 < headline["seen"] < made
    assert headline["median_wait"] and headline["mae"] is not None
    assert headline["positive_share"] and 0.4 < headline["positive_share"] < 1
    assert found["voice"]["responses"] > 0 and cases > 0
    assert found["waits"]["arrivals"] and found["flow"]["utilisation"]
    assert open_notices == 0  # past notices are cleared: the display shows none


def test_a_ticket_made_after_the_history_gets_a_fresh_id(demo_app, client_for):
    with demo_app.app_context():
        made = services.add_demo_history(SITE, 3)
    ticket = walk_in(client_for(demo_app))
    assert ticket["token"]
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == made + 1


@pytest.fixture
def client_for() -> Any:
    return lambda app: app.test_client()
