"""Two desks calling next for the same service at the same moment get two different
patients, and a room never holds more than one patient.

Each desk is a thread with its own app context (so its own session and database
connection), released together by a barrier, calling next until nobody is left; it
starts each patient it called (the patient came in), and its next call ends that visit.
A desk that shares its room is refused while the other desk's patient has not started,
and tries again. Runs on a file SQLite database and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from server import services
from server.domain.errors import NothingToCall, RoomOccupied
from server.domain.queue import PreviousPatient
from server.extensions import db
from server.storage.models import AuditEntry, CallEvent, Site, Ticket, User
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
    """Every desk calls next as fast as it can and starts whom it called; returns all
    results (calls, refused calls and starts) and all surprises."""
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
                    except RoomOccupied:
                        with lock:
                            results.append({"room": room, "refused": True})
                        continue  # the other desk of this room starts its patient
                with lock:
                    results.append({"room": room, **result})
                with app.app_context():
                    started = services.start_service(
                        SITE, result["ticket"]["id"], actor_id=actor_id
                    )
                with lock:
                    results.append({"room": room, "started": True, **started})
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
    calls = [r for r in results if "ticket" in r and "started" not in r]
    called = [r["ticket"]["id"] for r in calls]
    duplicates = [tid for tid, n in Counter(called).items() if n > 1]
    assert duplicates == [], f"tickets called by two desks: {duplicates}"
    assert set(called) == ids
    changes = [r for r in results if "refused" not in r]  # the calls and the starts
    assert len(changes) == 2 * len(ids)
    # Each successful change bumped the site's sequence exactly once, with no gaps; a
    # refused call bumped nothing.
    assert sorted(r["seq"] for r in changes) == list(
        range(seq_before + 1, seq_before + len(changes) + 1)
    )

    with app.app_context():
        tickets = db.session.scalars(select(Ticket).where(Ticket.id.in_(ids))).all()
        # The last patient of each room is still in service; every other visit was
        # ended by its room's next call.
        in_service = Counter(t.room.code for t in tickets if t.status == "in_service")
        assert in_service == Counter({r["room"] for r in calls})
        assert {t.status for t in tickets} == {"in_service", "done"}
        room_of = {t.id: t.room.code for t in tickets}
        assert room_of == {r["ticket"]["id"]: r["room"] for r in calls}
        calls_per_ticket = dict(
            db.session.execute(
                select(CallEvent.ticket_id, func.count())
                .where(CallEvent.ticket_id.in_(ids))
                .group_by(CallEvent.ticket_id)
            ).all()
        )
        assert calls_per_ticket == dict.fromkeys(ids, 1)
        seq_after = db.session.scalar(select(Site.seq).where(Site.slug == SITE))
    assert seq_after == seq_before + len(changes)
    _assert_one_patient_per_room_at_every_moment(app)


def _assert_one_patient_per_room_at_every_moment(app: Flask) -> None:
    """Replays the audit log in the order the changes were made (under the site's lock):
    a call finds its room empty, once the call's own resolution of the previous patient
    (written before it, in the same change) is applied."""
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        room_of_ticket = {t.id: t.room.code for t in db.session.scalars(select(Ticket)) if t.room}
        holder: dict[str, int] = {}
        for entry in entries:
            if entry.action == "call":
                room = entry.detail["room"]
                assert room not in holder, f"{room} held {holder[room]} at {entry.ticket_id}'s call"
                holder[room] = entry.ticket_id
            elif entry.action in ("complete", "mark_no_show", "return_to_queue", "cancel"):
                room = entry.detail.get("room", room_of_ticket.get(entry.ticket_id))
                if holder.get(room) == entry.ticket_id:
                    del holder[room]
        assert entries, "nothing was audited"


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


def _two_desks_on_one_room(
    app: Flask, actor_id: int, previous: PreviousPatient | None, tries: int
) -> tuple[list[str], list[Any]]:
    """Two desks on room-1 each call next `tries` times (never starting anyone)."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    surprises: list[Any] = []
    lock = threading.Lock()

    def desk() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(tries):
                with app.app_context():
                    try:
                        services.call_next(SITE, "room-1", actor_id=actor_id, previous=previous)
                        outcome = "called"
                    except RoomOccupied:
                        outcome = "refused"
                    except NothingToCall:
                        outcome = "nobody"
                with lock:
                    outcomes.append(outcome)
        except BaseException as error:  # noqa: BLE001  reported by the assertions
            with lock:
                surprises.append(repr(error))

    threads = [threading.Thread(target=desk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a desk thread hung"
    return outcomes, surprises


def _room_1_statuses(app: Flask, ids: set[int]) -> Counter[str]:
    with app.app_context():
        tickets = db.session.scalars(select(Ticket).where(Ticket.id.in_(ids))).all()
        return Counter(str(t.status) for t in tickets)


def _assert_two_desks_on_one_room_call_one_patient(app: Flask) -> None:
    ids, seq, desk_id = _check_in_walk_ins(app, WALK_INS)
    outcomes, surprises = _two_desks_on_one_room(app, desk_id, None, tries=20)

    assert surprises == []
    assert Counter(outcomes) == {"called": 1, "refused": 39}
    assert _room_1_statuses(app, ids) == {"called": 1, "waiting": WALK_INS - 1}
    with app.app_context():
        assert db.session.scalar(select(Site.seq).where(Site.slug == SITE)) == seq + 1
    _assert_one_patient_per_room_at_every_moment(app)

    # The desks now say the patient did not come, with every call, until nobody is left.
    outcomes, surprises = _two_desks_on_one_room(
        app, desk_id, PreviousPatient.NO_SHOW, tries=WALK_INS
    )
    assert surprises == []
    assert Counter(outcomes) == {"called": WALK_INS - 1, "nobody": WALK_INS + 1}
    assert _room_1_statuses(app, ids) == {"called": 1, "no_show": WALK_INS - 1}
    _assert_one_patient_per_room_at_every_moment(app)


def test_two_desks_on_one_room_on_sqlite_call_one_patient_at_a_time(clock, tmp_path):
    app = _app_on(clock, f"sqlite:///{tmp_path}/w.db")
    try:
        _assert_two_desks_on_one_room_call_one_patient(app)
    finally:
        _dispose(app)


@pytest.mark.postgres
def test_two_desks_on_one_room_on_postgres_call_one_patient_at_a_time(clock, pg_schema_url):
    app = _app_on(clock, pg_schema_url)
    try:
        _assert_two_desks_on_one_room_call_one_patient(app)
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
