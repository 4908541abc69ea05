"""The site file: TOML an administrator edits. Parsed and checked before anything is saved.

Errors name the key (``services[2].prefix``) and, where the TOML itself is broken, the
line and column, so that an administrator can find the fault without reading code.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from server.domain import feedback, morning, remote, retention
from server.domain.errors import BadInput
from server.domain.schedule import MIDNIGHT, NEVER, WEEKDAYS, parse_day_start, parse_interval
from server.domain.text import check_line
from server.domain.wayfinding import (
    COMPASS,
    FLOOR_CHANGING,
    NEVER_STEP_FREE,
    DestinationKind,
    EdgeKind,
    Mode,
    SiteMap,
)

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Names = dict[str, Annotated[str, Field(min_length=1, max_length=200)]]
# A display says each call in each of its languages: more than three is too long a wait.
MAX_DISPLAY_LANGUAGES = 3


class SiteFileError(ValueError):
    """A site file that cannot be loaded; the message says where and why."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        """Every text of a site file is one line, by the domain's rule for text from
        outside: TOML lets a NUL in as an escape, and PostgreSQL would refuse it."""
        for text in _texts(value):
            try:
                check_line(text, field="text")
            except BadInput:
                raise ValueError("control characters are not allowed") from None
        return value


def _texts(value: Any) -> list[str]:
    """The strings of a field's value; a nested table checks its own."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for pair in value.items() for part in pair for text in _texts(part)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


class ServiceSpec(Strict):
    code: Code
    prefix: Annotated[str, Field(pattern=r"^[A-Z]$")]
    name: Names
    typical_minutes: Annotated[float, Field(gt=0, le=480)]
    # The service's colour on the screens, "#1f6feb"; none: the screens' own.
    colour: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    # The wait the site aims to call within; the reports count the share who waited
    # longer (services/reports.py). None: the service has no target.
    wait_target_minutes: Annotated[int, Field(gt=0, le=720)] | None = None
    # Patients may join this service's line from anywhere (/join; domain/remote.py).
    remote_join: bool = False


def _check_hours(value: dict[str, list[str]]) -> dict[str, list[str]]:
    """Weekday tables of "HH:MM-HH:MM" intervals that do not overlap."""
    for day, spans in value.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown day {day!r}; use {', '.join(WEEKDAYS)}")
        intervals = sorted(parse_interval(span) for span in spans)
        for (_, end), (start, _) in itertools.pairwise(intervals):
            if end == MIDNIGHT or start < end:
                raise ValueError(f"the intervals of {day!r} overlap")
    return value


class RoomSpec(Strict):
    code: Code
    name: Names
    services: Annotated[list[str], Field(min_length=1)]
    # The room's own sessions, breaks left out: {mon = ["09:00-12:30", "13:30-17:00"]}.
    # A day it does not list, it does not open; without `hours`, the site's are its own.
    hours: dict[str, list[str]] | None = None

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        return None if value is None else _check_hours(value)


class ClosureSpec(Strict):
    """A day the site is shut (`date` only), or part of it (`from` and `to`, "24:00" for
    the day's end): the kiosk takes no walk-ins then and the forecasts know it."""

    date: date
    start: str | None = Field(default=None, alias="from")
    end: str | None = Field(default=None, alias="to")
    reason: Names | None = None  # said on the console, in every language of the site

    @model_validator(mode="after")
    def _interval(self) -> ClosureSpec:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both from and to (a part of the day), or neither (all day)")
        if self.start is not None:
            parse_interval(f"{self.start}-{self.end}")
        return self


class DeviceSpec(Strict):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    services: list[str] | None = None  # a display may show some services only


class DelayReasonSpec(Strict):
    """One of the usual reasons for a delay, which the desk picks from a list; its words
    in every language of the site, so each patient reads it in theirs."""

    code: Code
    name: Names


class FeedbackQuestionSpec(Strict):
    """The site's own yes/no question, asked after the FFT question of the survey
    (domain/feedback.py): its words in every language of the site."""

    text: dict[str, str]

    @field_validator("text")
    @classmethod
    def _plain_question(cls, value: dict[str, str]) -> dict[str, str]:
        limit = feedback.SITE_QUESTION_MAX_LENGTH
        for language, words in value.items():
            if not words.strip():
                raise ValueError(f"the {language} question is empty; write the question")
            if len(words) > limit:
                raise ValueError(
                    f"the {language} question is {len(words)} characters long; at most {limit}"
                )
        return value


