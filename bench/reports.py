"""The manager's reports on a large generated history in PostgreSQL.

Generates `--sites` copies of the demo clinic with `--days` days of `--visits` visits a
day each (tickets, first and later shown estimates, calls and recalls, delay notices)
with COPY into a fresh database, then times the report of the last 30 days for one site
and for every site (one report per site), each against `SELECT count(*)` of the same
tickets in the same run, and prints both and their ratio; then the size of one site's
report as JSON and as the rendered page.

The issue's size is a year of a 30-site hospital, about 2 million visits; the default
here is smaller so that it runs in a few minutes on this shared 2-core machine
(README, "Reports", gives the command and the figures).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.harness import fresh_postgres
from server import create_app, services
from server.config import TestConfig
from server.extensions import db
from server.sites.schema import parse_site_file

DEMO_SITE = Path(__file__).resolve().parent.parent / "server" / "sites" / "demo" / "site.toml"
PASSWORD = "correct horse battery staple"
LAST_DAY = date(2026, 11, 30)
COPIES = {
    "tickets": "id, site_id, service_id, day, number, number_prefix, token_digest, status, "
    "priority, source, language, arrived_at, queue_at, called_at, started_at, finished_at, "
    "room_id, recalls, step_free, interpreter, may_not_hear, may_not_see",
    "shown_estimates": "site_id, ticket_id, service_id, day, at, central, low, high",
    "call_events": "site_id, ticket_id, room_id, day, at, recall",
}


def build(url: str, sites: int) -> Any:
    app = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
        }
    )
    text_ = DEMO_SITE.read_text()
    with app.app_context():
        db.create_all()
        for n in range(1, sites + 1):
            copy = DEMO_SITE.parent / f".bench-site-{n:02d}.toml"
            copy.write_text(text_.replace('slug = "riverside"', f'slug = "site-{n:02d}"', 1))
            try:
                services.load_site(parse_site_file(copy))
            finally:
                copy.unlink()
        services.add_user(
            "manager", PASSWORD, "manager", [f"site-{n:02d}" for n in range(1, sites + 1)]
        )
        db.session.commit()
    return app


def generate(app: Any, days: int, visits: int, seed: int = 19) -> int:
    """COPY the history in; returns the number of tickets."""
    rng = random.Random(seed)
    with app.app_context():
        site_rows = db.session.execute(text("SELECT id FROM sites ORDER BY id")).all()
        layout = {
            site_id: (
                db.session.execute(
                    text("SELECT id, prefix FROM services WHERE site_id = :s"), {"s": site_id}
                ).all(),
                [
                    r
                    for (r,) in db.session.execute(
                        text("SELECT id FROM rooms WHERE site_id = :s"), {"s": site_id}
                    )
                ],
            )
            for (site_id,) in site_rows
        }
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COPIES}
    ticket_id = 0
    for site_id, (service_rows, rooms) in layout.items():
        for offset in range(days):
            day = LAST_DAY - timedelta(days=offset)
            opens = datetime(day.year, day.month, day.day, 8)
            for number in range(1, visits + 1):
                ticket_id += 1
                service_id, prefix = service_rows[number % len(service_rows)]
                arrived = opens + timedelta(minutes=rng.randint(0, 540))
                outcome = rng.random()
                wait = timedelta(minutes=rng.randint(0, 70), seconds=30)
                called = arrived + wait if outcome < 0.92 else None
                started = called + timedelta(minutes=2) if called and outcome < 0.86 else None
                finished = started + timedelta(minutes=rng.randint(3, 25)) if started else None
                status = "done" if started else ("no_show" if called else "cancelled")
                room = rooms[number % len(rooms)] if called else None
                source = rng.choice(("kiosk", "kiosk", "desk", "appointment"))
                rows["tickets"].append(
                    (
                        ticket_id,
                        site_id,
                        service_id,
                        day,
                        number,
                        prefix,
                        f"{ticket_id:064x}",
                        status,
                        0,
                        source,
                        "en",
                        arrived,
                        arrived,
                        called,
                        started,
                        finished,
                        room,
                        0,
                        False,
                        False,
                        False,
                        False,
                    )
                )
                central = rng.randint(0, 60)
                for later in (0, 5):  # the first estimate and one later
                    at = arrived + timedelta(minutes=later)
                    rows["shown_estimates"].append(
                        (
                            site_id,
                            ticket_id,
                            service_id,
                            day,
                            at,
                            central,
                            max(0, central - 8),
                            central + 8,
                        )
                    )
                if called:
                    rows["call_events"].append((site_id, ticket_id, room, day, called, False))
    with app.app_context():
        raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        # One COPY at a time: a connection cannot run two at once.
        for table, columns in COPIES.items():
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return ticket_id


def timed(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    """The median of `repeat` runs, in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(app: Any, sites: int) -> None:
    first, last = LAST_DAY - timedelta(days=29), LAST_DAY
    slugs = [f"site-{n:02d}" for n in range(1, sites + 1)]
    count_sql = text("SELECT count(*) FROM tickets WHERE site_id = :s AND day BETWEEN :a AND :b")
    all_sql = text("SELECT count(*) FROM tickets WHERE day BETWEEN :a AND :b")
    with app.app_context():
        site_id = db.session.execute(
            text("SELECT id FROM sites WHERE slug = 'site-01'")
        ).scalar_one()
        one_count, n_one = timed(
            lambda: db.session.execute(
                count_sql, {"s": site_id, "a": first, "b": last}
            ).scalar_one()
        )
        one_report, data = timed(lambda: services.report("site-01", first, last))
        all_count, n_all = timed(
            lambda: db.session.execute(all_sql, {"a": first, "b": last}).scalar_one()
        )
        all_report, _ = timed(lambda: [services.report(s, first, last) for s in slugs], repeat=1)
    for label, spent, counted in (
        (f"one site ({n_one} tickets)", one_report, one_count),
        (f"all {sites} sites ({n_all} tickets)", all_report, all_count),
    ):
        print(
            f"30 days, {label}: report {spent * 1000:.0f} ms, "
            f"count(*) {counted * 1000:.1f} ms, ratio {spent / counted:.0f}x"
        )
    assert data["headline"]["checked_in"] == n_one
    client = app.test_client()
    client.post("/api/login", json={"username": "manager", "password": PASSWORD})
    answer = client.get(f"/api/sites/site-01/reports?from={first}&to={last}")
    page = client.get(f"/reports?site=site-01&range=custom&from={first}&to={last}")
    print(
        f"one site's 30-day report: JSON {len(answer.data) / 1024:.1f} KB, "
        f"page {len(page.data) / 1024:.1f} KB (status {page.status_code})"
    )
    print(json.dumps(data["headline"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--visits", type=int, default=60, help="visits a day per site")
    args = parser.parse_args()
    url = fresh_postgres("waitroom_bench_reports")
    app = build(url, args.sites)
    start = time.perf_counter()
    made = generate(app, args.days, args.visits)
    spent = time.perf_counter() - start
    print(f"generated {made} visits ({args.sites} sites x {args.days} days) in {spent:.0f} s")
    measure(app, args.sites)


if __name__ == "__main__":
    main()
