"""Two real server processes on one PostgreSQL race "call next" for the same room.

The in-process race tests (tests/integration/test_race.py) use threads with their own
connections; here the callers are two `waitroom serve` processes, as behind nginx,
each with its own engine and pool, desks pressing "call next" through both at once.
Each desk answers as a person would when the room's patient has not come: it asks to
mark them a no-show and calls again (`previous`). The room never holds two patients.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.live import Server, http, log_in

pytestmark = [pytest.mark.process, pytest.mark.postgres]

SITE = "riverside"
PATIENTS = 24
CALLS_PER_DESK = 20  # more than there are patients between the two: the line runs out


def test_two_processes_never_call_the_same_patient(tmp_path, pg_schema_url):
    servers = [Server(tmp_path / name, None) for name in ("one", "two")]
    for server in servers:
        server.root.mkdir()
        server.env.update(
            DATABASE_URL=pg_schema_url,
            ESTIMATE_TICK_SECONDS="0",
            SECRET_KEY="one deployment, one key",
        )
    password = servers[0].demo()

    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server.running())
        kiosk = http()
        for _ in range(PATIENTS):
            response = kiosk.post(
                f"{servers[0].base}/api/sites/{SITE}/checkins/walk-in",
                json={"service": "G"},
                timeout=30,
            )
            assert response.status_code == 201, response.text
        desks = [log_in(s.base, password) for s in servers]
        barrier = threading.Barrier(len(servers))
        answers: list[tuple[int, Any]] = []
        lock = threading.Lock()

        def press_call_next(desk_index: int) -> None:
            url = f"{servers[desk_index].base}/api/sites/{SITE}/rooms/room-1/call-next"
            barrier.wait(timeout=30)
            for _ in range(CALLS_PER_DESK):
                response = desks[desk_index].post(url, json={}, timeout=30)
                with lock:
                    answers.append((response.status_code, response.json()))
                if _refused_for(response, "room_occupied"):
                    # "B-017 has not come": the desk marks them a no-show and calls.
                    response = desks[desk_index].post(url, json={"previous": "no_show"}, timeout=30)
                    with lock:
                        answers.append((response.status_code, response.json()))

        threads = [threading.Thread(target=press_call_next, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads)

    called = [body["ticket"]["number"] for status, body in answers if status == 200]
    refused = [body["error"]["code"] for status, body in answers if status != 200]
    assert Counter(called).most_common(1)[0][1] == 1, "a patient was called twice"
    assert len(called) == PATIENTS  # every patient called, by one desk or the other
    # Neither desk failed: the only refusals are for an empty line, after it ran out.
    # Neither desk failed: the only refusals are the room's unseen patient (answered by a
    # no-show at once) and an empty line, after it ran out.
    assert set(refused) <= {"nothing_to_call", "room_occupied"}
    assert refused.count("nothing_to_call") == 2 * CALLS_PER_DESK - PATIENTS
    assert refused.count("room_occupied") == len(answers) - 2 * CALLS_PER_DESK
    _assert_room_1_held_one_patient_at_every_moment(pg_schema_url)


def _refused_for(response: Any, code: str) -> bool:
    return response.status_code == 409 and response.json()["error"]["code"] == code


def _assert_room_1_held_one_patient_at_every_moment(url: str) -> None:
    """Replays the audit log in the order the changes were committed (under the site's
    lock): each call found the room empty once its own no-show, written before it in the
    same change, was applied; at the end one patient is called and the rest no-shows."""
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            entries = db.execute(
                text("SELECT action, ticket_id, detail FROM audit_log ORDER BY id")
            ).all()
            statuses = Counter(s for (s,) in db.execute(text("SELECT status FROM tickets")))
    finally:
        engine.dispose()
    holder = None
    calls = 0
    for action, ticket_id, detail in entries:
        if action == "call":
            assert detail["room"] == "room-1"
            assert holder is None, f"room-1 held ticket {holder} when {ticket_id} was called"
            holder, calls = ticket_id, calls + 1
        elif action == "mark_no_show":
            assert ticket_id == holder
            holder = None
    assert calls == PATIENTS
    assert statuses == {"called": 1, "no_show": PATIENTS - 1}
