"""Check-in throughput over HTTP, as a ratio to `GET /healthz` in the same run.

    python -m bench.throughput                  # SQLite, then PostgreSQL
    python -m bench.throughput --seconds 5 --only sqlite

One `waitroom serve` (gevent, the demo site) pinned to one core; `wrk` (Debian's
package: a C load generator, so the client is not what is measured) on the other, with
50 connections. First `GET /healthz` (the lightest request the server answers), then
walk-in check-ins (`POST .../checkins/walk-in`, each a real queue change: a ticket,
its promise, the audit entry, the pushes). Target: check-ins at least 0.25 times the
healthz rate. Every answer must be a 2xx; wrk's count of others is printed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import CLIENT_CORE, Server, fresh_postgres

SITE = "riverside"
CONNECTIONS = 50
TARGET = 0.25
CHECK_IN = """wrk.method = "POST"
wrk.body = '{"service": "G"}'
wrk.headers["Content-Type"] = "application/json"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    rows = []
    for database in ["sqlite", "postgres"]:
        if args.only and database != args.only:
            continue
        rows.append((database, *measure(database, args.seconds)))
    report(rows, args)


def measure(database: str, seconds: int) -> tuple[float, int, float, int]:
    with tempfile.TemporaryDirectory(prefix="waitroom-bench-") as root:
        server = Server(Path(root), fresh_postgres() if database == "postgres" else None)
        script = Path(root) / "check_in.lua"
        script.write_text(CHECK_IN)
        try:
            server.start()
            _wrk(f"{server.base}/healthz", 2)  # warm up
            health = _wrk(f"{server.base}/healthz", seconds)
            checkins = _wrk(f"{server.base}/api/sites/{SITE}/checkins/walk-in", seconds, script)
        finally:
            server.stop()
    return (*health, *checkins)


def _wrk(url: str, seconds: int, script: Path | None = None) -> tuple[float, int]:
    """Requests per second, and how many answers were not 2xx or 3xx."""
    command = [
        "taskset",
        "-c",
        str(CLIENT_CORE),
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
    ]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    if errors:
        print(f"  wrk: {errors.group(0)} ({url})", file=sys.stderr)
    return rate, int(bad.group(1)) if bad else 0


def report(rows: list[tuple[str, float, int, float, int]], args: argparse.Namespace) -> None:
    print()
    print(
        f"throughput: {CONNECTIONS} connections, {args.seconds} s each, wrk on core "
        f"{CLIENT_CORE}, server (gevent) on the other"
    )
    print()
    print(f"{'database':<12}{'healthz/s':>12}{'check-ins/s':>14}{'ratio':>8}{'not 2xx':>10}")
    for database, health, bad_health, checkins, bad_checkins in rows:
        print(
            f"{database:<12}{health:>12.0f}{checkins:>14.0f}{checkins / health:>8.2f}"
            f"{bad_health + bad_checkins:>10}"
        )
    print()
    for database, health, _, checkins, bad in rows:
        ratio = checkins / health
        verdict = "met" if ratio >= TARGET and bad == 0 else "MISSED"
        print(
            f"target {database}: check-ins >= {TARGET} x healthz, all 2xx: "
            f"{ratio:.2f} x, {bad} not 2xx -> {verdict}"
        )


if __name__ == "__main__":
    main()
