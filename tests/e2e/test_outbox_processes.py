"""The outbox with real server processes: a process killed between the commit and
the send loses nothing, and two processes on one PostgreSQL send each message once."""

from __future__ import annotations

import contextlib
import signal
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, insert, select, text

from server.storage.models import OutboxMessage
from tests.e2e.live import SITE, Server, _free_port, http, log_in
from tests.sms_receiver import Receiver

pytestmark = pytest.mark.process

NUMBER = "+447911123456"


def wait_until(test, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():
            return True
        time.sleep(0.1)
    return False


def test_a_call_committed_before_a_kill_is_texted_once_after_the_restart(tmp_path):
    port = _free_port()  # the gateway is down when the call is made
    server = Server(tmp_path, None)
    server.env.update(
        SMS_URL=f"json://127.0.0.1:{port}/sms?:to={{to}}",
        ESTIMATE_TICK_SECONDS="0",
        OUTBOX_POLL_SECONDS="0.2",
    )
    password = server.demo()
    with server.running() as process:
        kiosk = http()
        ticket = kiosk.post(
            f"{server.base}/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}, timeout=10
        ).json()
        asked = kiosk.post(
            f"{server.base}/api/tickets/{ticket['token']}/texts",
            json={"number": NUMBER, "consent": True},
            timeout=10,
        )
        assert asked.status_code == 200, asked.text
        desk = log_in(server.base, password)
        called = desk.post(f"{server.base}/api/sites/{SITE}/rooms/room-1/call-next", json={})
        assert called.status_code == 200, called.text  # committed; the send cannot work yet
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    receiver = Receiver(port)
    try:
        with server.running():
            assert wait_until(lambda: any("your turn" in m for _, m in receiver.texts()))
            time.sleep(1.5)  # a second send, if there were one, would come by now
        called_texts = [m for _, m in receiver.texts() if "your turn" in m]
        assert called_texts == ["G-001: it is your turn. Please go to Room 1, Ground floor."]
        assert Counter(receiver.texts()).most_common(1)[0][1] == 1
    finally:
        receiver.close()


MESSAGES = 200


@pytest.mark.postgres
def test_two_processes_on_postgres_send_each_of_200_messages_once(tmp_path, pg_schema_url):
    receiver = Receiver()
    receiver.delay = 0.005  # a provider that takes a moment: both senders are busy at once
    servers = [Server(tmp_path / name, None) for name in ("one", "two")]
    for server in servers:
        server.root.mkdir()
        server.env.update(
            DATABASE_URL=pg_schema_url,
            ESTIMATE_TICK_SECONDS="0",
            SECRET_KEY="one deployment, one key",
            SMS_URL=receiver.sms_url,
            OUTBOX_POLL_SECONDS="0.1",
        )
    servers[0].demo()
    engine = create_engine(pg_schema_url)
    try:
        now = datetime.now(UTC)
        with engine.begin() as connection:
            site_id = connection.execute(
                text("SELECT id FROM sites WHERE slug = :slug"), {"slug": SITE}
            ).scalar_one()
            connection.execute(
                insert(OutboxMessage),
                [
                    {
                        "site_id": site_id,
                        "channel": "sms",
                        "address": NUMBER,
                        "kind": "desk",
                        "body": f"message {i}",
                        "created_at": now,
                        "next_try_at": now,
                        "attempts": 0,
                        "status": "pending",
                    }
                    for i in range(MESSAGES)
                ],
            )
        with contextlib.ExitStack() as stack:
            for server in servers:
                stack.enter_context(server.running())
            assert wait_until(lambda: len(receiver.texts()) >= MESSAGES, seconds=60)
            time.sleep(1)  # any duplicate would have come by now
        bodies = Counter(m for _, m in receiver.texts())
        assert len(bodies) == MESSAGES
        assert set(bodies.values()) == {1}, [b for b, n in bodies.items() if n > 1][:5]
        with engine.connect() as connection:
            statuses = Counter(connection.scalars(select(OutboxMessage.status)))
        assert statuses == {"sent": MESSAGES}
    finally:
        engine.dispose()
        receiver.close()
