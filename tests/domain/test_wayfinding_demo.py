"""The demo clinic's map: two floors, stairs and an elevator, every room placed, and
every destination reachable from every kiosk (and every room from every waiting area)
in both modes, with steps that each name a landmark, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.domain.wayfinding import Action, DestinationKind, EdgeKind, Mode, SiteMap
from server.sites.schema import parse_site_file
from server.wayfinding.texts import Words

DEMO_SITE = Path(__file__).parents[2] / "server" / "sites" / "demo" / "site.toml"
SPEC = parse_site_file(DEMO_SITE)
DEMO = SiteMap.from_data(SPEC.map_data())
ROOMS = [r.code for r in SPEC.rooms]
KIOSKS = list(DEMO.kiosks)
WAITING = [d.code for d in DEMO.destinations.values() if d.kind is DestinationKind.WAITING]


def route(start, to, mode):
    node, heading = DEMO.place(start)
    return DEMO.route(node, DEMO.destination(to).node, mode, heading)


def test_the_demo_map_has_two_floors_joined_by_stairs_and_an_elevator():
    assert sorted(f.level for f in DEMO.floors.values()) == [0, 1]
    joining = {e.kind for e in DEMO.edges if DEMO.nodes[e.start].floor != DEMO.nodes[e.end].floor}
    assert joining == {EdgeKind.STAIRS, EdgeKind.ELEVATOR}


def test_every_room_of_the_demo_has_a_destination_named_like_the_room():
    for room in SPEC.rooms:
        place = DEMO.destination(room.code)
        assert place.kind is DestinationKind.ROOM
        assert dict(place.names) == dict(room.name)


def test_the_demo_has_the_places_patients_ask_for():
    kinds = {d.kind for d in DEMO.destinations.values()}

    assert {
        DestinationKind.WAITING,
        DestinationKind.RESTROOM,
        DestinationKind.EXIT,
        DestinationKind.LAB,
        DestinationKind.PHARMACY,
    } <= kinds
    assert KIOSKS == ["entrance"]
    assert {DEMO.floor_of(DEMO.destination(r).node).level for r in ROOMS} == {0, 1}


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("to", sorted(DEMO.destinations))
@pytest.mark.parametrize("kiosk", KIOSKS)
def test_every_destination_can_be_reached_from_every_kiosk(kiosk, to, mode):
    found = route(kiosk, to, mode)

    assert found.nodes[-1] == DEMO.destination(to).node
    if mode is Mode.STEP_FREE:
        assert not found.kinds & {EdgeKind.STAIRS, EdgeKind.ESCALATOR}


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("room", ROOMS)
@pytest.mark.parametrize("waiting", WAITING)
def test_every_room_can_be_reached_from_every_waiting_area(waiting, room, mode):
    assert route(waiting, room, mode).nodes[-1] == DEMO.destination(room).node


def test_upstairs_the_step_free_way_takes_the_elevator_and_is_longer():
    shortest = route("entrance", "room-3", Mode.SHORTEST)
    step_free = route("entrance", "room-3", Mode.STEP_FREE)

    assert EdgeKind.STAIRS in shortest.kinds
    assert EdgeKind.ELEVATOR in step_free.kinds
    assert step_free.seconds > shortest.seconds


@pytest.mark.parametrize("mode", list(Mode))
def test_every_step_of_every_demo_route_names_a_landmark(mode):
    for start in KIOSKS + WAITING:
        for to in DEMO.destinations:
            if to == start:
                continue
            steps = route(start, to, mode).steps
            assert steps[-1].action is Action.ARRIVE
            for step in steps:
                assert step.landmark, (start, to, step)
            for step in steps[:-1]:
                assert step.towards, (start, to, step)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_demo_route_can_be_told_in_each_language(language):
    words = Words(language, SPEC.site.languages)
    floors = {code: floor.names for code, floor in DEMO.floors.items()}
    for to in DEMO.destinations:
        for mode in Mode:
            for step in route("entrance", to, mode).steps:
                text = words.step(step, floors, "")
                assert text.endswith("."), text
                assert "%(" not in text and "  " not in text, text


def test_the_first_step_from_the_kiosk_is_relative_to_its_facing():
    # The kiosk's screen faces south: a patient using it faces north, with the stairs
    # ahead, the corridor to their right and the front desk behind them.
    assert route("entrance", "room-3", Mode.SHORTEST).steps[0].turn.value == "straight"
    assert route("entrance", "room-1", Mode.SHORTEST).steps[0].turn.value == "right"
    assert route("entrance", "front-desk", Mode.SHORTEST).steps[0].turn.value == "back"
    assert route("entrance", "main-exit", Mode.SHORTEST).steps[0].turn.value == "left"
