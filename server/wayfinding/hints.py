"""A called room in one line, for the waiting-room display: "Room 3, Level 1, take the
elevator"; and the waiting area a service's patients wait in.

These work on the map stored with the site (site.settings["map"]) and touch neither the
database nor Flask, so that server/payloads.py can put a hint in every call it sends to
the displays (payloads sit below the services, which cannot be called from there).
server/services/wayfinding.py answers the same questions by site slug.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from server.domain.wayfinding import DestinationKind, Mode, NoRoute, Route, SiteMap
from server.wayfinding.texts import Words


def map_of(settings: Mapping[str, Any] | None) -> SiteMap | None:
    """The site's checked map, or None when its file has none."""
    data = (settings or {}).get("map")
    return SiteMap.from_data(data) if data else None


def waiting_area(site_map: SiteMap, prefix: str) -> str | None:
    """Where a service's patients wait: the first waiting area that lists the service,
    else the first that lists none; None when there is neither."""
    areas = [d for d in site_map.destinations.values() if d.kind is DestinationKind.WAITING]
    listed = [d for d in areas if d.services is not None and prefix in d.services]
    for_all = [d for d in areas if d.services is None]
    chosen = listed or for_all
    return chosen[0].code if chosen else None


def room_hint(site_map: SiteMap, words: Words, room: str, start: str | None = None) -> str:
    """The room, its floor, and how to change floor to get there ("take the elevator").

    The way is judged from `start` (default: the first waiting area, else the first
    kiosk), step-free where there is such a way, so that the hint suits everyone.
    Raises NotFound when the room is not on the map.
    """
    return _hints(site_map, [words], room, start)[words.language]


def call_hints(
    site_map: SiteMap | None,
    languages: Sequence[str],
    calls: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], dict[str, str]]:
    """Hints for calls, each given as (room code, service prefix), in every language:
    {(room, prefix): {language: hint}}. The way is judged from the service's waiting
    area. Rooms that are not on the map get no hint; without a map, nothing."""
    if site_map is None:
        return {}
    words = [Words(language, languages) for language in languages]
    return {
        (room, prefix): _hints(site_map, words, room, waiting_area(site_map, prefix))
        for room, prefix in set(calls)
        if room in site_map.destinations
    }


def _hints(
    site_map: SiteMap, languages: Sequence[Words], room: str, start: str | None
) -> dict[str, str]:
    """One room's hint in several languages; the way is worked out once."""
    target = site_map.destination(room)
    floor = site_map.floor_of(target.node)
    start = start or _default_start(site_map)
    via = None
    if start is not None:
        node, _ = site_map.place(start)
        route = _step_free_if_possible(site_map, node, target.node)
        via = next((s.via for s in route.steps if s.via and s.to_floor), None) if route else None
    return {
        words.language: words.hint(words.name(target.names), words.name(floor.names), via)
        for words in languages
    }


def _default_start(site_map: SiteMap) -> str | None:
    waiting = [d.code for d in site_map.destinations.values() if d.kind is DestinationKind.WAITING]
    starts = waiting or list(site_map.kiosks)
    return starts[0] if starts else None


def _step_free_if_possible(site_map: SiteMap, start: str, end: str) -> Route | None:
    for mode in (Mode.STEP_FREE, Mode.SHORTEST):
        try:
            return site_map.route(start, end, mode)
        except NoRoute:
            continue
    return None
