"""Routes on small hand-made maps: quickest and step-free ways, walking time, and
turn-by-turn steps told relative to the way the walker faces."""

from __future__ import annotations

import copy

import pytest

from server.domain.errors import NotFound
from server.domain.wayfinding import (
    DOOR_SECONDS,
    STAIRS_SPEED,
    WALKING_SPEED,
    Action,
    EdgeKind,
    Mode,
    NoRoute,
    Side,
    SiteMap,
    Turn,
    facing_degrees,
    turn_between,
)


def names(en):
    return {"en": en, "es": en}


# Two floors. The kiosk stands at the west end of a corridor running east; the stairs
# are near it, the elevator far along. Room X is upstairs, off the middle of the
# upstairs corridor, so the stairs are quicker and the elevator is the step-free way.
#
#   ground:  k(0,10) -- a(10,10) -- b(20,10) -- c(30,10)        r1 door north of b
#                       |stairs                 |elevator (30 s)
#   level 1:           s1(10,10) -- u(20,10) -- e1(30,10)       x door south of u
TWO_FLOORS = {
    "floors": [
        {"code": "g", "level": 0, "name": names("Ground floor"), "width": 40, "height": 20},
        {"code": "one", "level": 1, "name": names("Level 1"), "width": 40, "height": 20},
    ],
    "nodes": [
        {"id": "k", "floor": "g", "x": 0, "y": 10, "landmark": names("the kiosks")},
        {"id": "a", "floor": "g", "x": 10, "y": 10, "landmark": names("the stairs")},
        {"id": "b", "floor": "g", "x": 20, "y": 10},
        {"id": "c", "floor": "g", "x": 30, "y": 10, "landmark": names("the elevators")},
        {"id": "r1", "floor": "g", "x": 20, "y": 5},
        {"id": "s1", "floor": "one", "x": 10, "y": 10, "landmark": names("the stairs")},
        {"id": "u", "floor": "one", "x": 20, "y": 10, "landmark": names("the café")},
        {"id": "e1", "floor": "one", "x": 30, "y": 10, "landmark": names("the elevators")},
        {"id": "x", "floor": "one", "x": 20, "y": 15},
    ],
    "edges": [
        {"from": "k", "to": "a"},
        {"from": "a", "to": "b"},
        {"from": "b", "to": "c"},
        {"from": "b", "to": "r1", "kind": "door"},
        {"from": "a", "to": "s1", "kind": "stairs", "length": 8},
        {"from": "c", "to": "e1", "kind": "elevator", "seconds": 30},
        {"from": "s1", "to": "u"},
        {"from": "u", "to": "e1"},
        {"from": "u", "to": "x", "kind": "door"},
    ],
    "destinations": [
        {"code": "room-1", "kind": "room", "node": "r1", "name": names("Room 1")},
        {"code": "x-ray", "kind": "other", "node": "x", "name": names("X-ray")},
    ],
    "kiosks": [{"code": "entrance", "node": "k", "facing": "south"}],
}


def site_map(data=TWO_FLOORS):
    return SiteMap.from_data(data)


def route_from_kiosk(to, mode=Mode.SHORTEST, data=TWO_FLOORS):
    the_map = site_map(data)
    node, heading = the_map.place("entrance")
    return the_map.route(node, the_map.destination(to).node, mode, heading)


def changed(**changes):
    data = copy.deepcopy(TWO_FLOORS)
    for key, value in changes.items():
        data[key] = value
    return data


# --- Which way -------------------------------------------------------------------


def test_the_shortest_route_takes_the_stairs():
    route = route_from_kiosk("x-ray")

    assert route.nodes == ("k", "a", "s1", "u", "x")
    assert EdgeKind.STAIRS in route.kinds


def test_the_step_free_route_takes_the_elevator_and_never_the_stairs():
    route = route_from_kiosk("x-ray", Mode.STEP_FREE)

    assert route.nodes == ("k", "a", "b", "c", "e1", "u", "x")
    assert EdgeKind.STAIRS not in route.kinds
    assert EdgeKind.ELEVATOR in route.kinds


def test_the_step_free_route_is_longer_in_time_and_distance():
    shortest = route_from_kiosk("x-ray")
    step_free = route_from_kiosk("x-ray", Mode.STEP_FREE)

    assert step_free.seconds > shortest.seconds
    assert step_free.metres > shortest.metres


