"""The predictors on hand-made snapshots: naive, queue length, and the forward simulation."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from statistics import median

import pytest

from server.domain.estimate import (
    Calibration,
    Estimate,
    ExpectedAppointment,
    Occupant,
    PostedDelay,
    QueueSnapshot,
    RoomState,
    WaitingTicket,
    extend_line,
    fit_calibration,
    line_estimates,
    naive_estimates,
    queue_length_estimates,
    queue_length_wait,
    simulated_estimates,
    simulated_waits,
    summarise,
)
from server.domain.history import History, NoShowByWait, learn

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


def test_the_queue_length_predictor_gives_no_free_room_before_the_clinic_opens():
    # Half an hour before opening, the first in line waits for the opening and a cycle.
    opens = NOW + timedelta(minutes=30)
    before = snap(waiting("G", 1, since=5), [RoomState("r1", ("G",))], closures=((NOW, opens),))
    estimate = queue_length_estimates(before, MODEL).tickets[1]
    assert estimate.central == round(30 + MODEL.cycle_minutes("G"))
    assert estimate.low >= 30


def test_the_queue_length_predictor_gives_no_free_room_in_a_break():
    back = NOW + timedelta(minutes=45)
    lunch = snap(waiting("G", 1), [idle("r1")], closures=((minutes_ago(15), back),))
    assert queue_length_estimates(lunch, MODEL).tickets[1].central >= 45


def test_a_room_late_to_start_is_not_free_for_the_queue_length_predictor():
    # Open for 20 minutes, the room has called nobody though a patient waits 30.
    late = snap(waiting("G", 1), [RoomState("r1", ("G",))], session_opened_at=minutes_ago(20))
    estimate = queue_length_estimates(late, MODEL).tickets[1]
    assert estimate.central == round(MODEL.cycle_minutes("G"))
    # Nobody waiting: nothing says the room is late, and the next to come is called.
    quiet = snap([], [RoomState("r1", ("G",))], session_opened_at=minutes_ago(20))
    assert queue_length_estimates(quiet, MODEL).services["G"].central == 0


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


def called(code, minutes_called, waited=10, service="G"):
    """A room that called a patient `minutes_called` ago who is not in it yet."""
    called_at = minutes_ago(minutes_called)
    occupant = Occupant(service, called_at, None, called_at - timedelta(minutes=waited))
    return RoomState(code, (service,), occupant=occupant)


def test_a_patient_called_longer_ago_than_anyone_walks_is_taken_for_a_no_show():
    # A patient called 4 minutes ago and not in the room: everyone who came took at most
    # 2 minutes to walk in (the prior), so the room frees when the desk marks the no-show.
    line = waiting("G", 1)
    just_called = simulated_estimates(snap(line, [called("r1", 0.2)]), MODEL).tickets[1]
    long_called = simulated_estimates(snap(line, [called("r1", 4)]), MODEL).tickets[1]
    assert just_called.central >= 10  # most come: a visit first
    assert long_called.high <= 5  # a minute or so to be marked, then the call


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


def test_every_process_gives_the_same_queue_the_same_estimates():
    # String hashing is salted per process: no set's order may reach the draws, or a
    # check-in on one process and the refresh on another would disagree.
    script = (
        "from tests.domain.test_estimate_predictors import *\n"
        "queue = snap([*waiting('G', 6), *waiting('N', 6, first_id=10)],"
        " [seeing('r1'), RoomState('t', ('G', 'N'))])\n"
        "print(simulated_estimates(queue, MODEL, seed=3).tickets)"
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(salt)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for salt in (1, 2, 3)
    }
    assert len(answers) == 1, answers


def test_the_simulation_keeps_its_work_bounded_for_a_long_queue():
    s = snap(waiting("G", 400, since=400), [seeing(f"r{i}") for i in range(8)])
    draws = simulated_waits(s, MODEL, runs=200)
    assert 50 <= len(draws[1]) < 200


# --- A newcomer's own lines, simulated at once ---------------------------------------


def test_the_lines_of_a_service_are_those_its_rooms_share():
    rooms = [
        RoomState("r1", ("G",)),
        RoomState("r2", ("G", "N")),
        RoomState("t", ("N", "V")),
        RoomState("lab", ("B",)),
    ]
    queue = snap([*waiting("V", 2), *waiting("B", 2, first_id=10)], rooms)
    part = queue.for_lines({"G"})
    assert [r.code for r in part.rooms] == ["r1", "r2", "t"]
    assert {t.service for t in part.waiting} == {"V"}
    assert [r.code for r in queue.for_lines({"B"}).rooms] == ["lab"]


def test_a_newcomer_is_estimated_for_their_place_and_as_the_whole_queue_would_be():
    # Eight in a row for one line of two rooms, beside a busy line that shares no room.
    rooms = [seeing("r1"), seeing("r2"), seeing("lab", "N")]
    queue = snap([*waiting("G", 8), *waiting("N", 20, first_id=100)], rooms)
    whole = simulated_estimates(queue, MODEL, seed=7)
    for place in range(1, 9):
        own = line_estimates(queue, MODEL, {place}, seed=7)
        assert set(own.tickets) == {place}
        # Fewer runs than the whole queue's 200: the same forecast, within its noise.
        assert abs(own.tickets[place].central - whole.tickets[place].central) <= 3
    last = line_estimates(queue, MODEL, {8}, seed=7)
    assert last.tickets[8].central > line_estimates(queue, MODEL, {7}, seed=7).tickets[7].central
    assert set(last.services) == {"G"}  # the wait for one joining that line next


def test_an_appointment_patient_come_early_waits_longer_than_one_joining_now():
    # Booked for 09:20 and here at 09:00: placed at 09:20, behind the walk-ins who come
    # before then. The wait for one joining the line now (a walk-in's) is not theirs.
    expecting = replace(MODEL, walk_ins_per_hour={"G": 12.0})
    slot = NOW + timedelta(minutes=20)
    early = WaitingTicket(99, "G", slot, NOW, appointment_at=slot)
    queue = snap([*waiting("G", 6), early], [seeing("r1"), seeing("r2")])
    own = line_estimates(queue, expecting, {99}, seed=7)
    assert own.tickets[99].central >= own.services["G"].central + 10
    whole = simulated_estimates(queue, expecting, seed=7)
    assert abs(own.tickets[99].central - whole.tickets[99].central) <= 2


def test_one_joining_behind_the_last_waits_one_place_more_with_a_range_in_proportion():
    last = Estimate(central=100, low=90, high=120)
    following = extend_line(last, 5.0)
    assert following == Estimate(central=105, low=94, high=126)
    # Behind one about to be called, the range is no narrower than one place.
    assert extend_line(Estimate(0, 0, 1), 4.4) == Estimate(4, 0, 5)


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


def test_those_ahead_who_have_waited_long_are_likelier_no_shows():
    # A site where 1 in 3 called after an hour of waiting was gone, nobody sooner: twelve
    # who came an hour and a half ago, and three who came just now.
    rooms = [seeing("g1"), seeing("g2")]
    flat = replace(MODEL, no_show_rate=0.0, no_show_by_wait=None)
    by_wait = replace(flat, no_show_by_wait=NoShowByWait((60.0,), (0.0, 1 / 3)))
    long_ago, just_now = waiting("G", 12, since=90), waiting("G", 3, since=3)
    medians = {
        (name, model): median(simulated_waits(snap(line, rooms), m, runs=200, seed=3)[line[-1].id])
        for name, line in (("long ago", long_ago), ("just now", just_now))
        for model, m in (("flat", flat), ("by wait", by_wait))
    }
    # Gone patients take a room minutes, not a visit: the wait behind them is shorter.
    assert medians["long ago", "by wait"] < 0.85 * medians["long ago", "flat"]
    # Those who came just now are called within the hour, when nobody was gone.
    assert medians["just now", "by wait"] == pytest.approx(medians["just now", "flat"], abs=1)


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