def feedback_question_problems(
    question: FeedbackQuestionSpec | None, languages: list[str]
) -> list[str]:
    """The question in each of the site's languages. Words in another language are kept,
    as names are, so that a language can be written before the site takes it up (and a
    site with a question can drop a language and take it up again)."""
    if question is None:
        return []
    missing = [lang for lang in languages if lang not in question.text]
    if missing:
        return [f"feedback_question.text: no translation for {', '.join(missing)}"]
    return []


def delay_reason_problems(reasons: Sequence[DelayReasonSpec], languages: list[str]) -> list[str]:
    """Each reason's code once, and its words in every language of the site."""
    problems = []
    first: dict[str, int] = {}
    for i, reason in enumerate(reasons):
        if reason.code in first:
            problems.append(
                f"delay_reasons[{i}].code: reason code {reason.code!r} is used twice"
                f" (also delay_reasons[{first[reason.code]}].code)"
            )
        first.setdefault(reason.code, i)
        missing = [lang for lang in languages if lang not in reason.name]
        if missing:
            problems.append(f"delay_reasons[{i}].name: no translation for {', '.join(missing)}")
    return problems


class SiteSpec(Strict):
    slug: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    timezone: str
    languages: Annotated[
        list[Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]], Field(min_length=1)
    ]
    public_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+(/\S*)?$")] | None = None
    on_time_grace_minutes: Annotated[int, Field(ge=0, le=120)] = 10
    early_checkin_minutes: Annotated[int, Field(ge=0, le=720)] = 60
    late_checkin_minutes: Annotated[int, Field(ge=0, le=240)] = 30
    # A patient is told their wait grew when its upper bound moves out by more than this.
    delay_notice_minutes: Annotated[int, Field(ge=1, le=120)] = 10
    # The waiting-room display shows what does not fit on its screen (notices, a long
    # list of services) in turns: every item is on screen once within this many seconds.
    display_cycle_seconds: Annotated[int, Field(ge=10, le=300)] = 30
    # The languages a waiting-room display shows and speaks (a few: each call is said in
    # every one of them). None: the site's first two (SiteSettings.display_languages).
    display_languages: (
        Annotated[list[str], Field(min_length=1, max_length=MAX_DISPLAY_LANGUAGES)] | None
    ) = None
    # A visit's names and birth dates are kept the rest of its day and this many days
    # more, then removed (domain/retention.py; services/retention.py).
    personal_data_days: Annotated[int, Field(ge=0, le=retention.MAX_KEEP_DAYS)] = (
        retention.DEFAULT_KEEP_DAYS
    )
    # Text messages: the region a number typed without its country code is read in
    # (ISO 3166 code, e.g. "GB"), and the place in line that brings "you are next".
    phone_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    text_next_place: Annotated[int, Field(ge=1, le=20)] = 3
    # Feedback (domain/feedback.py): a case still new after this many working days is
    # flagged overdue; free text is kept this many days, the rating for the figures.
    feedback_overdue_days: Annotated[int, Field(ge=1, le=30)] = (
        feedback.DEFAULT_OVERDUE_WORKING_DAYS
    )
    feedback_text_days: Annotated[int, Field(ge=1, le=3660)] = feedback.DEFAULT_TEXT_KEEP_DAYS
    # Remote tickets (/join; server/domain/remote.py): how long a remote ticket whose turn
    # came before it did keeps its place, how many places it then moves back, the margin
    # taken off "leave by", how long before closing joining from afar stops, and how many
    # remote tickets may wait per service.
    remote_grace_minutes: Annotated[int, Field(ge=0, le=120)] = remote.DEFAULT_GRACE_MINUTES
    remote_move_back_places: Annotated[int, Field(ge=1, le=50)] = remote.DEFAULT_MOVE_BACK_PLACES
    remote_leave_margin_minutes: Annotated[int, Field(ge=0, le=60)] = (
        remote.DEFAULT_LEAVE_MARGIN_MINUTES
    )
    remote_closes_before_minutes: Annotated[int, Field(ge=0, le=720)] = (
        remote.DEFAULT_CLOSES_BEFORE_MINUTES
    )
    remote_cap: Annotated[int, Field(ge=1, le=1000)] = remote.DEFAULT_CAP
    # Where the site's door is (WGS 84 degrees), for "I'm here" by the phone's location
    # within `arrival_radius_m` metres (domain/remote.py is_at_site). Without both, the
    # ticket page offers only the arrival code.
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    arrival_radius_m: Annotated[int, Field(ge=20, le=remote.MAX_ARRIVAL_RADIUS_M)] = (
        remote.DEFAULT_ARRIVAL_RADIUS_M
    )
    # Minutes after the visit that a patient with texts on is texted the survey's link
    # (never at night: domain/feedback.py survey_text_at).
    survey_text_minutes: Annotated[int, Field(ge=0, le=1440)] = feedback.DEFAULT_SURVEY_TEXT_MINUTES
    # The hour (site time) the morning link is texted to appointment patients whose
    # file gave a mobile number: a morning hour, never at night (domain/morning.py).
    appointment_text_hour: Annotated[
        int, Field(ge=morning.EARLIEST_TEXT_HOUR, le=morning.LATEST_TEXT_HOUR)
    ] = morning.DEFAULT_TEXT_HOUR
    hours: dict[str, list[str]] = Field(default_factory=dict)
    # When the site's day turns: "HH:MM" (default "00:00") for a site open past midnight,
    # or "never" for one that never empties. See server/domain/schedule.py, SiteDays.
    day_starts: str | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> SiteSpec:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self

    @field_validator("day_starts")
    @classmethod
    def _valid_day_start(cls, value: str | None) -> str | None:
        if value is not None and value != NEVER:
            parse_day_start(value)
        return value

    @field_validator("display_languages")
    @classmethod
    def _display_languages_of_the_site(
        cls, value: list[str] | None, info: ValidationInfo
    ) -> list[str] | None:
        if value is None:
            return value
        site_languages = info.data.get("languages") or []
        unknown = [lang for lang in value if lang not in site_languages]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not one of the site's languages")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use a name like 'Europe/London')"
            ) from None
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_hours(value)