def test_an_escalator_is_never_step_free_even_if_the_map_says_so():
    data = copy.deepcopy(TWO_FLOORS)
    data["edges"][4] = {"from": "a", "to": "s1", "kind": "escalator", "length": 8}
    data["edges"][4]["step_free"] = True

    route = route_from_kiosk("x-ray", Mode.STEP_FREE, data)

    assert EdgeKind.ESCALATOR not in route.kinds


def test_an_edge_marked_not_step_free_is_avoided_in_step_free_mode():
    data = copy.deepcopy(TWO_FLOORS)
    data["edges"][1]["step_free"] = False  # a kerb between a and b

    with pytest.raises(NoRoute) as refused:
        route_from_kiosk("room-1", Mode.STEP_FREE, data)

    assert refused.value.code == "no_step_free_route"
    assert refused.value.status == 422
    assert "no step-free way" in refused.value.message
    assert route_from_kiosk("room-1", Mode.SHORTEST, data).nodes == ("k", "a", "b", "r1")


WITHOUT_ELEVATOR = [e for e in TWO_FLOORS["edges"] if e.get("kind") != "elevator"]


def test_with_only_stairs_upstairs_there_is_no_step_free_route():
    data = changed(edges=WITHOUT_ELEVATOR)

    with pytest.raises(NoRoute):
        route_from_kiosk("x-ray", Mode.STEP_FREE, data)
    assert route_from_kiosk("x-ray", Mode.SHORTEST, data).nodes[-1] == "x"


def test_a_one_way_edge_is_only_walked_one_way():
    data = copy.deepcopy(TWO_FLOORS)
    data["edges"][4] = {"from": "s1", "to": "a", "kind": "escalator", "length": 8}
    data["edges"][4]["one_way"] = True  # an escalator that only goes down
    the_map = site_map(data)

    up = the_map.route("k", "x")
    down = the_map.route("x", "k")

    assert "s1" not in up.nodes  # up by the elevator
    assert down.nodes == ("x", "u", "s1", "a", "k")


def test_reachable_follows_the_mode():
    the_map = site_map(changed(edges=WITHOUT_ELEVATOR))

    assert "x" in the_map.reachable("k", Mode.SHORTEST)
    assert "x" not in the_map.reachable("k", Mode.STEP_FREE)
    assert "r1" in the_map.reachable("k", Mode.STEP_FREE)


def test_an_unknown_place_is_not_found():
    with pytest.raises(NotFound) as refused:
        site_map().place("nowhere")

    assert refused.value.code == "unknown_place"
    assert refused.value.status == 404


# --- How long --------------------------------------------------------------------


def test_the_walking_time_of_a_known_route():
    route = route_from_kiosk("x-ray")

    # 10 m to the stairs, 8 m of stairs, 10 m to the café, 5 m through Room X's door.
    expected = 10 / WALKING_SPEED + 8 / STAIRS_SPEED + 10 / WALKING_SPEED
    expected += 5 / WALKING_SPEED + DOOR_SECONDS
    assert route.metres == pytest.approx(33)
    assert route.seconds == pytest.approx(expected)
    assert route.minutes == 1


def test_an_elevator_adds_its_fixed_time_and_no_distance():
    route = route_from_kiosk("x-ray", Mode.STEP_FREE)

    walked = 10 + 10 + 10 + 10 + 5  # k-a-b-c, e1-u, u-x
    assert route.metres == pytest.approx(walked)
    assert route.seconds == pytest.approx(walked / WALKING_SPEED + 30 + DOOR_SECONDS)


def test_patients_are_assumed_to_walk_slower_than_healthy_adults():
    # 1.2-1.4 m/s is a healthy adult's pace; outpatients are given 0.8-1.0 m/s.
    assert 0.8 <= WALKING_SPEED <= 1.0
    assert STAIRS_SPEED < WALKING_SPEED


def test_minutes_are_rounded_up_and_never_zero():
    the_map = site_map()

    assert the_map.route("k", "k").minutes == 1
    long_way = route_from_kiosk("x-ray", Mode.STEP_FREE)  # 84 s
    assert long_way.minutes == 2


