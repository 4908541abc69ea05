"""The floor: a bare Flask-SocketIO app broadcasting one message to a room.

    python -m bench.bare_broadcast                 # 1,000 clients, 30 broadcasts

What push_latency's figures should be read against. A minimal app (no database, no
payloads to build: one event to one room) on the same stack as `waitroom serve`
(gevent with gevent-websocket), pinned to one core, with the same light clients on the
other; `POST /broadcast` emits one small message to the room all clients joined, and
each client's arrival is timed from the POST. Printed as ratios to the Engine.IO round
trip measured in the same run, as push_latency does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

from bench.harness import (
    CLIENT_CORE,
    HOST,
    SERVER_CORE,
    Client,
    free_port,
    http_session,
    pin,
    raise_open_file_limit,
)


def serve(port: int) -> None:
    # Imported here: gevent must patch the standard library before Flask is imported.
    from gevent import monkey  # noqa: PLC0415

    monkey.patch_all()
    from flask import Flask  # noqa: PLC0415
    from flask_socketio import SocketIO, join_room  # noqa: PLC0415

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="gevent", logger=False, engineio_logger=False)
    sent = {"seq": 0}

    @socketio.on("connect")
    def connect(_auth: object = None) -> None:
        join_room("everyone")

    @app.post("/broadcast")
    def broadcast() -> dict[str, int]:
        sent["seq"] += 1
        socketio.emit("update", {"seq": sent["seq"], "position": 3}, to="everyone")
        return {"seq": sent["seq"]}

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    socketio.run(app, host=HOST, port=port, log_output=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    raise_open_file_limit()
    port = free_port()
    command = [
        "taskset",
        "-c",
        str(SERVER_CORE),
        sys.executable,
        "-m",
        "bench.bare_broadcast",
        "--serve",
        str(port),
    ]
    server = subprocess.Popen(command, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        base = f"http://{HOST}:{port}"
        _wait_up(base)
        pin(CLIENT_CORE)
        latencies, rtts = asyncio.run(run(base, args))
    finally:
        server.terminate()
        server.wait(timeout=10)
    report(latencies, rtts, args)


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if http_session().get(f"{base}/healthz", timeout=1).ok:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the bare app did not start")


async def run(base: str, args: argparse.Namespace) -> tuple[list[float], list[float]]:
    clients: list[Client] = []
    for start in range(0, args.clients, 100):
        count = min(100, args.clients - start)
        clients += await asyncio.gather(*(Client.connect(base, {}) for _ in range(count)))
    probe = await Client.connect(base, {})
    await asyncio.sleep(1)
    http = http_session()
    latencies: list[float] = []
    rtts: list[float] = []
    for _ in range(args.rounds):
        rtts += [await probe.engineio_rtt() for _ in range(10)]
        started = time.perf_counter()
        answer = await asyncio.to_thread(http.post, f"{base}/broadcast", timeout=30)
        seq = answer.json()["seq"]
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline and not all(seq in c.arrivals for c in clients):
            await asyncio.sleep(0.002)
        latencies += [c.arrivals[seq] - started for c in clients if seq in c.arrivals]
        await asyncio.sleep(0.2)
    await asyncio.gather(*(c.close() for c in [*clients, probe]))
    return latencies, rtts


def report(latencies: list[float], rtts: list[float], args: argparse.Namespace) -> None:
    ordered = sorted(latencies)
    ping = statistics.median(rtts)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    print()
    print(
        f"bare Flask-SocketIO broadcast: {args.clients} clients in one room, "
        f"{args.rounds} broadcasts; gevent + gevent-websocket"
    )
    print()
    print(f"{'measure':<36}{'ms':>10}{'x eio':>9}")
    for name, value in [
        ("probe eio: Engine.IO round trip", ping),
        ("clients: POST -> message, p50", pct(0.50)),
        ("clients: POST -> message, p99", pct(0.99)),
    ]:
        print(f"{name:<36}{value * 1000:>10.2f}{value / ping:>9.1f}")
    print(f"delivered: {len(latencies)} of {args.clients * args.rounds}")


if __name__ == "__main__":
    main()
