"""Two desks calling next for the same service at the same moment get two different patients.

Each desk is a thread with its own app context (so its own session and database
connection), released together by a barrier, calling next until nobody is left.
Runs on a file SQLite database and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from server import services
from server.domain.errors import NothingToCall
from server.extensions import db
from server.storage.models import CallEvent, Site, Ticket, User
from tests.conftest import SITE, FakeClock, make_app, seed

WALK_INS = 12
G_ROOMS = ("room-1", "room-2", "room-3")  # the demo rooms that serve G


def _app_on(clock: FakeClock, url: str) -> Flask:
    app = make_app(clock, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})
    seed(app)
    return app


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _check_in_walk_ins(app: Flask, count: int) -> tuple[set[int], int, int]:
    """Walk-ins for G; returns their ids, the site's seq after them, and the desk's id."""
    with app.app_context():
        ids = {services.check_in_walk_in(SITE, "G").ticket_id for _ in range(count)}
        seq = db.session.scalar(select(Site.seq).where(Site.slug == SITE))
        desk_id = db.session.scalar(select(User.id).where(User.username == "desk"))
    assert len(ids) == count
    return ids, seq, desk_id


def _race(app: Flask, rooms: list[str], actor_id: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """Every desk calls next as fast as it can; returns all results and all surprises."""
    barrier = threading.Barrier(len(rooms))
    results: list[dict[str, Any]] = []
    surprises: list[Any] = []
    lock = threading.Lock()

    def desk(room: str) -> None:
        try:
            barrier.wait(timeout=30)
            while True:
                with app.app_context():
                    try:
                        result = services.call_next(SITE, room, actor_id=actor_id)
                    except NothingToCall:
                        return
                with lock:
                    results.append({"room": room, **result})
        except BaseException as error:  # noqa: BLE001  any other outcome fails the test
            with lock:
                surprises.append((room, repr(error)))

    threads = [
        threading.Thread(target=desk, args=(room,), name=f"desk-{i}")
        for i, room in enumerate(rooms)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a desk thread hung"
    return results, surprises


def _assert_each_called_once(
    app: Flask, ids: set[int], seq_before: int, rooms: list[str], actor_id: int
) -> None:
    results, surprises = _race(app, rooms, actor_id)

    assert surprises == []
    called = [r["ticket"]["id"] for r in results]
    duplicates = [tid for tid, n in Counter(called).items() if n > 1]
    assert duplicates == [], f"tickets called by two desks: {duplicates}"
    assert set(called) == ids
    # Each successful call bumped the site's sequence exactly once, with no gaps.
    assert sorted(r["seq"] for r in results) == list(
        range(seq_before + 1, seq_before + len(ids) + 1)
    )

    with app.app_context():
        tickets = db.session.scalars(select(Ticket).where(Ticket.id.in_(ids))).all()
        assert {t.status for t in tickets} == {"called"}
        room_of = {t.id: t.room.code for t in tickets}
        assert room_of == {r["ticket"]["id"]: r["room"] for r in results}
        calls_per_ticket = dict(
            db.session.execute(
                select(CallEvent.ticket_id, func.count())
                .where(CallEvent.ticket_id.in_(ids))
                .group_by(CallEvent.ticket_id)
            ).all()
        )
        assert calls_per_ticket == dict.fromkeys(ids, 1)
        seq_after = db.session.scalar(select(Site.seq).where(Site.slug == SITE))
    assert seq_after == seq_before + len(ids)


def _desks(count: int) -> list[str]:
    """`count` desks on the G rooms; a fourth desk shares room-1."""
    return [G_ROOMS[i % len(G_ROOMS)] for i in range(count)]


@pytest.mark.parametrize("desks", [2, 3, 4])
def test_simultaneous_call_next_on_sqlite_calls_each_patient_once(clock, tmp_path, desks):
    app = _app_on(clock, f"sqlite:///{tmp_path}/w.db")
    try:
        ids, seq, desk_id = _check_in_walk_ins(app, WALK_INS)
        _assert_each_called_once(app, ids, seq, _desks(desks), desk_id)
    finally:
        _dispose(app)


@pytest.mark.postgres
@pytest.mark.parametrize("desks", [2, 3, 4])
def test_simultaneous_call_next_on_postgres_calls_each_patient_once(clock, pg_schema_url, desks):
    app = _app_on(clock, pg_schema_url)
    try:
        ids, seq, desk_id = _check_in_walk_ins(app, WALK_INS)
        _assert_each_called_once(app, ids, seq, _desks(desks), desk_id)
    finally:
        _dispose(app)


@pytest.mark.postgres
def test_simultaneous_check_ins_on_postgres_get_distinct_numbers(clock, pg_schema_url):
    """The other side of the same lock: kiosks checking in at once never share a number."""
    app = _app_on(clock, pg_schema_url)
    barrier = threading.Barrier(4)
    numbers: list[str] = []
    surprises: list[str] = []
    lock = threading.Lock()

    def kiosk() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(5):
                with app.app_context():
                    number = services.check_in_walk_in(SITE, "G").ticket["number"]
                with lock:
                    numbers.append(number)
        except BaseException as error:  # noqa: BLE001  reported by the assertion below
            with lock:
                surprises.append(repr(error))

    threads = [threading.Thread(target=kiosk) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert surprises == []
        assert sorted(numbers) == [f"G-{i:03d}" for i in range(1, 21)]
    finally:
        _dispose(app)
