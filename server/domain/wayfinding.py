"""Wayfinding: a site's walking graph, routes over it, and turn-by-turn steps.

The graph is kept apart from any drawing: nodes are points in metres on a floor's plan
(x grows to the right, y grows down the plan, "north" is the top of the plan), edges are
the ways between them. Steps come out as language-free data; server/wayfinding/texts.py
words them in the patient's language.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from server.domain.errors import DomainError, NotFound

Names = Mapping[str, str]  # language code -> text


class EdgeKind(StrEnum):
    WALK = "walk"
    DOOR = "door"
    STAIRS = "stairs"
    ELEVATOR = "elevator"
    RAMP = "ramp"
    ESCALATOR = "escalator"


# Only these may join two floors; a corridor or a door never does.
FLOOR_CHANGING = frozenset({EdgeKind.STAIRS, EdgeKind.ELEVATOR, EdgeKind.ESCALATOR, EdgeKind.RAMP})
# A step-free route never uses these, whatever the map says.
NEVER_STEP_FREE = frozenset({EdgeKind.STAIRS, EdgeKind.ESCALATOR})


class Mode(StrEnum):
    SHORTEST = "shortest"
    STEP_FREE = "step_free"  # no stairs, no escalators, no edge marked with a step


class DestinationKind(StrEnum):
    ROOM = "room"  # a room or counter of the site (its code is the room's code)
    WAITING = "waiting"
    RESTROOM = "restroom"
    EXIT = "exit"
    LAB = "lab"
    PHARMACY = "pharmacy"
    DESK = "desk"
    OTHER = "other"


class Turn(StrEnum):
    STRAIGHT = "straight"
    SLIGHT_LEFT = "slight_left"
    LEFT = "left"
    SLIGHT_RIGHT = "slight_right"
    RIGHT = "right"
    BACK = "back"


class Action(StrEnum):
    START = "start"
    TURN = "turn"
    DOOR = "door"
    CHANGE_LEVEL = "change_level"  # elevator, stairs or escalator, or a ramp between floors
    ARRIVE = "arrive"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    AHEAD = "ahead"
    BEHIND = "behind"


# --- Walking time -------------------------------------------------------------------
# Healthy adults walk at 1.2-1.4 m/s, but an outpatient may be old, in pain, on
# crutches or pushing a buggy. Pedestrian-signal design uses 0.9 m/s (3.0 ft/s, the US
# MUTCD figure where slower walkers are common), which we take for every route: an
# estimate that is a little long costs nothing, one that is short makes a patient late.
WALKING_SPEED = 0.9  # m/s on the flat
STAIRS_SPEED = 0.5  # m/s along the flight: older people climb at about half pace
RAMP_SPEED = 0.7  # m/s: slopes up to 1:12 slow walkers and self-propelled wheelchairs
ESCALATOR_SPEED = 0.5  # m/s: the usual belt speed, standing still
DOOR_SECONDS = 4.0  # opening a heavy fire door, or waiting for someone coming through
ELEVATOR_SECONDS = 60.0  # default wait plus ride; the map may set its own per lift

SPEEDS = {
    EdgeKind.WALK: WALKING_SPEED,
    EdgeKind.DOOR: WALKING_SPEED,
    EdgeKind.STAIRS: STAIRS_SPEED,
    EdgeKind.RAMP: RAMP_SPEED,
    EdgeKind.ESCALATOR: ESCALATOR_SPEED,
}

# A point with no landmark of its own borrows the nearest one this close on its floor.
LANDMARK_RADIUS = 8.0  # metres
# Doors are counted out ("the third door on your right") up to this many.
MAX_DOOR_ORDINAL = 5

COMPASS = {
    "north": 0.0,
    "northeast": 45.0,
    "east": 90.0,
    "southeast": 135.0,
    "south": 180.0,
    "southwest": 225.0,
    "west": 270.0,
    "northwest": 315.0,
}


class NoRoute(DomainError):
    """There is no way between the two places (in the mode asked)."""

    code = "no_route"
    status = 422


# --- The map ------------------------------------------------------------------------


@dataclass(frozen=True)
class Floor:
    code: str
    level: int
    names: Names
    width: float
    height: float
    image: str | None = None  # a floor-plan picture stretched over width x height


@dataclass(frozen=True)
class Node:
    id: str
    floor: str
    x: float
    y: float
    landmark: Names | None = None  # what a walker sees here: "the pharmacy"


@dataclass(frozen=True)
class Edge:
    start: str
    end: str
    kind: EdgeKind
    length: float  # metres walked (0 for an elevator)
    step_free: bool
    one_way: bool = False  # only from start to end (an escalator)
    fixed_seconds: float | None = None  # an elevator's wait and ride

    @property
    def seconds(self) -> float:
        """The time to take this edge at a patient's pace."""
        if self.fixed_seconds is not None:
            return self.fixed_seconds
        time = self.length / SPEEDS.get(self.kind, WALKING_SPEED)
        return time + DOOR_SECONDS if self.kind is EdgeKind.DOOR else time


