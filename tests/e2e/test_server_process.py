"""The real server, started the way `make run` does, in each async mode.

`waitroom demo` then `waitroom serve` in a temp directory on 127.0.0.1 and a free port;
a kiosk, a phone, a display and a desk talk to it over real HTTP and Socket.IO
(websocket transport). Ctrl-C stops it promptly, and a restart keeps the tickets.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

pytestmark = pytest.mark.process

SITE = "riverside"
HOST = "127.0.0.1"
SCRIPT = Path(sys.executable).with_name("waitroom")
START_TIMEOUT = 45
STOP_TIMEOUT = 8
EVENT_TIMEOUT = 10


def _command(*args: str) -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-c", "from server.cli import main; main()", *args]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """`waitroom serve` in a directory of its own; the var/ dir outlives restarts."""

    def __init__(self, root: Path, async_mode: str | None) -> None:
        self.root = root
        self.async_mode = async_mode
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "WAITROOM_ASYNC", "PUBLIC_URL"}
            and "proxy" not in k.lower()
        }
        self.env.update(HOST=HOST, PORT=str(self.port), WAITROOM_VAR=str(root / "var"))
        self.starts = 0

    def demo(self) -> str:
        """Runs `waitroom demo` and returns the printed staff password."""
        (self.root / "var").mkdir(exist_ok=True)
        result = subprocess.run(
            _command("demo"),
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        line = next(x for x in result.stdout.splitlines() if x.startswith("staff login: desk / "))
        return line.removeprefix("staff login: desk / ")

    @contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        self.starts += 1
        log_path = self.root / f"serve-{self.starts}.log"
        args = ["serve"] if self.async_mode is None else ["serve", "--async", self.async_mode]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                _command(*args), cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_healthy(process, log_path)
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    def log(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.root.glob("serve-*.log"))
        )

    def _wait_healthy(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                response = _http().get(f"{self.base}/healthz", timeout=1)
            except requests.ConnectionError:
                time.sleep(0.1)
                continue
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "ok", "database": "ok"}
            return
        pytest.fail(
            f"the server did not answer /healthz in {START_TIMEOUT}s:\n{log_path.read_text()}"
        )


def _http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never a proxy: we only talk to 127.0.0.1
    return session


class Listener:
    """A Socket.IO client that records every event it receives."""

    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=False, http_session=_http())
        self.events: list[tuple[str, Any]] = []
        self._changed = threading.Condition()

        @self.client.on("*")
        def _any(event: str, data: Any = None) -> None:
            with self._changed:
                self.events.append((event, data))
                self._changed.notify_all()

    def connect(
        self, base: str, auth: dict[str, str], headers: dict[str, str] | None = None
    ) -> None:
        self.client.connect(
            base,
            auth=auth,
            headers=headers or {},
            transports=["websocket"],
            wait_timeout=EVENT_TIMEOUT,
        )

    def wait_for(self, event: str, test: Callable[[Any], bool] = lambda _: True) -> Any:
        """The first `event` whose data passes `test`, waiting up to EVENT_TIMEOUT."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        with self._changed:
            while True:
                for name, data in self.events:
                    if name == event and test(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    names = [name for name, _ in self.events]
                    pytest.fail(f"no matching {event!r} within {EVENT_TIMEOUT}s; got {names}")
                self._changed.wait(left)

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


@pytest.fixture
def listeners() -> Iterator[Callable[[], Listener]]:
    made: list[Listener] = []

    def make() -> Listener:
        made.append(Listener())
        return made[-1]

    yield make
    for listener in made:
        listener.close()


def _log_in(base: str, password: str) -> requests.Session:
    staff = _http()
    response = staff.post(
        f"{base}/api/login", json={"username": "desk", "password": password}, timeout=10
    )
    assert response.status_code == 200, response.text
    return staff


def _browser_headers(staff: requests.Session) -> dict[str, str]:
    """What a logged-in browser sends when it opens the socket: its cookie and agent."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in staff.cookies)
    return {"Cookie": cookie, "User-Agent": staff.headers["User-Agent"]}


def _refused(base: str, auth: dict[str, str] | None, headers: dict[str, str] | None = None) -> bool:
    client = socketio.Client(reconnection=False, http_session=_http())
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
    http = _http()

    with server.running() as process:
        checked_in = http.post(
            f"{server.base}/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}, timeout=10
        )
        assert checked_in.status_code == 201, checked_in.text
        token, number = checked_in.json()["token"], checked_in.json()["ticket"]["number"]
        staff = _log_in(server.base, password)

        phone, display, desk = listeners(), listeners(), listeners()
        phone.connect(server.base, {"ticket": token})
        display.connect(server.base, {"display": SITE})
        desk.connect(server.base, {"staff": SITE}, headers=_browser_headers(staff))
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
        status = http.get(f"{server.base}/api/tickets/{token}", timeout=10)
        assert status.status_code == 200, status.text
        assert status.json()["ticket"]["status"] == "called"
        assert status.json()["ticket"]["number"] == number
        assert status.json()["ticket"]["room"]["code"] == "room-1"
        # The staff password printed by `demo` still works after the restart.
        _log_in(server.base, password)
        _stop_with_ctrl_c(process, server)
