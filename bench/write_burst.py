"""Database write burst: does a burst of check-ins stall the other clients?

    python -m bench.write_burst                 # SQLite, 200 check-ins, 20 at a time
    python -m bench.write_burst --postgres      # on this machine's PostgreSQL

One `waitroom serve` (gevent, the demo site) pinned to one core; this load generator
on another. A probe socket (a display) measures Engine.IO round trips back to back,
first on an idle server, then while 200 walk-in check-ins arrive over HTTP as fast as
the server takes them. Under gevent a slow database call blocks every client of the
process; the probe's worst round trip during the burst is what a phone would feel.
Target: under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from bench.harness import CLIENT_CORE, Client, Server, fresh_postgres, http_session, pin

SITE = "riverside"
TARGET_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkins", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waitroom-bench-") as root:
        server = Server(Path(root), fresh_postgres() if args.postgres else None)
        try:
            server.start()
            pin(CLIENT_CORE)
            idle, burst, took = asyncio.run(run(server.base, args))
        finally:
            server.stop()
    report(idle, burst, took, args)


async def run(base: str, args: argparse.Namespace) -> tuple[list[float], list[float], float]:
    probe = await Client.connect(base, {"display": SITE})
    idle = [await probe.engineio_rtt() for _ in range(300)]
    done = asyncio.Event()
    during: list[float] = []

    async def keep_probing() -> None:
        while not done.is_set():
            during.append(await probe.engineio_rtt())
            await asyncio.sleep(0.001)

    prober = asyncio.create_task(keep_probing())
    # The check-ins come from another process (on the same core): as threads of this
    # one they would hold the GIL while the probe's answer waited to be read, and the
    # probe would time this process, not the server.
    with ProcessPoolExecutor(1) as burst:
        await asyncio.wrap_future(burst.submit(_check_in, base, 0, 1))  # started, imported
        during.clear()
        started = time.perf_counter()
        await asyncio.wrap_future(burst.submit(_check_in, base, args.checkins, args.concurrency))
        took = time.perf_counter() - started
    done.set()
    await prober
    await probe.close()
    return idle, during, took


def _check_in(base: str, count: int, concurrency: int) -> None:
    sessions = [http_session() for _ in range(concurrency)]

    def one(n: int) -> None:
        response = sessions[n % concurrency].post(
            f"{base}/api/sites/{SITE}/checkins/walk-in", json={"service": "G"}, timeout=30
        )
        response.raise_for_status()

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))


def report(idle: list[float], burst: list[float], took: float, args: argparse.Namespace) -> None:
    def row(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        return (
            f"{name:<28}{len(values):>8}{statistics.median(values) * 1000:>10.2f}"
            f"{p99 * 1000:>10.2f}{ordered[-1] * 1000:>10.2f}"
        )

    database = "PostgreSQL" if args.postgres else "SQLite"
    print()
    print(
        f"write burst: {args.checkins} walk-in check-ins, {args.concurrency} at a time, "
        f"{database}, gevent"
    )
    print(f"burst took {took:.2f} s ({args.checkins / took:.0f} check-ins/s)")
    print()
    print(
        f"{'probe (Engine.IO round trip)':<28}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'max ms':>10}"
    )
    print(row("idle server", idle))
    print(row("during the burst", burst))
    worst = max(burst) * 1000
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print()
    print(
        f"target worst probe round trip during the burst < {TARGET_MS:.0f} ms: "
        f"{worst:.1f} ms -> {verdict}"
    )


if __name__ == "__main__":
    sys.exit(main())