# --- The site map (wayfinding) ------------------------------------------------------
# Coordinates are metres on the floor's plan: x grows to the right, y down the plan,
# and "north" is the top of the plan. See server/domain/wayfinding.py.

# Kinds of edge and destination are the domain's enums: pydantic takes their values
# ("stairs") and says which are allowed when one is not.
Metres = Annotated[float, Field(ge=0, le=10_000)]
PLAN_IMAGES = {".png", ".jpg", ".jpeg", ".svg", ".webp"}
MAX_PLAN_IMAGE_BYTES = 5_000_000


class FloorSpec(Strict):
    code: Code
    level: Annotated[int, Field(ge=-20, le=200)]  # orders the floors: up and down
    name: Names
    width: Annotated[float, Field(gt=0, le=10_000)]  # the plan's extent, in metres
    height: Annotated[float, Field(gt=0, le=10_000)]
    image: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class NodeSpec(Strict):
    id: Code
    floor: str
    x: Metres
    y: Metres
    landmark: Names | None = None  # what one sees there, said in a sentence: "the pharmacy"


class EdgeSpec(Strict):
    start: Annotated[str, Field(alias="from")]
    end: Annotated[str, Field(alias="to")]
    kind: EdgeKind = EdgeKind.WALK
    length: Metres | None = None  # default: the straight line between the two nodes
    seconds: Annotated[float, Field(gt=0, le=1800)] | None = None  # elevators only
    step_free: bool | None = None  # default: yes, except stairs and escalators
    one_way: bool = False


class DestinationSpec(Strict):
    code: Code
    kind: DestinationKind
    node: str
    name: Names | None = None  # a room's defaults to its name in [[rooms]]
    landmarks: list[Names] = Field(default_factory=list, max_length=10)
    services: list[str] | None = None  # the services that wait in a waiting area
    step_free: bool = True  # false: the map knows there is no step-free way there
    area: Annotated[list[Metres], Field(min_length=4, max_length=4)] | None = None


class KioskPlacement(Strict):
    code: Code
    node: str
    facing: float  # the way the screen faces: degrees from north, or a compass word

    @field_validator("facing", mode="before")
    @classmethod
    def _direction(cls, value: Any) -> float:
        if isinstance(value, str) and value in COMPASS:
            return COMPASS[value]
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 360:
            return float(value)
        raise ValueError(
            f"{value!r} is not a direction: give degrees from north (0 to 359)"
            f" or one of {', '.join(COMPASS)}"
        )


