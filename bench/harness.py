"""What the benchmarks share: a real `waitroom serve` process, and a light client.

The client speaks raw Engine.IO/Socket.IO frames over the `websockets` package: the
python-socketio client is too heavy to load a server with a thousand of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import requests
import websockets

HOST = "127.0.0.1"
SERVER_CORE, CLIENT_CORE = 0, 1
WAITROOM = str(Path(sys.executable).with_name("waitroom"))
DEMO_SITE = Path(__file__).parent.parent / "server" / "sites" / "demo" / "site.toml"


class Server:
    """One `waitroom serve` on the demo site, pinned to SERVER_CORE; SQLite in `root`
    unless a database URL is given (see fresh_postgres)."""

    def __init__(self, root: Path, database_url: str | None = None) -> None:
        self.root = root
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
            self.env.pop(key, None)
        self.env.update(
            WAITROOM_VAR=str(root / "var"),
            ESTIMATE_TICK_SECONDS="0",
            CHECKIN_RATE_LIMIT="100000 per minute",
            PASSWORD_GUESSES_PER_ADDRESS="1000 per minute",
            APPOINTMENT_GUESSES_PER_ADDRESS="100000 per minute",
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.process: subprocess.Popen[bytes] | None = None

    def waitroom(self, *args: str, stdin: str | None = None) -> str:
        """Run a `waitroom` command against this server's database; its output."""
        done = subprocess.run(
            [WAITROOM, *args],
            cwd=self.root,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def start(self, *, demo: bool = True) -> str:
        """Load the demo (unless another process of the deployment did), then serve;
        returns the demo desk's password."""
        self.root.mkdir(parents=True, exist_ok=True)
        password = ""
        if demo:
            out = self.waitroom("demo")
            password = out.rsplit("staff login: desk / ", 1)[1].strip()
        script = WAITROOM
        command = [script, "serve", "--host", HOST, "--port", str(self.port)]
        if shutil.which("taskset") and os.cpu_count() and os.cpu_count() > 1:  # type: ignore[operator]
            command = ["taskset", "-c", str(SERVER_CORE), *command]
        self.log = (self.root / "serve.log").open("wb")
        self.process = subprocess.Popen(
            command, cwd=self.root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if http_session().get(f"{self.base}/healthz", timeout=1).ok:
                    return password
            except requests.ConnectionError:
                time.sleep(0.1)
        raise SystemExit(f"the server did not start:\n{(self.root / 'serve.log').read_text()}")

    def rss_kb(self) -> int:
        """The server's resident memory (taskset execs it, so the pid is the server's)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(
            next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Client:
    """One Socket.IO client over a raw WebSocket: Engine.IO v4, default namespace."""

    def __init__(self, ws: Any, site: str | None = None) -> None:
        self.ws = ws
        self.site = site
        self.arrivals: dict[int, float] = {}  # seq -> when this client first had it
        self.latest = 0.0  # when the last numbered update arrived
        self.status: str | None = None  # a phone's ticket status, from its whole views
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_ack = 0
        self.noop: asyncio.Future[float] | None = None
        self.reader: asyncio.Task[None] | None = None

    @classmethod
    async def connect(
        cls,
        base: str,
        auth: dict[str, str],
        headers: dict[str, str] | None = None,
        site: str | None = None,
    ) -> Client:
        url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        ws = await websockets.connect(
            url,
            additional_headers=headers or {},
            max_size=None,
            ping_interval=None,
            open_timeout=60,
        )
        opened = await ws.recv()
        assert opened.startswith("0"), opened
        await ws.send("40" + json.dumps(auth))
        client = cls(ws, site)
        while True:  # the snapshot the connect handler sends may come before the "40"
            frame = await ws.recv()
            if frame.startswith("40"):
                break
            if frame.startswith("44"):
                raise SystemExit(f"refused: {frame}")
            client.handle(frame, time.perf_counter())
        client.reader = asyncio.create_task(client.read())
        return client

    async def read(self) -> None:
        try:
            async for frame in self.ws:
                now = time.perf_counter()
                if frame == "2":  # Engine.IO ping from the server
                    await self.ws.send("3")
                else:
                    self.handle(frame, now)
        except websockets.ConnectionClosed:
            pass

    def handle(self, frame: str, now: float) -> None:
        if frame == "6" and self.noop and not self.noop.done():
            self.noop.set_result(now)  # the answer to our Engine.IO probe
        elif frame.startswith("42"):
            _event, data = json.loads(frame[2:])
            if isinstance(data, dict) and "seq" in data:
                self.arrivals.setdefault(data["seq"], now)
                self.latest = now
                if "ticket" in data:
                    self.status = data["ticket"]["status"]
        elif frame.startswith("43"):
            ack_id, _, body = frame[2:].partition("[")
            future = self.acks.pop(int(ack_id), None)
            if future and not future.done():
                future.set_result(json.loads("[" + body))

    async def engineio_rtt(self) -> float:
        """An UPGRADE packet on an open WebSocket: Engine.IO answers NOOP, in the
        server's own packet loop (the lightest round trip through its Python code)."""
        self.noop = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        await self.ws.send("5")
        return await self.noop - started

    async def call(self, event: str) -> Any:
        self.next_ack += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[self.next_ack] = future
        await self.ws.send(f"42{self.next_ack}" + json.dumps([event]))
        return await future

    async def close(self) -> None:
        await self.ws.close()
        if self.reader:
            await self.reader


def http_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {core})


PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def fresh_postgres(name: str = "waitroom_bench") -> str:
    """An empty PostgreSQL database on this machine's server; returns its URL."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def load_copies_of_the_demo(server: Server, count: int) -> list[str]:
    """Sites site-01 ... site-NN, each a copy of the demo clinic; returns their slugs."""
    text = DEMO_SITE.read_text()
    slugs = []
    for n in range(1, count + 1):
        slug = f"site-{n:02d}"
        path = server.root / f"{slug}.toml"
        path.write_text(text.replace('slug = "riverside"', f'slug = "{slug}"', 1))
        server.waitroom("load-site", str(path))
        slugs.append(slug)
    return slugs


def raise_open_file_limit() -> None:
    """Thousands of sockets: as many file descriptors as this machine allows."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
