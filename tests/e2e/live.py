"""A real Waitroom server process and real clients, shared by the end-to-end tests.

The server is started the way `make run` starts it: `waitroom demo`, then
`waitroom serve`, in a directory of its own, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import socketio

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


# `waitroom demo`'s database (by the demo site's day: its appointments are today's) and
# the staff password it printed; see Server.demo.
_DEMO_COPIES: dict[date, tuple[Path, str]] = {}
DATABASE = "waitroom.db"  # in WAITROOM_VAR, when DATABASE_URL is not set
DEMO_SITE = Path(__file__).resolve().parents[2] / "server" / "sites" / "demo" / "site.toml"


def _site_today() -> date:
    timezone = tomllib.loads(DEMO_SITE.read_text())["site"]["timezone"]
    return datetime.now(ZoneInfo(timezone)).date()


def run_waitroom(root: Path, env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Runs `waitroom ARGS` in `root`, as an operator would; asserts that it succeeded
    and returns what it printed."""
    result = subprocess.run(
        _command(*args),
        cwd=root,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _run_demo(root: Path, env: dict[str, str]) -> str:
    """Runs `waitroom demo` in `root` and returns the printed staff password."""
    stdout = run_waitroom(root, env, "demo")
    line = next(x for x in stdout.splitlines() if x.startswith("staff login: desk / "))
    return line.removeprefix("staff login: desk / ")


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
        # Every browser test comes from 127.0.0.1, so the per-address limits meant for
        # one kiosk would trip across the suite; the limits have their own tests.
        self.env.update(
            CHECKIN_RATE_LIMIT="600 per minute",
            PASSWORD_GUESSES_PER_ADDRESS="600 per minute",
            APPOINTMENT_GUESSES_PER_ADDRESS="600 per minute",
            ARRIVAL_GUESSES_PER_ADDRESS="600 per minute",
            REMOTE_JOIN_RATE_LIMIT="600 per minute",
            # Kiosks and displays open without ?device= as before; the pairing tests
            # (test_staff_admin.py) start a server with it on.
            SCREEN_PAIRING="0",
        )
        self.starts = 0

    def demo(self) -> str:
        """What `waitroom demo` makes, in this server's var/; returns the staff password.

        On SQLite (no DATABASE_URL) `waitroom demo` runs once per test process and site
        day, and each server gets a copy of that database (its secret key is its own):
        the command takes seconds, most of them starting Python and migrating, and a
        dozen servers of the suite ran it. On another database it runs every time."""
        var = self.root / "var"
        var.mkdir(exist_ok=True)
        if "DATABASE_URL" in self.env:
            return _run_demo(self.root, self.env)
        key = _site_today()
        if key not in _DEMO_COPIES:
            template = Path(tempfile.mkdtemp(prefix="waitroom-demo-"))
            atexit.register(shutil.rmtree, template, ignore_errors=True)
            (template / "var").mkdir()
            env = {**self.env, "WAITROOM_VAR": str(template / "var")}
            _DEMO_COPIES[key] = (template / "var" / DATABASE, _run_demo(template, env))
        database, password = _DEMO_COPIES[key]
        # The backup API copies the database with its write-ahead log folded in.
        with (
            closing(sqlite3.connect(database)) as source,
            closing(sqlite3.connect(var / DATABASE)) as copy,
        ):
            source.backup(copy)
        return password

    def load_site(self, path: Path) -> None:
        """Runs `waitroom load-site PATH` (the demo's site is updated in place)."""
        run_waitroom(self.root, self.env, "load-site", str(path))

    def command(self, *args: str, stdin: str = "") -> str:
        """Runs `waitroom ARGS` against this server's database (and Redis, if any)."""
        return run_waitroom(self.root, self.env, *args, stdin=stdin)

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
                response = http().get(f"{self.base}/healthz", timeout=1)
            except requests.ConnectionError:
                time.sleep(0.1)
                continue
            assert response.status_code == 200, response.text
            assert response.json() == {"status": "ok", "database": "ok"}
            return
        pytest.fail(
            f"the server did not answer /healthz in {START_TIMEOUT}s:\n{log_path.read_text()}"
        )


def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never a proxy: we only talk to 127.0.0.1
    return session


class Listener:
    """A Socket.IO client that records every event it receives."""

    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=False, http_session=http())
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


def log_in(base: str, password: str, username: str = "desk") -> requests.Session:
    """An HTTP session logged in (as the demo's desk account unless told)."""
    staff = http()
    response = staff.post(
        f"{base}/api/login", json={"username": username, "password": password}, timeout=10
    )
    assert response.status_code == 200, response.text
    return staff


def browser_headers(staff: requests.Session) -> dict[str, str]:
    """What a logged-in browser sends when it opens the socket: its cookie and agent."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in staff.cookies)
    return {"Cookie": cookie, "User-Agent": staff.headers["User-Agent"]}