class MapSpec(Strict):
    floors: Annotated[list[FloorSpec], Field(min_length=1)]
    nodes: Annotated[list[NodeSpec], Field(min_length=1)]
    edges: list[EdgeSpec] = Field(default_factory=list)
    destinations: list[DestinationSpec] = Field(default_factory=list)
    kiosks: list[KioskPlacement] = Field(default_factory=list)


class MapChecks:
    """The site map's faults, each "map.<key>: what is wrong", checked against the rest
    of the site file: its rooms, kiosks, services and languages."""

    def __init__(self, site: SiteFile, spec: MapSpec, folder: Path | None) -> None:
        self.site, self.spec, self.folder = site, spec, folder
        self.floors = {f.code: f for f in spec.floors}
        self.nodes = {n.id: n for n in spec.nodes}

    def problems(self) -> list[str]:
        found = [
            *self._duplicates(),
            *self._places(),
            *self._edges(),
            *self._destinations(),
            *self._kiosks(),
            *self._translations(),
            *self._images(),
        ]
        return [f"map.{problem}" for problem in found]

    def _duplicates(self) -> list[str]:
        problems = []
        for key, values in (
            ("floors[{}].code", [f.code for f in self.spec.floors]),
            ("nodes[{}].id", [n.id for n in self.spec.nodes]),
            ("destinations[{}].code", [d.code for d in self.spec.destinations]),
            ("kiosks[{}].code", [k.code for k in self.spec.kiosks]),
        ):
            first: dict[str, int] = {}
            for i, value in enumerate(values):
                if value in first:
                    also = key.format(first[value])
                    problems.append(f"{key.format(i)}: {value!r} is used twice (also {also})")
                first.setdefault(value, i)
        return problems

    def _places(self) -> list[str]:
        problems = []
        for i, node in enumerate(self.spec.nodes):
            floor = self.floors.get(node.floor)
            if floor is None:
                problems.append(f"nodes[{i}].floor: no floor {node.floor!r}")
                continue
            for axis, value, limit in (("x", node.x, floor.width), ("y", node.y, floor.height)):
                if value > limit:
                    problems.append(
                        f"nodes[{i}].{axis}: {value:g} is off floor {floor.code!r}"
                        f" (0 to {limit:g} m)"
                    )
        placements: tuple[tuple[str, Sequence[DestinationSpec | KioskPlacement]], ...] = (
            ("destinations", self.spec.destinations),
            ("kiosks", self.spec.kiosks),
        )
        for table, items in placements:
            for i, item in enumerate(items):
                if item.node not in self.nodes:
                    problems.append(f"{table}[{i}].node: no node {item.node!r}")
        return problems

    def _edges(self) -> list[str]:
        problems = []
        for i, edge in enumerate(self.spec.edges):
            ends = [self.nodes.get(edge.start), self.nodes.get(edge.end)]
            for key, name, node in (("from", edge.start, ends[0]), ("to", edge.end, ends[1])):
                if node is None:
                    problems.append(f"edges[{i}].{key}: no node {name!r}")
            if edge.start == edge.end:
                problems.append(f"edges[{i}]: it joins node {edge.start!r} to itself")
            if edge.kind in NEVER_STEP_FREE and edge.step_free:
                problems.append(f"edges[{i}].step_free: {edge.kind} are never step-free")
            if edge.kind is EdgeKind.ELEVATOR and edge.length is not None:
                problems.append(f"edges[{i}].length: an elevator takes a time (seconds)")
            if edge.kind is not EdgeKind.ELEVATOR and edge.seconds is not None:
                problems.append(f"edges[{i}].seconds: only an elevator takes a fixed time")
            a, b = ends
            if a is None or b is None or a.floor == b.floor:
                continue
            if edge.kind not in FLOOR_CHANGING:
                problems.append(
                    f"edges[{i}]: a {edge.kind} edge joins floors {a.floor!r} and {b.floor!r},"
                    " but only stairs, elevator, escalator or ramp may change floor"
                )
            elif edge.kind is not EdgeKind.ELEVATOR and edge.length is None:
                problems.append(f"edges[{i}]: {edge.kind} between floors need a length")
        return problems

    def _destinations(self) -> list[str]:
        problems = []
        known = self.site.service_keys()
        placed = {d.code for d in self.spec.destinations if d.kind is DestinationKind.ROOM}
        for i, place in enumerate(self.spec.destinations):
            # A room destination whose room left [[rooms]] is simply left out (stored()).
            if place.kind is not DestinationKind.ROOM and place.name is None:
                problems.append(f"destinations[{i}]: it needs a name")
            if place.services is not None and place.kind is not DestinationKind.WAITING:
                problems.append(f"destinations[{i}].services: only a waiting area has services")
            for key in place.services or []:
                if key not in known:
                    problems.append(f"destinations[{i}].services: unknown service {key!r}")
            if place.area and (place.area[2] <= 0 or place.area[3] <= 0):
                problems.append(f"destinations[{i}].area: give x, y, width, height")
        for i, room in enumerate(self.site.rooms):
            if room.code not in placed:
                problems.append(f"destinations: room {room.code!r} (rooms[{i}]) has no destination")
        return problems

    def _kiosks(self) -> list[str]:
        problems = []
        kiosks = {k.code for k in self.site.kiosks}
        destinations = {d.code for d in self.spec.destinations}
        for i, kiosk in enumerate(self.spec.kiosks):
            if kiosk.code not in kiosks:
                problems.append(f"kiosks[{i}].code: no kiosk {kiosk.code!r} in [[kiosks]]")
            if kiosk.code in destinations:
                problems.append(f"kiosks[{i}].code: {kiosk.code!r} is a destination's code too")
        placed = {k.code for k in self.spec.kiosks}
        for i, device in enumerate(self.site.kiosks):
            if device.code not in placed:
                problems.append(f"kiosks: kiosk {device.code!r} (kiosks[{i}]) is not on the map")
        return problems

    def _translations(self) -> list[str]:
        languages = self.site.site.languages
        named: list[tuple[str, Names | None]] = [
            *((f"floors[{i}].name", f.name) for i, f in enumerate(self.spec.floors)),
            *((f"nodes[{i}].landmark", n.landmark) for i, n in enumerate(self.spec.nodes)),
            *((f"destinations[{i}].name", d.name) for i, d in enumerate(self.spec.destinations)),
        ]
        for i, place in enumerate(self.spec.destinations):
            named += [(f"destinations[{i}].landmarks", names) for names in place.landmarks]
        problems = []
        for key, names in named:
            missing = [lang for lang in languages if names is not None and lang not in names]
            if missing:
                problems.append(f"{key}: no translation for {', '.join(missing)}")
        return problems

    def _images(self) -> list[str]:
        problems = []
        for i, floor in enumerate(self.spec.floors):
            if floor.image is None:
                continue
            path = (self.folder or Path.cwd()) / floor.image
            if path.suffix.lower() not in PLAN_IMAGES:
                problems.append(
                    f"floors[{i}].image: use a {', '.join(sorted(PLAN_IMAGES))} picture"
                )
            elif not path.is_file():
                problems.append(f"floors[{i}].image: no file {str(path)!r}")
            elif path.stat().st_size > MAX_PLAN_IMAGE_BYTES:
                problems.append(f"floors[{i}].image: larger than 5 MB")
        return problems

    def stored(self) -> dict[str, Any]:
        """The map as kept with the site: JSON, rooms named, plan pictures found."""
        data = self.spec.model_dump(mode="json", by_alias=True)
        for floor in data["floors"]:
            if floor["image"]:
                floor["image"] = str(((self.folder or Path.cwd()) / floor["image"]).resolve())
        names = {r.code: dict(r.name) for r in self.site.rooms}
        prefixes = {key: s.prefix for s in self.site.services for key in (s.code, s.prefix)}
        kept = []
        for place in data["destinations"]:
            if place["kind"] == DestinationKind.ROOM and place["code"] in names:
                place["room"] = place["code"]
                place["name"] = place["name"] or names[place["code"]]
            elif place["kind"] == DestinationKind.ROOM and not place["name"]:
                continue  # a room the site no longer uses (taken out of [[rooms]])
            if place["services"] is not None:
                place["services"] = [prefixes[key] for key in place["services"]]
            kept.append(place)
        data["destinations"] = kept
        return data

    def reachability(self, data: dict[str, Any]) -> list[str]:
        """Every destination and kiosk can be reached from every kiosk, and every room
        from every waiting area; step-free too, unless a destination says it cannot be."""
        site_map = SiteMap.from_data(data)
        starts = [(f"kiosk {k.code!r}", k.node) for k in site_map.kiosks.values()]
        waits = [
            (f"waiting area {d.code!r}", d.node)
            for d in site_map.destinations.values()
            if d.kind is DestinationKind.WAITING
        ]
        reach = {
            (node, mode): site_map.reachable(node, mode)
            for _, node in starts + waits
            for mode in Mode
        }
        problems = []
        index = {d.code: i for i, d in enumerate(self.spec.destinations)}
        targets = [
            (f"destinations[{index[d.code]}]", d.node, d.step_free, d.kind is DestinationKind.ROOM)
            for d in site_map.destinations.values()
        ] + [(f"kiosks[{i}]", k.node, False, False) for i, k in enumerate(site_map.kiosks.values())]
        for key, node, step_free, room in targets:
            froms = starts + (waits if room else [])
            lost = [name for name, start in froms if node not in reach[start, Mode.SHORTEST]]
            if lost:
                problems.append(f"map.{key}: it cannot be reached from {', '.join(lost)}")
                continue
            steps = [name for name, start in froms if node not in reach[start, Mode.STEP_FREE]]
            if step_free and steps:
                problems.append(
                    f"map.{key}: no step-free way from {', '.join(steps)}"
                    " (add one, or set step_free = false to say there is none)"
                )
        return problems


