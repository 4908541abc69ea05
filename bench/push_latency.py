"""Push latency: how long after "call next" every affected phone has its new place.

    python -m bench.push_latency                      # 1,000 phones, 50 screens, 30 rounds
    python -m bench.push_latency --phones 200 --rounds 5   # a smoke run
    python -m bench.push_latency --async eventlet     # the server on eventlet
    python -m bench.push_latency --phones 5000 --sites 30 --processes 2 --displays 30 --desks 30
                                                      # scale-out: PostgreSQL and Redis

One `waitroom serve` (gevent, SQLite, the demo site, no estimate tick) pinned to one
core with taskset; this load generator pinned to another. The load is light clients
speaking raw Engine.IO/Socket.IO frames over the `websockets` package (the
python-socketio client is too heavy to load a server):

- N phones, each holding a waiting walk-in ticket of service G (so every call moves
  every phone's place: the worst case);
- 45 displays and 5 logged-in desks.

With `--sites` and `--processes` the phones, displays and desks are spread over copies
of the demo clinic and over the processes (round robin), and each round calls at the
next site through the next process; a phone hears of the call only if it waits at that
site, and must hear of it whichever process it is connected to.

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
import secrets
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.harness import (
    CLIENT_CORE,
    SERVER_CORE,
    Client,
    Server,
    fresh_postgres,
    http_session,
    load_copies_of_the_demo,
    pin,
    raise_open_file_limit,
)

SITE = "riverside"
G_ROOMS = ["room-1", "room-2", "room-3"]
NEXT_CALL = {"previous": "no_show"}  # each room's patient of an earlier round never came
QUIET = 0.5  # seconds without an update: the round's estimates have settled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--displays", type=int, default=45)
    parser.add_argument("--desks", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pings", type=int, default=10, help="probe round trips per round")
    parser.add_argument("--sites", type=int, default=1, help="copies of the demo clinic")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes; more than one runs on PostgreSQL and Redis",
    )
    parser.add_argument(
        "--async",
        dest="async_mode",
        choices=["gevent", "eventlet"],
        default="gevent",
        help="the server's async mode (waitroom serve --async)",
    )
    args = parser.parse_args()
    raise_open_file_limit()
    with tempfile.TemporaryDirectory(prefix="waitroom-bench-") as root:
        servers = _servers(Path(root), args)
        try:
            password = servers[0].start()
            if args.sites > 1:
                slugs = load_copies_of_the_demo(servers[0], args.sites)
                servers[0].waitroom(
                    "add-user",
                    "desk",
                    *(f"--site={s}" for s in slugs),
                    "--password-stdin",
                    stdin=password + "\n",
                )
            else:
                slugs = [SITE]
            for server in servers[1:]:
                server.start(demo=False)
            pin(CLIENT_CORE)
            result = asyncio.run(run(servers, slugs, password, args))
        finally:
            for server in servers:
                server.stop()
    report(result, args)


def _servers(root: Path, args: argparse.Namespace) -> list[Server]:
    shared = {"WAITROOM_ASYNC": args.async_mode}  # serve's --async default
    if args.processes == 1 and args.sites == 1:
        servers = [Server(root / "one")]
    else:
        shared.update(
            REDIS_URL="redis://127.0.0.1:6379/0",
            REDIS_PREFIX=f"waitroom-bench-{secrets.token_hex(4)}",
            SECRET_KEY=secrets.token_hex(32),
        )
        database = fresh_postgres()
        servers = [Server(root / f"p{n}", database) for n in range(args.processes)]
    for server in servers:
        server.env.update(shared)
    return servers


async def run(
    servers: list[Server], slugs: list[str], password: str, args: argparse.Namespace
) -> dict[str, Any]:
    bases = [s.base for s in servers]
    base = bases[0]
    print(f"checking in {args.phones} walk-ins at {len(slugs)} sites...", file=sys.stderr)
    tickets = await asyncio.to_thread(_walk_ins, base, slugs, args.phones)
    desk_http = http_session()
    response = desk_http.post(
        f"{base}/api/login", json={"username": "desk", "password": password}, timeout=10
    )
    response.raise_for_status()
    cookie = "; ".join(f"{c.name}={c.value}" for c in desk_http.cookies)

    print("connecting...", file=sys.stderr)
    phones: list[Client] = []
    await asyncio.sleep(2)  # let the check-ins' estimate refreshes finish
    rss_before = sum(s.rss_kb() for s in servers)
    for start in range(0, len(tickets), 100):  # in batches, as a waiting room fills
        phones += await asyncio.gather(
            *(
                Client.connect(bases[n % len(bases)], {"ticket": token}, site=slug)
                for n, (slug, token) in enumerate(tickets[start : start + 100], start)
            )
        )
    await asyncio.sleep(1)
    rss_phones = sum(s.rss_kb() for s in servers)
    screens = list(
        await asyncio.gather(
            *(
                Client.connect(
                    bases[n % len(bases)],
                    {"display": slugs[n % len(slugs)]},
                    site=slugs[n % len(slugs)],
                )
                for n in range(args.displays)
            )
        )
    )
    screens += await asyncio.gather(
        *(
            Client.connect(
                bases[n % len(bases)],
                {"staff": slugs[n % len(slugs)]},
                {"Cookie": cookie},
                site=slugs[n % len(slugs)],
            )
            for n in range(args.desks)
        )
    )
    probe = await Client.connect(base, {"ticket": tickets[-1][1]})
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
    answer_times: list[float] = []
    first_times: list[float] = []
    for number in range(args.rounds):
        for _ in range(args.pings):
            ws_pings.append(await _ws_ping(probe))
            eio_rtts.append(await probe.engineio_rtt())
            sync_rtts.append(await _sync_rtt(probe))
        # Each round calls at the next site, through the next process.
        site = slugs[number % len(slugs)]
        waiting = [p for p in phones if p.status == "waiting" and p.site == site]
        watching = [s for s in screens if s.site == site]
        room = G_ROOMS[(number // len(slugs)) % len(G_ROOMS)]
        call = f"{bases[number % len(bases)]}/api/sites/{site}/rooms/{room}/call-next"
        started = time.perf_counter()
        # A room holds one patient at a time: its patient from an earlier round, called
        # and never started, is marked a no-show by the call (as before, out of the line).
        answer = await asyncio.to_thread(desk_http.post, call, json=NEXT_CALL, timeout=30)
        answer.raise_for_status()
        answer_times.append(time.perf_counter() - started)
        seq = answer.json()["seq"]
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            if all(seq in p.arrivals for p in waiting) and all(seq in s.arrivals for s in watching):
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
        screen_latencies += [s.arrivals[seq] - started for s in watching if seq in s.arrivals]
        round_times.append(max(arrived, default=0))
        first_times.append(min(arrived, default=0))
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
        "answers": answer_times,
        "firsts": first_times,
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
    many = args.processes > 1 or args.sites > 1
    target = 150 if many else 40
    storage = "PostgreSQL + Redis" if many else "SQLite"
    print(
        f"push latency: {args.phones} phones at {args.sites} site(s), {args.displays} displays"
        f" + {args.desks} desks, {args.rounds} rounds of call next"
    )
    print(
        f"{args.processes} server process(es) pinned to core {SERVER_CORE}, load generator to"
        f" core {CLIENT_CORE}; {args.async_mode}, {storage}"
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
        ("round: call -> HTTP answer (median)", statistics.median(result["answers"])),
        ("round: call -> first phone (median)", statistics.median(result["firsts"])),
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
        verdict = "met" if ratio <= target else "MISSED"
        print(f"target p99 <= {target} x ping (eio), {what}: {ratio:.1f} x -> {verdict}")
    print(f"target every update delivered: {'met' if result['missing'] == 0 else 'MISSED'}")
    grown = result["rss_phones_kb"] - result["rss_before_kb"]
    per_phone = grown / max(1, args.phones)
    print()
    print(
        f"server resident memory: {result['rss_before_kb'] / 1024:.1f} MB before the phones,"
        f" {result['rss_phones_kb'] / 1024:.1f} MB with {args.phones} connected"
    )
    verdict = "met" if per_phone < 100 else "MISSED"
    print(f"target memory per connected phone < 100 KB: {per_phone:.1f} KB -> {verdict}")


def _walk_ins(base: str, slugs: list[str], count: int) -> list[tuple[str, str]]:
    """`count` walk-ins spread over the sites: (site, token) each."""

    def one(n: int) -> tuple[str, str]:
        site = slugs[n % len(slugs)]
        response = http_session().post(
            f"{base}/api/sites/{site}/checkins/walk-in", json={"service": "G"}, timeout=30
        )
        response.raise_for_status()
        return site, response.json()["token"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


if __name__ == "__main__":
    main()
