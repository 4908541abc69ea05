"""The predictors on hand-made snapshots: naive, queue length, and the forward simulation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from statistics import median

import pytest

from server.domain.estimate import (
    Calibration,
    ExpectedAppointment,
    Occupant,
    PostedDelay,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
    fit_calibration,
    naive_estimates,
    queue_length_estimates,
    queue_length_wait,
    simulated_estimates,
    simulated_waits,
    summarise,
)
from server.domain.history import History, learn

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MODEL = learn(History(typical_minutes={"G": 15, "N": 10}))
TYPICAL = {"G": 15, "N": 10}


def minutes_ago(m):
    return NOW - timedelta(minutes=m)


def waiting(service, count, first_id=1, since=30):
    return tuple(
        WaitingTicket(first_id + i, service, minutes_ago(since - i), minutes_ago(since - i))
        for i in range(count)
    )


def seeing(code, service="G", started=5, free_since=None):
    occupant = Occupant(service, minutes_ago(started + 1), minutes_ago(started))
    return RoomState(code, (service,), occupant=occupant, free_since=free_since)


def idle(code, service="G"):
    return RoomState(code, (service,), free_since=NOW)


def paused(code, service="G"):
    return RoomState(code, (service,), paused=True, paused_since=NOW)


def snap(tickets, rooms, **extra):
    return QueueSnapshot(NOW, tuple(tickets), tuple(rooms), **extra)


def central(predictions, ticket_id):
    return predictions.tickets[ticket_id].central


# --- An idle room means no wait ---------------------------------------------------


def test_an_idle_room_means_no_wait_in_the_simulation():
    estimate = simulated_estimates(snap(waiting("G", 1), [idle("r1")]), MODEL).tickets[1]
    assert estimate.central <= 1
    assert estimate.high <= 3


def test_an_idle_room_means_no_wait_for_the_queue_length_predictor():
    estimate = queue_length_estimates(snap(waiting("G", 1), [idle("r1")]), MODEL).tickets[1]
    assert estimate.central == 0


def test_the_queue_length_predictor_counts_one_more_cycle_than_patients_ahead():
    # Two ahead of two busy rooms: three rooms must come free in turn.
    assert queue_length_wait(2, 0, 2, 20).central == 30
    assert queue_length_wait(2, 2, 2, 20).central == 10  # two idle rooms take two of them


# --- A paused room lengthens waits ------------------------------------------------


@pytest.mark.parametrize(
    "predict",
    [
        lambda s: naive_estimates(s, TYPICAL),
        lambda s: queue_length_estimates(s, MODEL),
        lambda s: simulated_estimates(s, MODEL),
    ],
    ids=["naive", "queue length", "simulation"],
)
def test_a_paused_room_lengthens_waits(predict):
    tickets = waiting("G", 6)
    open_rooms = predict(snap(tickets, [seeing("r1"), seeing("r2")]))
    one_paused = predict(snap(tickets, [seeing("r1"), paused("r2")]))
    assert central(one_paused, 6) > central(open_rooms, 6)


def test_a_pause_already_longer_than_most_is_expected_to_run_on():
    """The site's pauses are learnt: mostly 10 minutes, sometimes an hour. One that has
    lasted 20 minutes is one of the long ones."""
    model = learn(History(typical_minutes=TYPICAL, pause_minutes=[10.0] * 30 + [60.0] * 10))
    tickets = waiting("G", 2)
    fresh = RoomState("r1", ("G",), paused=True, paused_since=NOW)
    long = RoomState("r1", ("G",), paused=True, paused_since=minutes_ago(20))
    assert central(simulated_estimates(snap(tickets, [long]), model), 1) > central(
        simulated_estimates(snap(tickets, [fresh]), model), 1
    )


# --- A posted delay moves that service's estimates and no others -------------------


def _two_lines(delays=()):
    tickets = waiting("G", 3) + waiting("N", 3, first_id=10)
    rooms = [seeing("g1"), seeing("g2"), seeing("n1", "N")]
    return snap(tickets, rooms, delays=tuple(delays))


@pytest.mark.parametrize(
    "predict",
    [lambda s: queue_length_estimates(s, MODEL), lambda s: simulated_estimates(s, MODEL)],
    ids=["queue length", "simulation"],
)
def test_a_posted_30_minute_delay_moves_that_services_estimates_and_no_others(predict):
    before = predict(_two_lines())
    after = predict(_two_lines([PostedDelay("service", "G", NOW, 30)]))
    assert central(after, 1) >= central(before, 1) + 20
    for ticket in (1, 2, 3):  # nobody in the line is called before the delay runs out
        assert central(after, ticket) >= 30 > central(before, ticket)
    for ticket in (10, 11, 12):
        assert after.tickets[ticket] == before.tickets[ticket]


def test_a_posted_delay_counts_only_what_is_left_of_it():
    half_gone = PostedDelay("service", "G", minutes_ago(20), 30)
    estimate = queue_length_estimates(_two_lines([half_gone]), MODEL).tickets[1]
    fresh = queue_length_estimates(_two_lines([PostedDelay("service", "G", NOW, 30)]), MODEL)
    assert estimate.central == fresh.tickets[1].central - 20


def test_a_room_delay_keeps_that_room_from_calling_until_it_runs_out():
    tickets = waiting("G", 1)
    delayed = snap(tickets, [idle("r1")], delays=(PostedDelay("room", "r1", NOW, 25),))
    assert central(simulated_estimates(delayed, MODEL), 1) >= 25


# --- What the simple predictors ignore --------------------------------------------


def test_time_already_spent_in_the_room_shortens_the_wait():
    tickets = waiting("G", 1)
    nearly_done = simulated_estimates(snap(tickets, [seeing("r1", started=25)]), MODEL)
    just_started = simulated_estimates(snap(tickets, [seeing("r1", started=0.5)]), MODEL)
    assert central(nearly_done, 1) < central(just_started, 1)


def test_a_booked_patient_on_time_is_expected_to_come_ahead_of_a_walk_in():
    walk_in = (WaitingTicket(1, "G", minutes_ago(2), minutes_ago(2)),)
    rooms = [seeing("r1", started=5)]
    alone = simulated_estimates(snap(walk_in, rooms), MODEL)
    booked = snap(walk_in, rooms, appointments=(ExpectedAppointment("G", minutes_ago(4)),))
    assert central(simulated_estimates(booked, MODEL), 1) > central(alone, 1)


def test_nobody_is_called_while_the_site_is_closed():
    tickets = waiting("G", 1, since=5)
    closed = snap(tickets, [idle("r1")], closures=((NOW, NOW + timedelta(minutes=45)),))
    assert central(simulated_estimates(closed, MODEL), 1) >= 45


def test_a_patient_arriving_now_is_estimated_per_service():
    result = simulated_estimates(snap(waiting("G", 4), [seeing("r1")]), MODEL)
    assert result.services["G"].central > result.tickets[4].central


def test_the_simulation_is_deterministic_for_a_seed():
    s = snap(waiting("G", 5), [seeing("r1"), seeing("r2")])
    assert simulated_waits(s, MODEL, seed=7) == simulated_waits(s, MODEL, seed=7)
    assert simulated_waits(s, MODEL, seed=7) != simulated_waits(s, MODEL, seed=8)


def test_the_simulation_keeps_its_work_bounded_for_a_long_queue():
    s = snap(waiting("G", 400, since=400), [seeing(f"r{i}") for i in range(8)])
    draws = simulated_waits(s, MODEL, runs=200)
    assert 50 <= len(draws[1]) < 200


# --- Calibration ------------------------------------------------------------------


def test_summarise_shows_the_calibrated_quantiles_in_whole_minutes():
    draws = [float(m) for m in range(101)]
    assert summarise(draws, Calibration(0.1, 0.5, 0.9)).as_dict() == {
        "central": 50,
        "low": 10,
        "high": 90,
    }


def test_calibration_widens_an_interval_that_held_too_few_waits():
    # The simulation says 40..60 but actual waits spread 20..80: the fitted levels move out.
    draws = [40.0 + m / 5 for m in range(101)]
    outcomes = [(draws, 20.0 + a * 0.6) for a in range(101)]
    fitted = fit_calibration(outcomes)
    assert fitted.low < 0.1
    assert fitted.high > 0.9
    assert fitted.central == pytest.approx(0.5, abs=0.05)


def test_patients_who_give_up_waiting_shorten_the_waits_behind_them():
    line = waiting("G", 12)
    rooms = [seeing("g1"), seeing("g2")]
    staying = simulated_waits(snap(line, rooms), MODEL, runs=200, seed=3)
    leaving = replace(MODEL, leave_per_minute=1 / 120)  # half of them gone within 80 minutes
    giving_up = simulated_waits(snap(line, rooms), leaving, runs=200, seed=3)
    last = line[-1].id
    assert median(giving_up[last]) < 0.85 * median(staying[last])
    # The first in line is reached when the room is next free, whoever left.
    assert median(giving_up[line[0].id]) == pytest.approx(median(staying[line[0].id]), abs=1)