@dataclass(frozen=True)
class Destination:
    code: str
    kind: DestinationKind
    node: str
    names: Names
    landmarks: tuple[Names, ...] = ()
    room: str | None = None  # the site room it is, for kind "room"
    services: tuple[str, ...] | None = None  # a waiting area's services (None: all)
    step_free: bool = True  # reachable without steps; False only when the map says so
    area: tuple[float, float, float, float] | None = None  # outline x, y, width, height


@dataclass(frozen=True)
class Kiosk:
    code: str
    node: str
    facing: float  # degrees clockwise from north: the way its screen faces

    @property
    def patient_heading(self) -> float:
        """The way a patient using the kiosk faces: towards the screen."""
        return (self.facing + 180.0) % 360.0


@dataclass(frozen=True)
class Leg:
    """One edge of a route, in the direction walked."""

    start: str
    end: str
    edge: Edge


@dataclass(frozen=True)
class Step:
    action: Action
    node: str
    floor: str
    landmark: Names | None = None  # at this step's place
    turn: Turn | None = None
    through_door: bool = False
    via: EdgeKind | None = None  # how the level changes
    to_floor: str | None = None
    going: str | None = None  # "up" or "down" for a level change
    side: Side | None = None  # where the destination is, on arrival
    ordinal: int | None = None  # which door on that side, counting from the last step
    towards: Names | None = None  # what to walk towards after this step
    metres: float = 0.0  # walked after this step, up to the next one


