"""Push latency: how long after "call next" every affected phone has its new place.

    python -m bench.push_latency                      # 1,000 phones, 50 screens, 30 rounds
    python -m bench.push_latency --phones 200 --rounds 5   # a smoke run

One `waitroom serve` (gevent, SQLite, the demo site, no estimate tick) pinned to one
core with taskset; this load generator pinned to another. The load is light clients
speaking raw Engine.IO/Socket.IO frames over the `websockets` package (the
python-socketio client is too heavy to load a server):

- N phones, each holding a waiting walk-in ticket of service G (so every call moves
  every phone's place: the worst case);
- 45 displays and 5 logged-in desks.

Each round calls the next patient to one of the three G rooms over HTTP and times, for
every phone, the moment its ticket_update carrying that call's sequence number arrives
(a new position and estimate, or "called"). Between rounds a probe measures round
trips on an idle socket: a WebSocket ping frame (answered by the server's WebSocket
layer) and a Socket.IO `sync` with its acknowledgement (through a handler and the
database). The table gives p50/p99 of the phone latencies and their ratio to each
probe's median, measured in the same run so machine noise cancels.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.harness import CLIENT_CORE, SERVER_CORE, Client, Server, http_session, pin

SITE = "riverside"
G_ROOMS = ["room-1", "room-2", "room-3"]
QUIET = 0.5  # seconds without an update: the round's estimates have settled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--displays", type=int, default=45)
    parser.add_argument("--desks", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pings", type=int, default=10, help="probe round trips per round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waitroom-bench-") as root:
        server = Server(Path(root))
        try:
            password = server.start()
            pin(CLIENT_CORE)
            result = asyncio.run(run(server, password, args))
        finally:
            server.stop()
    report(result, args)


async def run(server: Server, password: str, args: argparse.Namespace) -> dict[str, Any]:
    base = server.base
    print(f"checking in {args.phones} walk-ins...", file=sys.stderr)
    tokens = await asyncio.to_thread(_walk_ins, base, args.phones)
    desk_http = http_session()
    response = desk_http.post(
        f"{base}/api/login", json={"username": "desk", "password": password}, timeout=10
    )
    response.raise_for_status()
    cookie = "; ".join(f"{c.name}={c.value}" for c in desk_http.cookies)

    print("connecting...", file=sys.stderr)
    phones: list[Client] = []
    await asyncio.sleep(1)  # let the check-ins' estimate refreshes finish
    rss_before = server.rss_kb()
    for start in range(0, len(tokens), 100):  # in batches, as a waiting room fills
        phones += await asyncio.gather(
            *(Client.connect(base, {"ticket": t}) for t in tokens[start : start + 100])
        )
    await asyncio.sleep(1)
    rss_phones = server.rss_kb()
    screens = list(
        await asyncio.gather(
            *(Client.connect(base, {"display": SITE}) for _ in range(args.displays))
        )
    )
    screens += await asyncio.gather(
        *(Client.connect(base, {"staff": SITE}, {"Cookie": cookie}) for _ in range(args.desks))
    )
    probe = await Client.connect(base, {"ticket": tokens[-1]})
    await asyncio.sleep(1)
    print(f"calling ({args.rounds} rounds)...", file=sys.stderr)

    latencies: list[float] = []
    settled: list[float] = []
    screen_latencies: list[float] = []
    ws_pings: list[float] = []
    eio_rtts: list[float] = []
    sync_rtts: list[float] = []
    missing = 0
    expected_total = 0
    round_times: list[float] = []
    for number in range(args.rounds):
        for _ in range(args.pings):
            ws_pings.append(await _ws_ping(probe))
            eio_rtts.append(await probe.engineio_rtt())
            sync_rtts.append(await _sync_rtt(probe))
        waiting = [p for p in phones if p.status == "waiting"]
        room = G_ROOMS[number % len(G_ROOMS)]
        started = time.perf_counter()
        answer = await asyncio.to_thread(
            desk_http.post, f"{base}/api/sites/{SITE}/rooms/{room}/call-next", json={}, timeout=30
        )
        answer.raise_for_status()
        seq = answer.json()["seq"]
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            if all(seq in p.arrivals for p in waiting) and all(seq in s.arrivals for s in screens):
                break
            await asyncio.sleep(0.002)
        arrived = [p.arrivals[seq] - started for p in waiting if seq in p.arrivals]
        # Then the estimates: the server refreshes them after the change, and sends
        # the phones whose estimate moved one more update. Settled = no update for
        # QUIET seconds; each phone's last update of the round is when it had both.
        await _quiet(phones, QUIET)
        settled += [p.latest - started for p in waiting if seq in p.arrivals]
        expected_total += len(waiting)
        missing += len(waiting) - len(arrived)
        latencies += arrived
        screen_latencies += [s.arrivals[seq] - started for s in screens if seq in s.arrivals]
        round_times.append(max(arrived, default=0))
        await asyncio.sleep(0.2)

    await asyncio.gather(*(c.close() for c in [*phones, *screens, probe]))
    return {
        "latencies": latencies,
        "settled": settled,
        "screens": screen_latencies,
        "ws_pings": ws_pings,
        "eio_rtts": eio_rtts,
        "sync_rtts": sync_rtts,
        "missing": missing,
        "expected": expected_total,
        "rounds": round_times,
        "rss_before_kb": rss_before,
        "rss_phones_kb": rss_phones,
    }


async def _quiet(clients: list[Client], seconds: float) -> None:
    while True:
        latest = max(c.latest for c in clients)
        if time.perf_counter() - latest >= seconds:
            return
        await asyncio.sleep(0.05)


async def _ws_ping(client: Client) -> float:
    started = time.perf_counter()
    waiter = await client.ws.ping()
    await waiter
    return time.perf_counter() - started


async def _sync_rtt(client: Client) -> float:
    started = time.perf_counter()
    await client.call("sync")
    return time.perf_counter() - started


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    lat = sorted(result["latencies"])
    est = sorted(result["settled"])
    scr = sorted(result["screens"])
    ws_ping = statistics.median(result["ws_pings"])
    ping = statistics.median(result["eio_rtts"])
    sync = statistics.median(result["sync_rtts"])

    def pct(values: list[float], q: float) -> float:
        return (
            values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")
        )

    print()
    print(
        f"push latency: {args.phones} phones, {args.displays} displays + {args.desks} desks, "
        f"{args.rounds} rounds of call next"
    )
    print(
        f"server pinned to core {SERVER_CORE}, load generator to core {CLIENT_CORE}; gevent, SQLite"
    )
    print("probes (idle socket, between rounds): ws = WebSocket ping frame, eio = Engine.IO")
    print("UPGRADE -> NOOP (the 'ping' for the target), sync = Socket.IO sync + ack (database)")
    print()
    print(f"{'measure':<44}{'ms':>10}{'x ws':>9}{'x eio':>9}{'x sync':>9}")
    rows = [
        ("probe ws: WebSocket ping (median)", ws_ping),
        ("probe eio: Engine.IO round trip (median)", ping),
        ("probe sync: sync + ack (median)", sync),
        ("phones: call -> new place, p50", pct(lat, 0.50)),
        ("phones: call -> new place, p99", pct(lat, 0.99)),
        ("phones: call -> new place, max", lat[-1] if lat else float("nan")),
        ("phones: call -> place and estimate, p50", pct(est, 0.50)),
        ("phones: call -> place and estimate, p99", pct(est, 0.99)),
        ("screens: call -> update, p50", pct(scr, 0.50)),
        ("screens: call -> update, p99", pct(scr, 0.99)),
        ("round: call -> last phone (median)", statistics.median(result["rounds"])),
    ]
    for name, value in rows:
        print(
            f"{name:<44}{value * 1000:>10.2f}{value / ws_ping:>9.1f}{value / ping:>9.1f}"
            f"{value / sync:>9.1f}"
        )
    print()
    delivered = result["expected"] - result["missing"]
    print(f"phone updates delivered: {delivered} of {result['expected']}")
    for what, values in (("new place", lat), ("place and estimate", est)):
        ratio = pct(values, 0.99) / ping
        verdict = "met" if ratio <= 40 else "MISSED"
        print(f"target p99 <= 40 x ping (eio), {what}: {ratio:.1f} x -> {verdict}")
    print(f"target every update delivered: {'met' if result['missing'] == 0 else 'MISSED'}")
    grown = result["rss_phones_kb"] - result["rss_before_kb"]
    per_phone = grown / max(1, args.phones)
    print()
    print(f"server resident memory: {result['rss_before_kb'] / 1024:.1f} MB before the phones,"
          f" {result['rss_phones_kb'] / 1024:.1f} MB with {args.phones} connected")
    verdict = "met" if per_phone < 100 else "MISSED"
    print(f"target memory per connected phone < 100 KB: {per_phone:.1f} KB -> {verdict}")


def _walk_ins(base: str, count: int) -> list[str]:
    def one(_: int) -> str:
        response = http_session().post(
            f"{base}/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}, timeout=30
        )
        response.raise_for_status()
        return response.json()["token"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


if __name__ == "__main__":
    main()
