"""What a burst of walk-ins is told at check-in, and what a check-in costs.

Runs the real app in this process on the demo clinic (SQLite in a temporary
directory, a fixed clock: Tuesday 10 March 2026, 09:00 London), with the estimate
refresh held back as it is during a burst (the background refresh is still pending
when the next patient checks in):

1. the burst: on an empty clinic, then with 80 waiting (round robin over the four
   services), one refresh (a server that has been running has one behind it), then
   eight walk-ins for Vaccinations in a row; prints each one's estimate as the check-in
   answered it and as the shown_estimates record holds it, what the simulation of the
   whole queue (the refresh's) gives each just after the burst, and what each phone
   shows once that refresh ran (a promise moves only by 2 minutes or more);
2. latency: N walk-ins for General practice (one line, as bench/write_burst.py
   sends), then N spread over the four services in turn, each timed on its own (the
   whole HTTP request through the Flask test client), with the refresh run every
   `--refresh-every` check-ins; prints p50, p99 and the worst, by how many were waiting.

    .venv/bin/python -m bench.checkin_estimates
    .venv/bin/python -m bench.checkin_estimates --checkins 1000
    .venv/bin/python -m bench.checkin_estimates --serve   # the burst on `waitroom serve`
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from bench import harness
from server import create_app, services
from server.config import TestConfig
from server.domain import queue
from server.extensions import db
from server.services import estimates
from server.services.ticks import refresh_estimates
from server.sites.schema import parse_site_file
from server.storage import queries
from server.storage.models import ShownEstimate, Ticket

DEMO_SITE = Path(__file__).parent.parent / "server" / "sites" / "demo" / "site.toml"
SITE = "riverside"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SERVICES = ("G", "B", "V", "N")


@contextmanager
def demo_app(root: Path) -> Iterator[Flask]:
    """The app on the demo clinic with today's appointments, refresh held back."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{root / 'bench.db'}"
    config["ESTIMATE_REFRESH"] = "off"  # a refresh pending: run by hand below
    app = create_app(config)
    app.extensions["waitroom.clock"] = lambda: NOW
    with app.app_context():
        db.create_all()
        services.load_site(parse_site_file(DEMO_SITE))
        services.import_appointments(
            SITE, DEMO_SITE.with_name("appointments.csv").read_text(), None
        )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def refresh(app: Flask) -> None:
    with app.app_context():
        refresh_estimates(SITE)
        db.session.remove()


def walk_in(app: Flask, service: str) -> tuple[dict[str, Any], str, float]:
    """One check-in: the ticket it answered with, its token, and the seconds it took."""
    body, token, took, _ = timed_walk_in(app, service)
    return body, token, took


def timed_walk_in(app: Flask, service: str) -> tuple[dict[str, Any], str, float, float]:
    """One check-in, with the wall-clock and this process's CPU seconds it took (on a
    shared machine the CPU time is the steadier figure)."""
    client = app.test_client()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(f"/api/sites/{SITE}/checkins/walk-in", json={"service": service})
    took, cpu_took = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return body, body["token"], took, cpu_took


def phone_estimate(app: Flask, token: str) -> dict[str, Any]:
    response = app.test_client().get(f"/api/tickets/{token}")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def ticket_ids(app: Flask, tokens: list[str]) -> list[int]:
    with app.app_context():
        found = [
            db.session.scalars(
                select(Ticket.id).where(Ticket.token_digest == queue.token_digest(token))
            ).one()
            for token in tokens
        ]
        db.session.remove()
    return found


