"""The forecast at every moment of a wait, by place in line, and what its seed does.

    python -m bench.by_place --only "busy urgent care"           # seeds 2000-2001
    python -m bench.by_place --only "busy urgent care" --first 2002 --days 4
    python -m bench.by_place --only "busy urgent care" --seed 7  # one fixed seed

bench/estimates.py scores each patient's estimate at check-in; bench/shown.py every
promise the server recorded, which a refresh records only when it moves. Here the
replay of each test day (with bench/shown.py's bursts) stops every STEP, and every
waiting patient who was later called is scored at that moment, by their place in their
line: what a patient looking at their phone at a random moment was told. Each estimate
is drawn from a seed of its own (`--seed moment`, the default), or from one fixed seed
for every estimate (`--seed N`, as the server did before `services.estimates.seed_for`):
the difference between the two is the bias the shared Monte Carlo error adds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.clinic import Scenario, simulate_day
from bench.estimates import HISTORY_DAYS, SCENARIOS, PastDay, ServerView, history_at
from bench.shown import with_bursts
from server.domain.estimate import (
    DEFAULT_CALIBRATION,
    Calibration,
    WaitingTicket,
    simulated_waits,
    summarise,
)
from server.domain.history import ClinicModel, learn, minutes

STEP = timedelta(seconds=90)
MODEL_EVERY = timedelta(minutes=30)  # the pace learnt again, as bench/estimates.py does
PLACES = ((1, 1), (2, 3), (4, 8), (9, 16), (17, 10_000))


@dataclass(frozen=True)
class Scored:
    place: int
    actual: float
    central: int
    low: int
    high: int


def place_band(place: int) -> str:
    low, high = next(band for band in PLACES if band[0] <= place <= band[1])
    return str(low) if low == high else f"{low}+" if high >= 10_000 else f"{low}-{high}"


def score_day(scenario: Scenario, seed: int, fixed_seed: int | None, runs: int) -> list[Scored]:
    day_index = seed % 1000
    past = [
        PastDay.of(simulate_day(scenario, day_index - k, seed * 100 + k))
        for k in range(HISTORY_DAYS, 0, -1)
    ]
    log = simulate_day(scenario, day_index, seed)
    calls: dict[int, datetime] = {}
    for event in log.events:
        if event.kind == "call" and event.ticket is not None:
            calls.setdefault(event.ticket, event.at)
    view = ServerView(log)
    events = iter(log.events)
    upcoming = next(events, None)
    model: tuple[datetime, ClinicModel] | None = None
    found: list[Scored] = []
    now, end = log.events[0].at, log.events[-1].at
    while now < end:
        while upcoming is not None and upcoming.at <= now:
            view.apply(upcoming)
            upcoming = next(events, None)
        if model is None or now - model[0] >= MODEL_EVERY:
            model = (now, learn(history_at(now, view, past)))
        snapshot = view.snapshot(now)
        if snapshot.waiting:
            moment = zlib.crc32(f"{seed}:{now.isoformat()}".encode())
            draws = simulated_waits(
                snapshot, model[1], runs=runs, seed=moment if fixed_seed is None else fixed_seed
            )
            found += _scored(snapshot.waiting, draws, calls, now, DEFAULT_CALIBRATION)
        now += STEP
    return found


def _scored(
    waiting: Sequence[WaitingTicket],
    draws: dict[int | str, list[float]],
    calls: dict[int, datetime],
    now: datetime,
    calibration: Calibration,
) -> list[Scored]:
    places: dict[str, int] = defaultdict(int)
    found = []
    for ticket in sorted(waiting, key=lambda t: (-t.priority, t.queue_at, t.arrived_at, t.id)):
        places[ticket.service] += 1
        if ticket.id not in calls:
            continue
        estimate = summarise(draws[ticket.id], calibration)
        actual = minutes(calls[ticket.id], now)
        found.append(
            Scored(places[ticket.service], actual, estimate.central, estimate.low, estimate.high)
        )
    return found


def table(rows: Sequence[Scored]) -> str:
    lines = [
        "| place in line | moments | below low | below central | above high | coverage | bias |",
        "|---|---|---|---|---|---|---|",
    ]
    by_band: dict[str, list[Scored]] = defaultdict(list)
    for row in rows:
        by_band[place_band(row.place)].append(row)
    for band in [place_band(low) for low, _ in PLACES] + ["all"]:
        group = rows if band == "all" else by_band.get(band, [])
        if not group:
            continue
        n = len(group)
        below = sum(r.actual < r.low for r in group) / n
        above = sum(r.actual > r.high for r in group) / n
        lines.append(
            f"| {band} | {n} | {below:.1%} | {sum(r.actual < r.central for r in group) / n:.1%} "
            f"| {above:.1%} | {1 - below - above:.1%} | "
            f"{statistics.fmean(r.central - r.actual for r in group):+.1f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these scenarios")
    parser.add_argument("--days", type=int, default=2, help="how many test days")
    parser.add_argument("--first", type=int, default=2000, help="the first test day's seed")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--seed", default="moment", help="'moment': a seed per estimate; or one fixed seed"
    )
    args = parser.parse_args(argv)
    fixed = None if args.seed == "moment" else int(args.seed)
    for scenario in SCENARIOS:
        if args.only and scenario.name not in args.only:
            continue
        rows = [
            r
            for d in range(args.days)
            for r in score_day(with_bursts(scenario), args.first + d, fixed, args.runs)
        ]
        last = args.first + args.days - 1
        print(f"{scenario.name}, test days {args.first}-{last}, seed {args.seed}, every {STEP}:")
        print(table(rows))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
