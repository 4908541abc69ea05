"""Scale-out for real: two `waitroom serve` processes (gevent) on PostgreSQL and Redis,
nginx in front of them with sticky sessions, all on loopback.

A patient checks in through one process; the phone, connected through nginx to the
other, sees every change to its ticket; a display on each process sees every call;
the process behind nginx is killed mid-run, and its clients reconnect through nginx to
the survivor and resync with nothing lost. The estimate tick runs in one process only,
and moves to the survivor.

In CI (env CI set) nginx, PostgreSQL and Redis must be there: the test fails, not skips.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.e2e.live import (
    EVENT_TIMEOUT,
    HOST,
    SITE,
    Server,
    _free_port,
    browser_headers,
    http,
    log_in,
)

pytestmark = [pytest.mark.process, pytest.mark.postgres, pytest.mark.scale]

REDIS_URL = "redis://127.0.0.1:6379/0"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TICK_HOLDER = "estimate tick: this process runs it"


def _require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix (and Socket.IO channel) of this test's own; keys removed after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        _require(False, "Redis on 127.0.0.1:6379")
    prefix = f"waitroom-test-{secrets.token_hex(6)}"
    yield prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


class Client:
    """A Socket.IO client that reconnects by itself and records what it receives."""

    def __init__(self) -> None:
        self.client = socketio.Client(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            http_session=http(),
        )
        self.events: list[tuple[str, Any]] = []
        self.connects = 0
        self.disconnects = 0
        self._changed = threading.Condition()

        @self.client.on("*")
        def _any(event: str, data: Any = None) -> None:
            with self._changed:
                self.events.append((event, data))
                self._changed.notify_all()

        @self.client.event
        def connect() -> None:
            with self._changed:
                self.connects += 1
                self._changed.notify_all()

        @self.client.event
        def disconnect(_reason: Any = None) -> None:
            with self._changed:
                self.disconnects += 1
                self._changed.notify_all()

    def connect(self, base: str, auth: dict[str, str], headers: dict[str, str] | None = None):
        self.client.connect(
            base,
            auth=auth,
            headers=headers or {},
            transports=["websocket"],
            wait_timeout=EVENT_TIMEOUT,
        )
        return self

    def wait_for(self, event: str, test: Callable[[Any], bool] = lambda _: True) -> Any:
        return self._wait(
            lambda: next((d for n, d in reversed(self.events) if n == event and test(d)), None),
            f"a matching {event!r}",
        )

    def wait_disconnected(self) -> None:
        self._wait(lambda: self.disconnects > 0 or None, "a disconnect")

    def wait_connects(self, count: int) -> None:
        self._wait(lambda: self.connects >= count or None, f"connection number {count}")

    def sync(self) -> dict[str, Any]:
        return self.client.call("sync", timeout=EVENT_TIMEOUT)

    def seqs(self, event: str) -> list[int]:
        with self._changed:
            return [d["seq"] for n, d in self.events if n == event]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.disconnect()

    def _wait(self, found: Callable[[], Any], what: str) -> Any:
        deadline = time.monotonic() + EVENT_TIMEOUT
        with self._changed:
            while (result := found()) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    names = [name for name, _ in self.events]
                    pytest.fail(f"no {what} within {EVENT_TIMEOUT}s; got {names}")
                self._changed.wait(left)
            return result


class Nginx:
    """nginx in the foreground on a loopback port, its config and logs in `root`."""

    def __init__(self, root: Path, backends: list[int]) -> None:
        self.root = root
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        (root / "temp").mkdir(parents=True)
        (root / "nginx.conf").write_text(_nginx_conf(root, self.port, backends))
        self.access_log = root / "access.log"

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        args = [NGINX, "-p", str(self.root), "-c", str(self.root / "nginx.conf")]
        args += ["-e", str(self.root / "error.log")]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 10
            while not _listening(self.port):
                assert process.poll() is None, (self.root / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
            yield
        finally:
            process.send_signal(signal.SIGQUIT)  # graceful: lets open websockets go
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def backend_for_this_client(self) -> int:
        """The port of the process nginx sends this client address to, right now."""
        before = len(self._health_checks())
        assert http().get(f"{self.base}/healthz", timeout=5).status_code == 200
        # nginx writes the log line just after the answer: wait for it.
        _wait_until(lambda: len(self._health_checks()) > before, "nginx logged /healthz")
        # A request retried on another process logs both: "127.0.0.1:A, 127.0.0.1:B".
        return int(self._health_checks()[-1].rsplit(":", 1)[1])

    def _health_checks(self) -> list[str]:
        return re.findall(r'"GET /healthz .*upstream=(.*)$', self.access_log.read_text(), re.M)


def _nginx_conf(root: Path, port: int, backends: list[int]) -> str:
    """The shape of deploy/nginx.conf, made to run unprivileged-looking in a temp dir."""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in backends
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach tmp_path
    temp = root / "temp"
    return f"""
{user}
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$remote_addr "$request" $status upstream=$upstream_addr';
    access_log {root}/access.log upstream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    upstream waitroom {{
        hash $remote_addr consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://waitroom;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
            proxy_connect_timeout 2s;
            proxy_read_timeout 75s;
            proxy_send_timeout 75s;
        }}
    }}
}}
"""


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((HOST, port)) == 0


# Room-1 holds one patient at a time: each call after the first says what became of the
# patient it called before (not started, so not seen).
NO_SHOW_FIRST = {"previous": "no_show"}


def _post(session: requests.Session, url: str, body: dict[str, Any] | None = None) -> Any:
    response = session.post(url, json=body or {}, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _wait_until(check: Callable[[], bool], what: str, timeout: float = EVENT_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout}s")
        time.sleep(0.1)


def _assert_logged_out(base: str, cookie: dict[str, str]) -> None:
    """A copy of a cookie whose session ended: every staff use is refused."""
    assert cookie["Cookie"].startswith("session=")
    replay = http()
    replay.headers.update(cookie)
    for method, path in (
        ("GET", "/api/me"),
        ("GET", f"/api/sites/{SITE}/queue"),
        ("POST", f"/api/sites/{SITE}/rooms/room-1/pause"),
        ("POST", f"/api/sites/{SITE}/rooms/room-1/call-next"),
    ):
        response = replay.request(method, base + path, json={}, timeout=10)
        assert response.status_code == 401, (base, path, response.text)
        assert response.json()["error"]["code"] == "login_required"
    probe = socketio.Client(reconnection=False, http_session=http())
    with pytest.raises(socketio.exceptions.ConnectionError):
        probe.connect(
            base,
            auth={"staff": SITE},
            headers=dict(cookie),
            transports=["websocket"],
            wait_timeout=5,
        )
    probe.disconnect()


def _live_sessions_in_redis(prefix: str) -> list[bytes]:
    import redis

    with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3) as client:
        return list(client.scan_iter(f"{prefix}:staff-session:*"))


def _announced(number: str) -> Callable[[Any], bool]:
    return lambda d: d["announce"] is not None and d["announce"]["number"] == number


@pytest.fixture
def clients() -> Iterator[Callable[[], Client]]:
    made: list[Client] = []

    def make() -> Client:
        made.append(Client())
        return made[-1]

    yield make
    for client in made:
        client.close()


def _deployment(tmp_path: Path, database: str, redis_prefix: str) -> tuple[list[Server], str]:
    """Two processes of one deployment (not started yet), its demo loaded; the password."""
    _require(Path(NGINX).exists(), "nginx (Debian package nginx)")
    servers = [Server(tmp_path / name, None) for name in ("one", "two")]
    key = secrets.token_hex(32)  # one deployment, one key
    for server in servers:
        server.root.mkdir()
        server.env.update(
            DATABASE_URL=database,
            REDIS_URL=REDIS_URL,
            REDIS_PREFIX=redis_prefix,
            RATELIMIT_STORAGE_URI=REDIS_URL,
            SECRET_KEY=key,
            PROXY_HOPS="1",
            ESTIMATE_TICK_SECONDS="1",
        )
    return servers, servers[0].demo()


def test_two_processes_behind_nginx_share_every_change_and_survive_losing_one(
    tmp_path, pg_schema_url, redis_prefix, clients
):
    servers, password = _deployment(tmp_path, pg_schema_url, redis_prefix)
    nginx = Nginx(tmp_path / "nginx", [s.port for s in servers])

    with contextlib.ExitStack() as stack:
        processes = [stack.enter_context(server.running()) for server in servers]
        stack.enter_context(nginx.running())

        # nginx sticks this client address to one process: that one is "behind", and
        # the other one is talked to directly.
        behind_port = nginx.backend_for_this_client()
        behind = next(i for i, s in enumerate(servers) if s.port == behind_port)
        direct = servers[1 - behind]
        desk_http = log_in(direct.base, password)  # the session is good on both processes

        # Three walk-ins through the direct process; the phone holds the third ticket.
        tickets = [
            _post(http(), f"{direct.base}/api/sites/{SITE}/checkins/walk-in", {"service": "G"})
            for _ in range(3)
        ]
        numbers = [t["ticket"]["number"] for t in tickets]

        desk = clients().connect(direct.base, {"staff": SITE}, browser_headers(desk_http))
        display_direct = clients().connect(direct.base, {"display": SITE, "device": "main-hall"})
        display_behind = clients().connect(nginx.base, {"display": SITE, "device": "entrance"})
        phone = clients().connect(nginx.base, {"ticket": tickets[2]["token"]})
        assert phone.wait_for("ticket_update")["ticket"]["position"] == 3

        # Presence spans processes: the desk (direct) hears of the screen behind nginx
        # together with the one on its own process.
        def both_screens(update: Any) -> bool:
            online = {d["code"] for d in update.get("devices") or [] if d["connected"]}
            return {"main-hall", "entrance"} <= online

        desk.wait_for("staff_update", lambda d: d["kind"] == "presence" and both_screens(d))

        # Logging out through one process ends that login's staff socket on the other,
        # and it cannot come back: a desk that logged out hears no more names.
        other_http = log_in(direct.base, password)
        copied = browser_headers(other_http)  # a copy of the cookie, kept by someone
        # (a copy of the copy: the Socket.IO client takes the cookie out of its headers)
        other_desk = clients().connect(nginx.base, {"staff": SITE}, dict(copied))
        other_desk.wait_for("staff_update")
        _post(other_http, f"{direct.base}/api/logout")
        other_desk.wait_disconnected()
        time.sleep(1.5)  # its reconnection attempts are refused
        assert not other_desk.client.connected
        assert other_desk.connects == 1
        other_desk.close()
        # The copy is refused by both processes: HTTP, and a new staff socket.
        for server in servers:
            _assert_logged_out(server.base, copied)

        # The estimate tick runs in exactly one process of the two.
        _wait_until(
            lambda: sum(TICK_HOLDER in s.log() for s in servers) == 1,
            "one process took the estimate tick",
        )
        time.sleep(2.5)  # a few more ticks: still only one
        assert sum(TICK_HOLDER in s.log() for s in servers) == 1
        tick_was_behind = TICK_HOLDER in servers[behind].log()

        # A call through each process: the phone and both displays see each one.
        room_url = f"/api/sites/{SITE}/rooms/room-1/call-next"
        _post(desk_http, direct.base + room_url)
        # The phone behind them hears only its new place (ticket_place), not its whole view.
        assert phone.wait_for("ticket_place", lambda d: d["position"] == 2)
        # The first patient has not come: the desk marks them a no-show with this call.
        _post(desk_http, nginx.base + room_url, NO_SHOW_FIRST)
        assert phone.wait_for("ticket_place", lambda d: d["position"] == 1)
        both = (display_direct, display_behind)
        for display in both:
            display.wait_for("display_update", _announced(numbers[0]))
            display.wait_for("display_update", _announced(numbers[1]))
        # Every display update reached both displays, in the same order, whichever
        # process sent it.
        _wait_until(
            lambda: (
                display_direct.seqs("display_update")[-1]
                == display_behind.seqs("display_update")[-1]
            ),
            "both displays caught up",
        )
        seqs = [d.seqs("display_update") for d in both]
        start = max(s[0] for s in seqs)  # the later of the two connect snapshots
        end = min(s[-1] for s in seqs)  # (a tick may have sent one more meanwhile)
        seen = [[n for n in s if start < n <= end] for s in seqs]
        assert seen[0] == seen[1]
        assert len(seen[0]) >= 2

        # The process behind nginx dies. The next call goes through the survivor, maybe
        # before the phone and that display are back: they must resync to it.
        processes[behind].kill()
        processes[behind].wait(timeout=10)
        called = _post(desk_http, direct.base + room_url, NO_SHOW_FIRST)["ticket"]
        assert called["number"] == numbers[2]

        for client in (phone, display_behind):
            client.wait_connects(2)
        status = phone.sync()
        assert status["event"] == "ticket_update"
        assert status["data"]["ticket"]["status"] == "called"
        assert status["data"]["ticket"]["room"]["code"] == "room-1"
        snapshot = display_behind.sync()
        assert snapshot["event"] == "display_update"
        assert (
            snapshot["data"]["seq"]
            >= display_direct.wait_for("display_update", _announced(numbers[2]))["seq"]
        )
        # nginx sends this address to the survivor now.
        assert nginx.backend_for_this_client() == direct.port

        # Live again, through nginx, on the survivor: a recall reaches everyone.
        _post(desk_http, f"{nginx.base}/api/sites/{SITE}/tickets/{called['id']}/recall")
        recalled = phone.wait_for("ticket_update", lambda d: d["seq"] > status["data"]["seq"])
        assert recalled["ticket"]["status"] == "called"
        for display in both:
            display.wait_for(
                "display_update", lambda d: d["seq"] > snapshot["data"]["seq"] and d["announce"]
            )

        # The estimate tick lives on in the survivor.
        if tick_was_behind:
            _wait_until(lambda: TICK_HOLDER in direct.log(), "the survivor took the tick")
        assert TICK_HOLDER in direct.log()


def test_a_logout_or_a_disabled_account_drops_the_sockets_on_both_processes_and_the_cookie(
    tmp_path, pg_schema_url, redis_prefix, clients
):
    servers, password = _deployment(tmp_path, pg_schema_url, redis_prefix)
    nginx = Nginx(tmp_path / "nginx", [s.port for s in servers])
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server.running())
        stack.enter_context(nginx.running())
        # A socket through nginx lands on one process; the other is talked to directly.
        behind_port = nginx.backend_for_this_client()
        direct = next(s for s in servers if s.port != behind_port)

        # Two sessions, each with a staff socket open on each process; each logs out
        # through a different process.
        for logout_on in servers:
            staff = log_in(logout_on.base, password)
            copied = browser_headers(staff)
            assert _live_sessions_in_redis(redis_prefix)  # REDIS_URL: the session store
            sockets = [
                clients().connect(base, {"staff": SITE}, dict(copied))
                for base in (nginx.base, direct.base)
            ]
            for sock in sockets:
                sock.wait_for("staff_update")
            bystander = clients().connect(
                direct.base, {"staff": SITE}, browser_headers(log_in(direct.base, password))
            )
            bystander.wait_for("staff_update")

            _post(staff, f"{logout_on.base}/api/logout")

            for sock in sockets:
                sock.wait_disconnected()
            time.sleep(1.5)  # their reconnection attempts are refused
            for sock in sockets:
                assert not sock.client.connected
                assert sock.connects == 1
            assert bystander.client.connected  # another session's socket stays
            for server in servers:
                _assert_logged_out(server.base, copied)
            bystander.close()

        # An account disabled by the operator's command (a third process, as at a
        # hospital's account office) loses its sockets on both processes at once.
        servers[0].command("add-user", "nurse", "--site", SITE, "--password-stdin", stdin=NURSE)
        nurse = log_in(direct.base, NURSE.strip(), username="nurse")
        copied = browser_headers(nurse)
        sockets = [
            clients().connect(base, {"staff": SITE}, dict(copied))
            for base in (nginx.base, direct.base)
        ]
        for sock in sockets:
            sock.wait_for("staff_update")

        servers[0].command("disable-user", "nurse")

        for sock in sockets:
            sock.wait_disconnected()
        for server in servers:
            _assert_logged_out(server.base, copied)


NURSE = "a long ward password 4 scale-out\n"