@dataclass(frozen=True)
class Route:
    start: str  # node ids
    end: str
    mode: Mode
    legs: tuple[Leg, ...]
    steps: tuple[Step, ...]

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.start, *(leg.end for leg in self.legs))

    @property
    def metres(self) -> float:
        return sum(leg.edge.length for leg in self.legs)

    @property
    def seconds(self) -> float:
        return sum(leg.edge.seconds for leg in self.legs)

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up, never 0: what a patient is told."""
        return max(1, math.ceil(self.seconds / 60))

    @property
    def kinds(self) -> frozenset[EdgeKind]:
        return frozenset(leg.edge.kind for leg in self.legs)


@dataclass
class SiteMap:
    floors: dict[str, Floor]
    nodes: dict[str, Node]
    edges: list[Edge]
    destinations: dict[str, Destination]
    kiosks: dict[str, Kiosk]
    _out: dict[str, list[tuple[Edge, str]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._out = {node: [] for node in self.nodes}
        for edge in self.edges:
            for end in (edge.start, edge.end):
                if end not in self.nodes:
                    raise ValueError(f"edge {edge.start}-{edge.end}: no node {end!r}")
            self._out[edge.start].append((edge, edge.end))
            if not edge.one_way:
                self._out[edge.end].append((edge, edge.start))

    # --- Building it from the stored map ---------------------------------------------

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SiteMap:
        """The map from its JSON form (the checked map file; see server/sites/schema.py).

        Missing lengths are the straight line between the nodes; edges are step-free
        unless they are stairs or escalators or say otherwise.
        """
        floors = {
            f["code"]: Floor(
                code=f["code"],
                level=int(f["level"]),
                names=dict(f["name"]),
                width=float(f["width"]),
                height=float(f["height"]),
                image=f.get("image"),
            )
            for f in data["floors"]
        }
        nodes = {
            n["id"]: Node(
                n["id"], n["floor"], float(n["x"]), float(n["y"]), _names_or_none(n.get("landmark"))
            )
            for n in data["nodes"]
        }
        edges = [_edge(e, nodes) for e in data["edges"]]
        destinations = {
            d["code"]: Destination(
                code=d["code"],
                kind=DestinationKind(d["kind"]),
                node=d["node"],
                names=dict(d.get("name") or {}),
                landmarks=tuple(dict(lm) for lm in d.get("landmarks") or ()),
                room=d.get("room"),
                services=tuple(d["services"]) if d.get("services") is not None else None,
                step_free=bool(d.get("step_free", True)),
                area=_area(d.get("area")),
            )
            for d in data["destinations"]
        }
        kiosks = {
            k["code"]: Kiosk(k["code"], k["node"], facing_degrees(k["facing"]))
            for k in data.get("kiosks", ())
        }
        return cls(floors, nodes, edges, destinations, kiosks)

    # --- Places ----------------------------------------------------------------------

    def place(self, code: str) -> tuple[str, float | None]:
        """A kiosk's or destination's node, and the way a patient there faces (if known)."""
        if code in self.kiosks:
            kiosk = self.kiosks[code]
            return kiosk.node, kiosk.patient_heading
        if code in self.destinations:
            return self.destinations[code].node, None
        raise NotFound(f"There is no place called {code!r} on the map.", code="unknown_place")

    def destination(self, code: str) -> Destination:
        try:
            return self.destinations[code]
        except KeyError:
            raise NotFound(
                f"There is no destination called {code!r} on the map.", code="unknown_destination"
            ) from None

    def floor_of(self, node: str) -> Floor:
        return self.floors[self.nodes[node].floor]

    def landmark_at(self, node_id: str) -> Names | None:
        """What a walker at this node can be told to look for: the node's own landmark,
        a destination right there, or the nearest landmark on the floor close by."""
        node = self.nodes[node_id]
        if node.landmark:
            return node.landmark
        here = [d for d in self.destinations.values() if d.node == node_id]
        if here:
            return here[0].names
        nearby = [
            (math.dist((node.x, node.y), (other.x, other.y)), other.id)
            for other in self.nodes.values()
            if other.landmark and other.floor == node.floor
        ]
        distance, nearest = min(nearby, default=(math.inf, ""))
        return self.nodes[nearest].landmark if distance <= LANDMARK_RADIUS else None

    # --- Routes ----------------------------------------------------------------------

    def exits(self, node: str) -> list[tuple[Edge, str]]:
        """The edges one may take from `node`, each with the node it leads to."""
        return self._out[node]

    def reachable(self, start: str, mode: Mode) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for edge, nxt in self.exits(todo.pop()):
                if nxt not in seen and _allowed(edge, mode):
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def route(
        self, start: str, end: str, mode: Mode = Mode.SHORTEST, heading: float | None = None
    ) -> Route:
        """The quickest way from node `start` to node `end` (Dijkstra on walking time).

        `heading` is the way the walker faces at the start (degrees from north), so that
        the first step can say "turn left"; None when it is not known.
        """
        for node in (start, end):
            if node not in self.nodes:
                raise NotFound(f"There is no node {node!r} on the map.", code="unknown_place")
        legs = self._quickest(start, end, mode)
        if legs is None:
            raise NoRoute(
                "There is no step-free way there. Please ask at the front desk."
                if mode is Mode.STEP_FREE
                else "There is no way there on the map. Please ask at the front desk.",
                code="no_step_free_route" if mode is Mode.STEP_FREE else "no_route",
            )
        steps = StepWriter(self, legs, end, heading).steps()
        return Route(start, end, mode, tuple(legs), tuple(steps))

    def _quickest(self, start: str, end: str, mode: Mode) -> list[Leg] | None:
        best: dict[str, float] = {start: 0.0}
        came_by: dict[str, Leg] = {}
        queue: list[tuple[float, str]] = [(0.0, start)]
        done: set[str] = set()
        while queue:
            cost, node = heapq.heappop(queue)
            if node == end:
                break
            if node in done:
                continue
            done.add(node)
            for edge, nxt in self.exits(node):
                if not _allowed(edge, mode):
                    continue
                new = cost + edge.seconds
                if new < best.get(nxt, math.inf):
                    best[nxt] = new
                    came_by[nxt] = Leg(node, nxt, edge)
                    heapq.heappush(queue, (new, nxt))
        if end not in best:
            return None
        legs: list[Leg] = []
        node = end
        while node != start:
            legs.append(came_by[node])
            node = came_by[node].start
        return legs[::-1]

    # --- Geometry --------------------------------------------------------------------

    def heading(self, start: str, end: str) -> float | None:
        """Degrees clockwise from north from one node to another on the same floor;
        None across floors or between two nodes at the same point."""
        a, b = self.nodes[start], self.nodes[end]
        if a.floor != b.floor or (a.x, a.y) == (b.x, b.y):
            return None
        return math.degrees(math.atan2(b.x - a.x, a.y - b.y)) % 360.0


def _allowed(edge: Edge, mode: Mode) -> bool:
    return mode is Mode.SHORTEST or edge.step_free


def _names_or_none(value: Any) -> Names | None:
    return dict(value) if value else None


def _area(value: Any) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    x, y, width, height = (float(v) for v in value)
    return (x, y, width, height)


def _edge(data: Mapping[str, Any], nodes: Mapping[str, Node]) -> Edge:
    kind = EdgeKind(data.get("kind", "walk"))
    a, b = nodes[data["from"]], nodes[data["to"]]
    length = data.get("length")
    if length is None:
        length = 0.0 if kind is EdgeKind.ELEVATOR else math.dist((a.x, a.y), (b.x, b.y))
    fixed = data.get("seconds")
    if fixed is None and kind is EdgeKind.ELEVATOR:
        fixed = ELEVATOR_SECONDS
    step_free = data.get("step_free")
    return Edge(
        start=a.id,
        end=b.id,
        kind=kind,
        length=float(length),
        step_free=kind not in NEVER_STEP_FREE and (step_free is None or bool(step_free)),
        one_way=bool(data.get("one_way", False)),
        fixed_seconds=None if fixed is None else float(fixed),
    )


def facing_degrees(value: float | str) -> float:
    """A kiosk's facing: degrees clockwise from north, or a compass word."""
    if isinstance(value, str):
        return COMPASS[value]
    return float(value) % 360.0