def whole_queue_estimates(app: Flask, ticket_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """What the refresh's simulation of the whole queue gives each ticket now."""
    with app.app_context():
        site = queries.get_site(SITE)
        predictions = estimates.predict(estimates.forecast(site, NOW))
        db.session.remove()
    found = {i: predictions.tickets[i] for i in ticket_ids if i in predictions.tickets}
    return {i: (e.central, e.low, e.high) for i, e in found.items()}


def first_shown(app: Flask, ticket_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Each ticket's first row in shown_estimates (what the accuracy report scores)."""
    with app.app_context():
        rows = db.session.scalars(
            select(ShownEstimate)
            .where(ShownEstimate.ticket_id.in_(ticket_ids))
            .order_by(ShownEstimate.at, ShownEstimate.id)
        ).all()
        found: dict[int, tuple[int, int, int]] = {}
        for row in rows:
            found.setdefault(row.ticket_id, (row.central, row.low, row.high))
        db.session.remove()
    return found


def span(estimate: dict[str, int] | tuple[int, int, int] | None) -> str:
    if estimate is None:
        return "-"
    central, low, high = (
        estimate
        if isinstance(estimate, tuple)
        else (estimate["central"], estimate["low"], estimate["high"])
    )
    return f"{central:>3} ({low}-{high})"


def burst(size: int, ahead: int) -> None:
    with tempfile.TemporaryDirectory() as root, demo_app(Path(root)) as app:
        for n in range(ahead):
            walk_in(app, SERVICES[n % len(SERVICES)])
        refresh(app)
        answered = [walk_in(app, "V") for _ in range(size)]
        tokens = [token for _, token, _ in answered]
        ids = ticket_ids(app, tokens)
        recorded = first_shown(app, ids)
        simulated = whole_queue_estimates(app, ids)
        refresh(app)
        print(
            f"Burst: {size} walk-ins for Vaccinations with {ahead} waiting before,"
            " then the refresh (minutes, 80% range)"
        )
        print(
            f"{'#':>2}  {'place':>5}  {'at check-in':>13}  {'recorded':>13}"
            f"  {'whole queue':>13}  {'after refresh':>13}  {'ms':>5}"
        )
        for n, ((body, token, took), ticket_id) in enumerate(zip(answered, ids, strict=True), 1):
            later = phone_estimate(app, token)
            print(
                f"{n:>2}  {body['ticket']['position']:>5}  {span(body['ticket']['estimate']):>13}"
                f"  {span(recorded.get(ticket_id)):>13}  {span(simulated.get(ticket_id)):>13}"
                f"  {span(later['ticket']['estimate']):>13}  {took * 1000:>5.1f}"
            )


def latency(checkins: int, refresh_every: int, services: str) -> None:
    with tempfile.TemporaryDirectory() as root, demo_app(Path(root)) as app:
        refresh(app)
        for _ in range(3):  # warm up: imports, the first query plans
            walk_in(app, "G")
        refresh(app)
        wall: list[float] = []
        cpu: list[float] = []
        for n in range(checkins):
            _, _, took, cpu_took = timed_walk_in(app, services[n % len(services)])
            wall.append(took * 1000)
            cpu.append(cpu_took * 1000)
            if refresh_every and (n + 1) % refresh_every == 0:
                refresh(app)
        print(
            f"Latency: {checkins} walk-ins for {'/'.join(services)}, refresh every "
            f"{refresh_every or 'never'} (ms per check-in request: wall clock, CPU)"
        )
        print(
            f"{'waiting':>12}  {'n':>5}  {'p50':>6}  {'p99':>6}  {'worst':>6}"
            f"  {'cpu p50':>7}  {'cpu p99':>7}"
        )
        step = max(1, checkins // 4)
        for start in [*range(0, checkins, step), None]:
            part = slice(0, checkins) if start is None else slice(start, start + step)
            times, cpus = sorted(wall[part]), sorted(cpu[part])
            label = "all" if start is None else f"{start + 3}-{start + 2 + len(times)}"
            print(
                f"{label:>12}  {len(times):>5}  {statistics.median(times):>6.1f}"
                f"  {_p99(times):>6.1f}  {times[-1]:>6.1f}"
                f"  {statistics.median(cpus):>7.1f}  {_p99(cpus):>7.1f}"
            )


def served_burst(size: int) -> None:
    """The issue's own check: `waitroom serve` on the demo (gevent, the real clock, the
    background refresh), `size` walk-ins for Vaccinations over HTTP back to back, then
    what each phone reads once the refresh has run."""
    with tempfile.TemporaryDirectory() as root:
        server = harness.Server(Path(root))
        server.start()
        try:
            http = harness.http_session()
            url = f"{server.base}/api/sites/{SITE}/checkins/walk-in"
            answers = []
            for _ in range(size):
                started = time.perf_counter()
                response = http.post(url, json={"service": "V"}, timeout=30)
                answers.append((response.json(), time.perf_counter() - started))
            time.sleep(3)  # the refresh folds the burst into a run a second
            print(f"Served: {size} walk-ins for Vaccinations over HTTP, then 3 s later")
            print(f"{'#':>2}  {'place':>5}  {'at check-in':>13}  {'3 s later':>13}  {'ms':>5}")
            for n, (body, took) in enumerate(answers, 1):
                later = http.get(f"{server.base}/api/tickets/{body['token']}", timeout=30).json()
                print(
                    f"{n:>2}  {body['ticket']['position']:>5}"
                    f"  {span(body['ticket']['estimate']):>13}"
                    f"  {span(later['ticket']['estimate']):>13}  {took * 1000:>5.1f}"
                )
        finally:
            server.stop()


def _p99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=8, help="walk-ins in the burst")
    parser.add_argument(
        "--ahead", default="0,80", help="waiting before each burst, over the four services"
    )
    parser.add_argument("--checkins", type=int, default=400, help="check-ins timed")
    parser.add_argument("--refresh-every", type=int, default=8, help="0: never")
    parser.add_argument(
        "--serve", action="store_true", help="only the burst on a real `waitroom serve`"
    )
    args = parser.parse_args()
    if args.serve:
        served_burst(args.burst)
        return
    for ahead in (int(n) for n in args.ahead.split(",")):
        burst(args.burst, ahead)
        print()
    latency(args.checkins, args.refresh_every, "G")
    print()
    latency(args.checkins, args.refresh_every, "".join(SERVICES))


if __name__ == "__main__":
    main()