# --- Turns -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "new_heading", "turn"),
    [
        (0, 0, Turn.STRAIGHT),
        (0, 20, Turn.STRAIGHT),
        (0, 45, Turn.SLIGHT_RIGHT),
        (0, 90, Turn.RIGHT),
        (0, 270, Turn.LEFT),
        (0, 315, Turn.SLIGHT_LEFT),
        (0, 180, Turn.BACK),
        (350, 80, Turn.RIGHT),  # across north
        (90, 0, Turn.LEFT),
    ],
)
def test_turns_are_relative_to_the_way_the_walker_faces(heading, new_heading, turn):
    assert turn_between(heading, new_heading) is turn


@pytest.mark.parametrize(
    ("facing", "first_turn"),
    [
        ("south", Turn.RIGHT),  # screen faces south: the patient faces north; east is right
        ("north", Turn.LEFT),  # the patient faces south; east is on their left
        ("west", Turn.STRAIGHT),  # the patient faces east, the way the corridor runs
        ("east", Turn.BACK),
        (180, Turn.RIGHT),  # degrees work as well as compass words
    ],
)
def test_the_first_step_is_told_relative_to_the_way_the_kiosk_faces(facing, first_turn):
    data = changed(kiosks=[{"code": "entrance", "node": "k", "facing": facing}])

    first = route_from_kiosk("room-1", data=data).steps[0]

    assert first.action is Action.START
    assert first.turn is first_turn


def test_a_turn_at_a_junction_is_relative_to_the_way_the_walker_came():
    # From X-ray (no heading) north to the café, then east (to the elevator): walking
    # north, east is on the right.
    the_map = site_map()
    route = the_map.route("x", "r1", Mode.STEP_FREE)

    turn = next(s for s in route.steps if s.action is Action.TURN)
    assert turn.node == "u"
    assert turn.turn is Turn.RIGHT
    assert turn.landmark == names("the café")


def test_a_start_with_no_known_heading_says_no_turn():
    route = site_map().route("x", "r1", Mode.STEP_FREE)

    assert route.steps[0].action is Action.START
    assert route.steps[0].turn is None


def test_walking_straight_on_past_junctions_makes_no_step():
    route = route_from_kiosk("room-1")  # k - a (stairs junction) - b, then the door

    assert [s.action for s in route.steps] == [Action.START, Action.ARRIVE]
    assert route.steps[0].metres == pytest.approx(25)


def test_one_step_for_a_level_change_naming_the_floor_and_the_way_up():
    route = route_from_kiosk("x-ray")

    change = next(s for s in route.steps if s.action is Action.CHANGE_LEVEL)
    assert change.via is EdgeKind.STAIRS
    assert change.to_floor == "one"
    assert change.going == "up"
    assert change.landmark == names("the stairs")


def test_after_the_elevator_the_step_says_what_to_walk_towards():
    route = route_from_kiosk("x-ray", Mode.STEP_FREE)
    actions = [s.action for s in route.steps]

    assert actions == [Action.START, Action.CHANGE_LEVEL, Action.ARRIVE]
    change = route.steps[1]
    assert change.via is EdgeKind.ELEVATOR
    assert change.towards == names("X-ray")  # the next step is the arrival


def test_a_door_on_the_way_is_a_step_of_its_own():
    data = copy.deepcopy(TWO_FLOORS)
    data["edges"][1]["kind"] = "door"  # a fire door between a and b

    route = route_from_kiosk("room-1", data=data)

    door = next(s for s in route.steps if s.action is Action.DOOR)
    assert door.node == "a"
    assert door.through_door
    assert door.landmark == names("the stairs")


def test_every_step_names_a_landmark_or_the_destination():
    for mode in Mode:
        route = route_from_kiosk("x-ray", mode)
        for step in route.steps:
            assert step.landmark, step
        for step in route.steps[:-1]:
            assert step.towards, step


def test_a_node_without_a_landmark_borrows_the_nearest_one_close_by():
    the_map = site_map()

    assert the_map.landmark_at("b") is None  # 10 m from the stairs and the elevators
    assert the_map.landmark_at("r1") == names("Room 1")  # a destination is its own landmark
    data = copy.deepcopy(TWO_FLOORS)
    data["nodes"][2]["x"] = 14  # b moved 4 m from the stairs
    assert site_map(data).landmark_at("b") == names("the stairs")