def turn_between(heading: float, new_heading: float) -> Turn:
    """How a walker facing `heading` turns to face `new_heading`."""
    angle = (new_heading - heading + 180.0) % 360.0 - 180.0  # >0 is clockwise: right
    size = abs(angle)
    if size <= 25:
        return Turn.STRAIGHT
    if size > 150:
        return Turn.BACK
    if size <= 60:
        return Turn.SLIGHT_RIGHT if angle > 0 else Turn.SLIGHT_LEFT
    return Turn.RIGHT if angle > 0 else Turn.LEFT


def walking_minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


# --- Steps --------------------------------------------------------------------------


def _changes_level(leg: Leg, site_map: SiteMap) -> bool:
    a, b = site_map.nodes[leg.start], site_map.nodes[leg.end]
    return a.floor != b.floor or leg.edge.kind in NEVER_STEP_FREE | {EdgeKind.ELEVATOR}


class StepWriter:
    """Turns a route's legs into steps: one at the start, one per turn, door or level
    change, and one on arrival. Turns are told relative to the way the walker faces."""

    def __init__(
        self, site_map: SiteMap, legs: Sequence[Leg], end: str, heading: float | None
    ) -> None:
        self.map = site_map
        self.legs = list(legs)
        self.end = end
        self.heading = heading  # the way the walker faces now; None when unknown
        self.out: list[tuple[int, Step]] = []  # (index of the leg the step starts, step)

    def steps(self) -> list[Step]:
        legs, last = self.legs, len(self.legs) - 1
        arrived = False
        i = 0
        while i <= last:
            leg = legs[i]
            if _changes_level(leg, self.map):
                i = self._level_change(i)
                continue
            new_heading = self.map.heading(leg.start, leg.end)
            if i == 0:
                self._start(new_heading)
            elif i == last:
                self._arrive(i, new_heading)
                arrived = True
            elif self.heading is not None and new_heading is not None:
                self._turn(i, turn_between(self.heading, new_heading))
            if new_heading is not None:
                self.heading = new_heading
            i += 1
        if not arrived:
            # No corridor to turn off: the route was one leg, or ended on a level change.
            side = Side.AHEAD if legs and not _changes_level(legs[-1], self.map) else None
            self._add(len(legs), self._arrival(side))
        return self._finish()

    def _add(self, leg_index: int, step: Step) -> None:
        self.out.append((leg_index, step))

    def _at(self, node: str, action: Action, **extra: Any) -> Step:
        return Step(action, node, self.map.nodes[node].floor, self.map.landmark_at(node), **extra)

    def _start(self, new_heading: float | None) -> None:
        turn = None
        if self.heading is not None and new_heading is not None:
            turn = turn_between(self.heading, new_heading)
        self._add(0, self._at(self.legs[0].start, Action.START, turn=turn))

    def _turn(self, i: int, turn: Turn) -> None:
        door = self.legs[i].edge.kind is EdgeKind.DOOR
        node = self.legs[i].start
        if turn is not Turn.STRAIGHT:
            self._add(i, self._at(node, Action.TURN, turn=turn, through_door=door))
        elif door:
            self._add(i, self._at(node, Action.DOOR, through_door=True))

    def _level_change(self, i: int) -> int:
        """One step for a run of level changes by the same means; returns the next leg."""
        first, j = self.legs[i], i
        while (
            j + 1 < len(self.legs)
            and _changes_level(self.legs[j + 1], self.map)
            and self.legs[j + 1].edge.kind is first.edge.kind
        ):
            j += 1
        here, there = self.map.floor_of(first.start), self.map.floor_of(self.legs[j].end)
        going = None
        if there.level != here.level:
            going = "up" if there.level > here.level else "down"
        step = self._at(
            first.start,
            Action.CHANGE_LEVEL,
            via=first.edge.kind,
            to_floor=there.code if there.code != here.code else None,
            going=going,
        )
        self._add(i, step)
        # Which way one faces on leaving a lift or a stairwell is not on the map.
        self.heading = self.map.heading(self.legs[j].start, self.legs[j].end)
        return j + 1

    def _arrive(self, i: int, new_heading: float | None) -> None:
        """The last leg, from the corridor to the destination: which side, which door."""
        if self.heading is None or new_heading is None:
            self._add(i + 1, self._arrival(None))
            return
        turn = turn_between(self.heading, new_heading)
        if turn is Turn.BACK:
            self._add(i, self._at(self.legs[i].start, Action.TURN, turn=turn))
            self._add(i + 1, self._arrival(Side.AHEAD))
            return
        side = {
            Turn.STRAIGHT: Side.AHEAD,
            Turn.SLIGHT_LEFT: Side.LEFT,
            Turn.LEFT: Side.LEFT,
            Turn.SLIGHT_RIGHT: Side.RIGHT,
            Turn.RIGHT: Side.RIGHT,
        }[turn]
        ordinal = None
        if side is not Side.AHEAD and self.legs[i].edge.kind is EdgeKind.DOOR:
            ordinal = self._door_number(i, side)
        self._add(i + 1, self._arrival(side, ordinal))

    def _arrival(self, side: Side | None, ordinal: int | None = None) -> Step:
        here = [d for d in self.map.destinations.values() if d.node == self.end]
        names = here[0].names if here else self.map.landmark_at(self.end)
        floor = self.map.nodes[self.end].floor
        return Step(Action.ARRIVE, self.end, floor, names, side=side, ordinal=ordinal)

    def _door_number(self, last: int, side: Side) -> int | None:
        """Which door on `side` the destination's is, counting the doors (edges of kind
        "door") off the straight stretch walked since the last step."""
        assert self.heading is not None
        stepped = {index for index, _ in self.out}
        first = last
        while (
            first > 0
            and first not in stepped
            and not _changes_level(self.legs[first - 1], self.map)
        ):
            first -= 1
        origin = self.map.nodes[self.legs[first].start]
        ux, uy = math.sin(math.radians(self.heading)), -math.cos(math.radians(self.heading))
        walked = {leg.start for leg in self.legs}
        doors: dict[str, float] = {}
        for leg in self.legs[first : last + 1]:
            for edge, door in self.map.exits(leg.start):
                if edge.kind is not EdgeKind.DOOR or door in walked:
                    continue
                node = self.map.nodes[door]
                ahead = (node.x - origin.x) * ux + (node.y - origin.y) * uy
                if ahead > 0.5 and self._side_of(leg.start, door) is side:
                    doors[door] = ahead
        if self.end not in doors:
            return None
        number = sorted(doors, key=lambda d: (doors[d], d)).index(self.end) + 1
        return number if number <= MAX_DOOR_ORDINAL else None

    def _side_of(self, corridor: str, door: str) -> Side | None:
        towards = self.map.heading(corridor, door)
        if towards is None or self.heading is None:
            return None
        turn = turn_between(self.heading, towards)
        if turn in (Turn.LEFT, Turn.SLIGHT_LEFT):
            return Side.LEFT
        if turn in (Turn.RIGHT, Turn.SLIGHT_RIGHT):
            return Side.RIGHT
        return None

    def _finish(self) -> list[Step]:
        """Fill in how far each step walks, and what it walks towards."""
        finished = []
        for n, (index, step) in enumerate(self.out):
            following = self.out[n + 1] if n + 1 < len(self.out) else None
            until = following[0] if following else len(self.legs)
            metres = sum(leg.edge.length for leg in self.legs[index:until])
            towards = following[1].landmark if following else None
            finished.append(replace(step, metres=round(metres, 1), towards=towards))
        return finished
