"""The real server, started the way `make run` does, in each async mode.

`waitroom demo` then `waitroom serve` in a temp directory on 127.0.0.1 and a free port;
a kiosk, a phone, a display and a desk talk to it over real HTTP and Socket.IO
(websocket transport). Ctrl-C stops it promptly, and a restart keeps the tickets.
"""

from __future__ import annotations

import resource
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator

import pytest
import socketio

from tests.e2e.live import (
    EVENT_TIMEOUT,
    SITE,
    STOP_TIMEOUT,
    Listener,
    Server,
    browser_headers,
    http,
    log_in,
)

pytestmark = pytest.mark.process


@pytest.fixture
def listeners() -> Iterator[Callable[[], Listener]]:
    made: list[Listener] = []

    def make() -> Listener:
        made.append(Listener())
        return made[-1]

    yield make
    for listener in made:
        listener.close()


def _refused(base: str, auth: dict[str, str] | None, headers: dict[str, str] | None = None) -> bool:
    client = socketio.Client(reconnection=False, http_session=http())
    try:
        client.connect(
            base,
            auth=auth,
            headers=headers or {},
            transports=["websocket"],
            wait_timeout=EVENT_TIMEOUT,
        )
    except socketio.exceptions.ConnectionError:
        return True
    client.disconnect()
    return False


def _stop_with_ctrl_c(process: subprocess.Popen[bytes], server: Server) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"Ctrl-C did not stop the server within {STOP_TIMEOUT}s:\n{server.log()}")


@pytest.mark.parametrize(
    "async_mode", [None, "eventlet", "threading"], ids=["gevent-default", "eventlet", "threading"]
)
def test_demo_server_serves_a_call_end_to_end_and_keeps_it_across_a_restart(
    tmp_path, async_mode, listeners
):
    server = Server(tmp_path, async_mode)
    password = server.demo()
    kiosk = http()

    with server.running() as process:
        checked_in = kiosk.post(
            f"{server.base}/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}, timeout=10
        )
        assert checked_in.status_code == 201, checked_in.text
        token, number = checked_in.json()["token"], checked_in.json()["ticket"]["number"]
        staff = log_in(server.base, password)

        phone, display, desk = listeners(), listeners(), listeners()
        phone.connect(server.base, {"ticket": token})
        display.connect(server.base, {"display": SITE})
        desk.connect(server.base, {"staff": SITE}, headers=browser_headers(staff))
        # Each got its snapshot on connect, so each has joined its room.
        assert phone.wait_for("ticket_update")["ticket"]["status"] == "waiting"
        display.wait_for("display_update")
        desk.wait_for("staff_update", lambda d: d["kind"] == "snapshot")

        called = staff.post(
            f"{server.base}/api/sites/{SITE}/rooms/room-1/call-next", json={}, timeout=10
        )
        assert called.status_code == 200, called.text
        ticket_id = called.json()["ticket"]["id"]

        update = phone.wait_for("ticket_update", lambda d: d["kind"] == "called")
        assert update["ticket"]["status"] == "called"
        assert update["ticket"]["room"]["code"] == "room-1"
        announce = display.wait_for("display_update", lambda d: d["announce"] is not None)[
            "announce"
        ]
        assert announce["number"] == number
        assert announce["room"]["code"] == "room-1"
        staff_update = desk.wait_for("staff_update", lambda d: d["kind"] == "called")
        assert {t["id"]: t["status"] for t in staff_update["tickets"]}[ticket_id] == "called"

        # Nobody gets in without saying who they are, or with credentials that fail.
        assert _refused(server.base, None)
        assert _refused(server.base, {"ticket": "not-a-real-token"})
        assert _refused(server.base, {"staff": SITE})  # no login cookie

        _stop_with_ctrl_c(process, server)

    with server.running() as process:
        status = kiosk.get(f"{server.base}/api/tickets/{token}", timeout=10)
        assert status.status_code == 200, status.text
        assert status.json()["ticket"]["status"] == "called"
        assert status.json()["ticket"]["number"] == number
        assert status.json()["ticket"]["room"]["code"] == "room-1"
        # The staff password printed by `demo` still works after the restart.
        log_in(server.base, password)
        _stop_with_ctrl_c(process, server)


@pytest.mark.parametrize("async_mode", [None, "eventlet"], ids=["gevent-default", "eventlet"])
def test_more_than_a_thousand_connections_at_once_are_all_served(tmp_path, async_mode):
    """A thousand phones and the screens of a large site on one process: eventlet's
    server would serve 1,024 connections at once and leave the next one waiting."""
    held = 1_100
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < held + 100:
        pytest.skip(f"this machine allows {hard} open files, fewer than the test holds")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, held * 2)), hard))
    server = Server(tmp_path, async_mode)
    server.demo()
    idle: list[socket.socket] = []
    try:
        with server.running():  # the child inherits the raised limit
            host, port = server.base.removeprefix("http://").split(":")
            for _ in range(held):  # connected, and saying nothing yet, as sleeping phones do
                idle.append(socket.create_connection((host, int(port)), timeout=10))
            response = http().get(f"{server.base}/healthz", timeout=10)
            assert response.status_code == 200
    finally:
        for connection in idle:
            connection.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