class SiteFile(Strict):
    site: SiteSpec
    services: Annotated[list[ServiceSpec], Field(min_length=1)]
    rooms: Annotated[list[RoomSpec], Field(min_length=1)]
    kiosks: list[DeviceSpec] = Field(default_factory=list)
    displays: list[DeviceSpec] = Field(default_factory=list)
    map: MapSpec | None = None  # the walking map, for wayfinding
    delay_reasons: list[DelayReasonSpec] = Field(default_factory=list, max_length=50)
    closures: list[ClosureSpec] = Field(default_factory=list, max_length=500)
    # The site's own yes/no question on the feedback survey; none: the survey asks none.
    feedback_question: FeedbackQuestionSpec | None = None
    _map_data: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> SiteFile:
        problems = [*self._duplicates(), *self._unknown_services(), *self._missing_names()]
        problems += delay_reason_problems(self.delay_reasons, self.site.languages)
        problems += self._closure_reasons()
        problems += feedback_question_problems(self.feedback_question, self.site.languages)
        if self.map is not None:
            folder = (info.context or {}).get("folder")
            checks = MapChecks(self, self.map, folder)
            map_problems = checks.problems()
            if not map_problems:
                self._map_data = checks.stored()
                map_problems = checks.reachability(self._map_data)
            problems += map_problems
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def map_data(self) -> dict[str, Any] | None:
        """The checked map as JSON, to be stored with the site (None: no map)."""
        return self._map_data

    def map_source(self) -> dict[str, Any] | None:
        """The `[map]` part as written (plan pictures found), kept with the site so that
        it can be written back to a site file (services/site_admin.py)."""
        if self.map is None or self._map_data is None:
            return None
        source = self.map.model_dump(mode="json", by_alias=True, exclude_none=True)
        for floor, stored in zip(source["floors"], self._map_data["floors"], strict=True):
            if stored["image"]:
                floor["image"] = stored["image"]
        return source

    def service_keys(self) -> set[str]:
        return {s.code for s in self.services} | {s.prefix for s in self.services}

    def _duplicates(self) -> list[str]:
        problems = []
        for key, label, values in (
            ("services[{}].code", "service code", [s.code for s in self.services]),
            ("services[{}].prefix", "service prefix", [s.prefix for s in self.services]),
            ("rooms[{}].code", "room code", [r.code for r in self.rooms]),
            ("kiosks[{}].code", "kiosk code", [k.code for k in self.kiosks]),
            ("displays[{}].code", "display code", [d.code for d in self.displays]),
        ):
            first: dict[str, int] = {}
            for i, value in enumerate(values):
                if value in first:
                    problems.append(
                        f"{key.format(i)}: {label} {value!r} is used twice"
                        f" (also {key.format(first[value])})"
                    )
                first.setdefault(value, i)
        return problems

    def _unknown_services(self) -> list[str]:
        known = self.service_keys()
        problems = []
        pairs: tuple[tuple[str, Sequence[RoomSpec | DeviceSpec]], ...] = (
            ("rooms", self.rooms),
            ("displays", self.displays),
        )
        for kind, items in pairs:
            for i, item in enumerate(items):
                for key in item.services or []:
                    if key not in known:
                        problems.append(f"{kind}[{i}].services: unknown service {key!r}")
        return problems

    def _closure_reasons(self) -> list[str]:
        problems = []
        for i, closure in enumerate(self.closures):
            names = closure.reason or {}
            missing = [lang for lang in self.site.languages if names and lang not in names]
            if missing:
                problems.append(f"closures[{i}].reason: no translation for {', '.join(missing)}")
        return problems

    def _missing_names(self) -> list[str]:
        problems = []
        pairs: tuple[tuple[str, Sequence[ServiceSpec | RoomSpec]], ...] = (
            ("services", self.services),
            ("rooms", self.rooms),
        )
        for kind, items in pairs:
            for i, item in enumerate(items):
                missing = [lang for lang in self.site.languages if lang not in item.name]
                if missing:
                    problems.append(f"{kind}[{i}].name: no translation for {', '.join(missing)}")
        return problems


