"""The site file: TOML an administrator edits. Parsed and checked before anything is saved.

Errors name the key (``services[2].prefix``) and, where the TOML itself is broken, the
line and column, so that an administrator can find the fault without reading code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from server.domain.schedule import WEEKDAYS, parse_interval

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Names = dict[str, Annotated[str, Field(min_length=1, max_length=200)]]


class SiteFileError(ValueError):
    """A site file that cannot be loaded; the message says where and why."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ServiceSpec(Strict):
    code: Code
    prefix: Annotated[str, Field(pattern=r"^[A-Z]$")]
    name: Names
    typical_minutes: Annotated[float, Field(gt=0, le=480)]


class RoomSpec(Strict):
    code: Code
    name: Names
    services: Annotated[list[str], Field(min_length=1)]


class DeviceSpec(Strict):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    services: list[str] | None = None  # a display may show some services only


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
    hours: dict[str, list[str]] = Field(default_factory=dict)

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
        for day, spans in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r}; use {', '.join(WEEKDAYS)}")
            for span in spans:
                parse_interval(span)
        return value


class SiteFile(Strict):
    site: SiteSpec
    services: Annotated[list[ServiceSpec], Field(min_length=1)]
    rooms: Annotated[list[RoomSpec], Field(min_length=1)]
    kiosks: list[DeviceSpec] = Field(default_factory=list)
    displays: list[DeviceSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> SiteFile:
        problems = [*self._duplicates(), *self._unknown_services(), *self._missing_names()]
        if problems:
            raise ValueError("; ".join(problems))
        return self

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
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SiteFileError(f"{path}: cannot read it ({error.strerror})") from None
    return parse_site_text(text, source=str(path))


def parse_site_text(text: str, source: str = "site file") -> SiteFile:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SiteFileError(f"{source}: not valid TOML: {error}") from None
    try:
        return SiteFile.model_validate(raw)
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


_KEY_PATH = re.compile(r"^(\w+)\[(\d+)\]\.(\w+): (.*)$")


def _placed_by_key(part: str, text: str) -> str:
    match = _KEY_PATH.match(part)
    if not match:
        return part
    table, index, key, message = match.groups()
    loc = (table, int(index), key)
    return _placed(_key_path(loc), loc, message, text)


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line where `loc` (e.g. ("rooms", 2, "services")) is set, found by reading the
    TOML tables in order; None when the key is not written in the file (a missing key)."""
    if not loc or not isinstance(loc[0], str):
        return None
    table, rest = loc[0], list(loc[1:])
    index = rest.pop(0) if rest and isinstance(rest[0], int) else None
    key = next((p for p in rest if isinstance(p, str)), None)
    seen, inside = -1, False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[]").strip()
            if stripped.startswith("[[") and header == table:
                seen += 1
                inside = index is None or seen == index
            elif header == table or (inside and header.startswith(f"{table}.")):
                inside = index is None or header != table
            else:
                inside = False
            if inside and (key is None or header == f"{table}.{key}"):
                return number
            continue
        if inside and key and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None