# --- Arrival ---------------------------------------------------------------------

# A corridor running east with doors on both sides: the arrival says which door.
CORRIDOR = {
    "floors": [{"code": "g", "level": 0, "name": names("Ground"), "width": 60, "height": 20}],
    "nodes": [
        {"id": "k", "floor": "g", "x": 0, "y": 10, "landmark": names("the kiosks")},
        *({"id": f"c{x}", "floor": "g", "x": x, "y": 10} for x in (10, 20, 30, 40)),
        {"id": "n10", "floor": "g", "x": 10, "y": 5},
        {"id": "s10", "floor": "g", "x": 10, "y": 15},
        {"id": "s20", "floor": "g", "x": 20, "y": 15},
        {"id": "s30", "floor": "g", "x": 30, "y": 15},
        {"id": "n40", "floor": "g", "x": 40, "y": 5},
        {"id": "end", "floor": "g", "x": 50, "y": 10},
    ],
    "edges": [
        {"from": "k", "to": "c10"},
        {"from": "c10", "to": "c20"},
        {"from": "c20", "to": "c30"},
        {"from": "c30", "to": "c40"},
        {"from": "c40", "to": "end"},
        {"from": "c10", "to": "n10", "kind": "door"},
        {"from": "c10", "to": "s10", "kind": "door"},
        {"from": "c20", "to": "s20", "kind": "door"},
        {"from": "c30", "to": "s30", "kind": "door"},
        {"from": "c40", "to": "n40", "kind": "door"},
    ],
    "destinations": [
        {"code": code, "kind": "other", "node": code, "name": names(code)}
        for code in ("n10", "s10", "s20", "s30", "n40", "end")
    ],
    "kiosks": [{"code": "entrance", "node": "k", "facing": "west"}],  # patient faces east
}


@pytest.mark.parametrize(
    ("to", "side", "ordinal"),
    [
        ("s10", Side.RIGHT, 1),  # walking east, south is on the right
        ("s20", Side.RIGHT, 2),
        ("s30", Side.RIGHT, 3),
        ("n10", Side.LEFT, 1),
        ("n40", Side.LEFT, 2),
        ("end", Side.AHEAD, None),
    ],
)
def test_the_arrival_says_which_side_and_which_door(to, side, ordinal):
    arrival = route_from_kiosk(to, data=CORRIDOR).steps[-1]

    assert arrival.action is Action.ARRIVE
    assert arrival.side is side
    assert arrival.ordinal == ordinal
    assert arrival.landmark == names(to)


def test_doors_are_counted_from_the_last_turn():
    data = copy.deepcopy(CORRIDOR)
    data["kiosks"] = []
    the_map = site_map(data)

    # From n10, through its door, turn right (east) at c10: s20 is then the first
    # door on the right, s10 being beside the corner, not ahead.
    route = the_map.route("n10", "s20")

    assert [s.action for s in route.steps] == [Action.START, Action.TURN, Action.ARRIVE]
    assert route.steps[1].turn is Turn.LEFT  # walking south out of n10, east is left
    assert (route.steps[-1].side, route.steps[-1].ordinal) == (Side.RIGHT, 1)


def test_a_route_to_where_one_stands_is_a_single_arrival():
    route = site_map().route("x", "x")

    assert route.legs == ()
    assert [s.action for s in route.steps] == [Action.ARRIVE]
    assert route.steps[0].side is None


# --- Building the map -------------------------------------------------------------


def test_missing_lengths_are_the_straight_line_and_elevators_have_no_length():
    the_map = site_map()
    by_ends = {(e.start, e.end): e for e in the_map.edges}

    assert by_ends["k", "a"].length == pytest.approx(10)
    assert by_ends["a", "s1"].length == pytest.approx(8)
    assert by_ends["c", "e1"].length == 0
    assert by_ends["c", "e1"].seconds == 30


@pytest.mark.parametrize(("word", "degrees"), [("north", 0), ("east", 90), ("southwest", 225)])
def test_a_kiosk_may_face_a_compass_direction(word, degrees):
    assert facing_degrees(word) == degrees