def parse_site_file(path: Path) -> SiteFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SiteFileError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SiteFileError(
            f"{path}: not UTF-8 text (line {line}: byte 0x{data[error.start]:02x});"
            " save the file as UTF-8"
        ) from None
    return parse_site_text(text, source=str(path), folder=path.parent)


def parse_site_text(text: str, source: str = "site file", folder: Path | None = None) -> SiteFile:
    """`folder` is where files the site file names (floor plans) are found; default: here."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SiteFileError(f"{source}: not valid TOML: {error}") from None
    except RecursionError:  # tomllib reads nested arrays and tables by recursion
        raise SiteFileError(
            f"{source}: not valid TOML: arrays or tables nested too deeply"
        ) from None
    return check_site_data(raw, source=source, folder=folder, text=text)


def check_site_data(
    raw: dict[str, Any], *, source: str = "site file", folder: Path | None = None, text: str = ""
) -> SiteFile:
    """The one check of a site: a file's TOML, or a site edited in the console. `text`,
    when the data was read from it, is where the errors' lines are found."""
    try:
        return SiteFile.model_validate(raw, context={"folder": folder})
    except ValidationError as error:
        raise SiteFileError(f"{source}: " + _describe(error, text)) from None


def _describe(error: ValidationError, text: str) -> str:
    lines = []
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        if problem["loc"]:
            lines.append(_placed(_key_path(problem["loc"]), problem["loc"], message, text))
        else:  # a whole-file check: each part of the message starts with its key path
            lines += [_placed_by_key(part, text) for part in message.split("; ")]
    return "; ".join(lines)


