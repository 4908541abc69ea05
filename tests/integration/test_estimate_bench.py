"""Small, fast runs of the estimate benchmarks: they run, they log only what a server
would know, and the simulation beats naive."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from bench import by_place
from bench.clinic import Burst, Event, Scenario, ServiceSpec, hm, simulate_day
from bench.estimates import (
    BUSY_URGENT_CARE,
    DISRUPTED,
    MIXED,
    PREDICTORS,
    SCENARIOS,
    URGENT_CARE,
    PastDay,
    ServerView,
    history_at,
    remote_figures,
    remote_lines,
    run_benchmark,
    score,
    table,
    targets,
)
from bench.shown import LABELS, STAFF, Driver, SimClock, make_app, run_day, site_text
from bench.shown import table as shown_table
from bench.shown import targets as shown_targets
from server import services
from server.domain.history import learn
from server.extensions import db
from server.sites.schema import parse_site_text
from server.storage import queries

ORIGINAL = SCENARIOS[:3]


def test_a_small_benchmark_run_prints_the_table_and_the_simulation_beats_naive():
    bench = run_benchmark(calibration_days=1, test_days=1, runs=40, jobs=1, scenarios=(0, 1, 2))
    assert set(bench.results) == {s.name for s in ORIGINAL}
    pooled = [row for rows in bench.results.values() for row in rows]
    assert len(pooled) > 300
    assert score(pooled, "simulation").mae < score(pooled, "naive").mae
    printed = table(bench.results)
    for name in [*(s.name for s in ORIGINAL), *PREDICTORS]:
        assert name in printed
    assert len(targets(bench.results)) == 12
    assert 0 < bench.calibration.low < bench.calibration.central < bench.calibration.high < 1


def test_each_booking_is_tracked_by_itself_where_rooms_share_a_slot_grid():
    log = simulate_day(MIXED, 0, 2000)
    view = ServerView(log)
    for event in log.events:
        view.apply(event)
    came = set(view.arrived_appointments)
    slots = Counter(log.appointments)
    shared = [b for b, slot in enumerate(log.appointments) if slots[slot] > 1]
    # Three GP rooms book the same times: some of a slot's patients came, some did not.
    assert any(b in came for b in shared) and any(b not in came for b in shared)
    # The snapshot still expects a booking whose slot-mate came, and not the one who came.
    before = log.at(hm("08:00")) - (log.at(0) - log.day)
    first_came = min(came)
    expected = view.snapshot(before).appointments
    assert sum(1 for a in expected if (a.service, a.starts_at) == log.appointments[first_came]) == (
        slots[log.appointments[first_came]]
        - sum(1 for b in came if log.appointments[b] == log.appointments[first_came])
    )


def test_the_learnt_show_rate_is_the_share_of_bookings_that_came():
    past = [PastDay.of(simulate_day(MIXED, -k, 2000 * 100 + k)) for k in range(2, 0, -1)]
    today = ServerView(simulate_day(MIXED, 0, 2000))
    history = history_at(today.log.at(hm("12:00")), today, past)
    came = sum(a.arrived_at is not None for a in history.appointments) / len(history.appointments)
    assert 0.83 < came < 0.93  # the scenario's 12% never come
    # Keyed by (service, time), one arrival marked all of a slot's bookings: 0.97 to 0.99.
    assert abs(learn(history).show_rate - came) < 0.01


def test_an_interruption_nobody_announced_is_not_in_the_log():
    logs = [simulate_day(DISRUPTED, d, 2000 + d) for d in range(3)]
    assert sum(log.unannounced_interruptions for log in logs) > 0  # they happen ...
    for log in logs:
        pauses = [e for e in log.events if e.kind == "pause"]
        notices = {(e.at, e.room) for e in log.events if e.kind == "notice"}
        # ... but only a pause staff announced (with a posted delay) reaches the server.
        assert len(pauses) <= 1
        assert all((p.at, p.room) in notices for p in pauses)


def test_the_busy_urgent_care_waits_forty_to_sixty_minutes_with_an_evening_peak():
    waits: list[float] = []
    evening: list[float] = []
    for seed in range(5000, 5010):
        log = simulate_day(BUSY_URGENT_CARE, seed % 1000, seed)
        arrived = {e.ticket: e.at for e in log.events if e.kind == "check_in"}
        for e in log.events:
            if e.kind == "call" and e.ticket in arrived:
                wait = (e.at - arrived.pop(e.ticket)).total_seconds() / 60
                waits.append(wait)
                if e.at >= log.at(hm("18:00")):
                    evening.append(wait)
    assert 40 <= statistics.fmean(waits) <= 60
    assert statistics.fmean(evening) > statistics.fmean(waits)


TINY = Scenario(
    name="tiny clinic",
    services=(ServiceSpec("T", 10, median=9, sigma=0.4, walk_ins=lambda m: 8.0),),
    rooms=(("t1", ("T",)), ("t2", ("T",))),
    sessions=((hm("08:00"), hm("09:00")),),
    bursts=(Burst("T", hm("08:00") + 0.5, 10, 1.0),),
)


def test_a_small_run_of_the_shown_mode_scores_what_the_services_showed():
    day = run_day(TINY, 2000, runs=60)
    predictor, first, every = (day.rows[label] for label in LABELS)
    # Every patient called was shown an estimate at check-in, recorded in shown_estimates.
    assert len(first) == len(predictor) >= 10
    assert len(every) > len(first)
    assert all(row.actual >= 0 for row in every)
    # A refresh after each change (none is closer than a second to the next here), and
    # the slow tick while the clinic is open.
    assert 0 < day.refreshes <= day.events and day.ticks >= 60
    results = {TINY.name: day.rows}
    printed = shown_table(results)
    for label in LABELS:
        assert label in printed
    assert len(shown_targets(results)) == 1 + 2 * 3 + 1


def test_the_place_mode_scores_every_waiting_patient_at_every_step_by_place():
    rows = by_place.score_day(TINY, 2000, fixed_seed=None, runs=60)
    # The burst's ten wait together: the first in line and some far behind, many times.
    assert {by_place.place_band(r.place) for r in rows} >= {"1", "2-3", "4-8"}
    assert all(r.actual >= 0 and r.low <= r.central <= r.high for r in rows)
    assert len(rows) > 3 * len({r.place for r in rows})
    printed = by_place.table(rows)
    assert "| 1 |" in printed and "| all |" in printed
    # One fixed seed for every estimate changes the draws, not what is scored.
    fixed = by_place.score_day(TINY, 2000, fixed_seed=7, runs=60)
    assert [(r.place, r.actual) for r in fixed] == [(r.place, r.actual) for r in rows]
    assert [r.central for r in fixed] != [r.central for r in rows]


# --- Remote patients ---------------------------------------------------------------


def test_remote_patients_are_never_called_before_they_arrive_and_are_held_or_moved_back():
    log = simulate_day(replace(BUSY_URGENT_CARE, remote_share=0.2), 0, 2000)
    remote = {e.ticket for e in log.events if e.kind == "check_in" and e.travel_minutes}
    assert 20 < len(remote) < 80  # about a fifth of the day's walk-ins
    arrived = {e.ticket: e.at for e in log.events if e.kind == "arrive"}
    left = {e.ticket: e.at for e in log.events if e.kind == "leave"}
    for e in log.events:
        if e.kind == "call" and e.ticket in remote:
            assert left[e.ticket] < arrived[e.ticket] <= e.at
    kinds = Counter(e.kind for e in log.events)
    assert kinds["held"] > 0 and kinds["moved_back"] > 0 and kinds["advice"] > 0
    # The truth kept beside the log matches it.
    assert {r.ticket for r in log.remote} == remote
    held = {e.ticket for e in log.events if e.kind == "held"}  # once or more each
    assert {r.ticket for r in log.remote if r.held} == held
    # With no remote share, the day is the day it always was.
    plain = simulate_day(BUSY_URGENT_CARE, 0, 2000)
    assert not any(e.travel_minutes for e in plain.events) and not plain.remote


def test_the_server_view_gives_the_forecast_remote_tickets_as_the_server_does():
    log = simulate_day(replace(URGENT_CARE, remote_share=0.3), 0, 2000)
    view = ServerView(log)
    seen_coming = seen_held = 0
    for event in log.events:
        view.apply(event)
        if event.kind == "check_in" and event.travel_minutes:
            ticket = next(t for t in view.snapshot(event.at).waiting if t.id == event.ticket)
            assert ticket.coming is not None
            # Not told yet and no time to set off shown yet: expected a trip after joining.
            assert ticket.coming.expected_at == event.at + timedelta(minutes=event.travel_minutes)
            seen_coming += 1
        if event.kind == "held":
            ticket = next(t for t in view.snapshot(event.at).waiting if t.id == event.ticket)
            assert ticket.coming is not None and ticket.coming.held_at == event.at
            seen_held += 1
        if event.kind == "arrive":
            ticket = next(t for t in view.snapshot(event.at).waiting if t.id == event.ticket)
            assert ticket.coming is None
    assert seen_coming > 0 and seen_held > 0
    # --remote-blind: the forecast as before it knew remote tickets, all counted as here.
    blind = ServerView(log, remote_blind=True)
    for event in log.events:
        blind.apply(event)
        if event.kind == "held":
            assert all(t.coming is None for t in blind.snapshot(event.at).waiting)


def test_a_small_run_with_remote_patients_reports_who_came_in_time_and_their_wait():
    bench = run_benchmark(
        calibration_days=1, test_days=1, runs=40, jobs=1, scenarios=(3,), remote_share=0.2
    )
    figures = remote_figures(bench.remote[BUSY_URGENT_CARE.name])
    assert figures is not None and figures.joined > 20
    assert 0 < figures.in_time < 1 and figures.in_time + figures.held == pytest.approx(1)
    # Those who waited at home and came in time waited far less in the room than those
    # who came in person.
    assert figures.waited_home > 0
    assert 0 < figures.waited_home_room_wait < figures.in_person_wait
    lines = remote_lines(bench)
    assert len(lines) == 2 and "arrived before their turn" in lines[1]


def test_the_shown_mode_posts_and_clears_a_delay_notice_through_the_service(tmp_path):
    # The disrupted clinic's notices: a day of it is too long for a test, its events not.
    log = simulate_day(TINY, 0, 2000)
    clock = SimClock(log.day + timedelta(hours=8, minutes=10))
    app = make_app(tmp_path, clock)
    with app.app_context():
        db.create_all()
        services.load_site(parse_site_text(site_text(TINY)))
        staff = services.add_user(STAFF, "bench password, not a secret", "staff", ["bench"])
        driver = Driver(log, clock, staff.id)
        assert driver.apply(
            Event(clock.now, "notice", notice=1, scope="room", room="t1", minutes=20)
        )
        site = queries.get_site("bench")
        [posted] = queries.active_notices(site.id)
        assert (posted.scope, posted.room.code, posted.expected_minutes) == ("room", "t1", 20)
        assert driver.apply(Event(clock.now, "clear", notice=1))
        assert queries.active_notices(queries.get_site("bench").id) == []
        db.session.remove()
        db.engine.dispose()