def _placed(key: str, loc: tuple[Any, ...], message: str, text: str) -> str:
    line = _line_of(text, loc)
    return f"{key} (line {line}): {message}" if line else f"{key}: {message}"


_KEY_PATH = re.compile(r"^([\w.]+)\[(\d+)\](?:\.(\w+))?: (.*)$")


def _placed_by_key(part: str, text: str) -> str:
    match = _KEY_PATH.match(part)
    if not match:
        return part
    table, index, key, message = match.groups()
    loc = (*table.split("."), int(index), *([key] if key else []))
    return _placed(_key_path(loc), loc, message, text)


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line where `loc` (e.g. ("rooms", 2, "services") or ("map", "nodes", 3, "x"))
    is set, found by reading the TOML tables in order; None when the key is not written
    in the file (a missing key)."""
    lines = text.splitlines()
    headers = {ln.strip().strip("[]").strip() for ln in lines if ln.strip().startswith("[")}
    table, rest = "", list(loc)
    while rest and isinstance(rest[0], str):  # the longest table path the file has
        longer = f"{table}.{rest[0]}" if table else rest[0]
        if longer not in headers and not any(h.startswith(f"{longer}.") for h in headers):
            break
        table = longer
        rest.pop(0)
    if not table:
        return None
    index = rest.pop(0) if rest and isinstance(rest[0], int) else None
    key = next((p for p in rest if isinstance(p, str)), None)
    seen, inside = -1, False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[]").strip()
            if header == table:
                seen += stripped.startswith("[[")
                inside = index is None or seen == index
            else:  # a sub-table stays inside the table (or array element) it belongs to
                inside = inside and header.startswith(f"{table}.")
            if inside and (key is None or header == f"{table}.{key}"):
                return number
            continue
        if inside and key and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None
