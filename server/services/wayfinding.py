"""Wayfinding: the site's destinations, a route between two places, a called room's hint.

The map is stored with the site when its file is loaded (site.settings["map"], checked
by server/sites/schema.py); each call builds the walking graph from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import has_request_context, url_for

from server.domain.errors import DomainError, NotFound
from server.domain.queue import TicketStatus
from server.domain.wayfinding import DestinationKind, EdgeKind, Mode, SiteMap
from server.extensions import db
from server.services.tickets import ticket_id_for_token
from server.storage import queries
from server.storage.models import Site, Ticket
from server.wayfinding import hints
from server.wayfinding.drawing import draw_route
from server.wayfinding.texts import Words

# Kinds in the order a list of destinations shows them.
KIND_ORDER = list(DestinationKind)


class InvalidRouteRequest(DomainError):
    code = "invalid_input"
    status = 400


def site_map_of(site: Site) -> SiteMap:
    data = (site.settings or {}).get("map")
    if not data:
        raise NotFound("This site has no map yet.", code="no_site_map")
    return SiteMap.from_data(data)


def route_language(site: Site, language: str | None) -> str:
    """The language to tell a route in: the one asked for if the site speaks it."""
    return language if language in site.languages else site.languages[0]


def parse_mode(mode: str | Mode | None) -> Mode:
    try:
        return Mode(mode or Mode.SHORTEST)
    except ValueError:
        raise InvalidRouteRequest("mode must be 'shortest' or 'step_free'.") from None


def list_destinations(site_slug: str, language: str | None = None) -> dict[str, Any]:
    """Every place a patient can be shown the way to, for a list or a search."""
    site = queries.get_site(site_slug)
    site_map = site_map_of(site)
    lang = route_language(site, language)
    words = Words(lang, site.languages)
    places = sorted(
        site_map.destinations.values(),
        key=lambda d: (KIND_ORDER.index(d.kind), words.name(d.names).casefold()),
    )
    return {
        "site": site.slug,
        "language": lang,
        "floors": [
            {"code": f.code, "name": words.name(f.names), "level": f.level}
            for f in sorted(site_map.floors.values(), key=lambda f: f.level)
        ],
        "kiosks": [
            {
                "code": k.code,
                "name": _place_name(site, site_map, k.code, words),
                "floor": site_map.nodes[k.node].floor,
            }
            for k in site_map.kiosks.values()
        ],
        "destinations": [_destination(site_map, d.code, words) for d in places],
    }


def _destination(site_map: SiteMap, code: str, words: Words) -> dict[str, Any]:
    place = site_map.destinations[code]
    floor = site_map.floor_of(place.node)
    return {
        "code": place.code,
        "kind": place.kind.value,
        "kind_name": words.kind(place.kind),
        "name": words.name(place.names),
        "names": dict(place.names),
        "floor": floor.code,
        "floor_name": words.name(floor.names),
        "landmarks": [words.name(landmark) for landmark in place.landmarks],
        "room": place.room,
        "services": list(place.services) if place.services is not None else None,
        "step_free": place.step_free,
    }


def route_between(
    site_slug: str,
    from_: str | None,
    to: str,
    mode: str | Mode | None = Mode.SHORTEST,
    language: str | None = None,
    *,
    id_prefix: str = "route",
) -> dict[str, Any]:
    """The way from a kiosk or destination (`from_`; default: the site's first kiosk)
    to a destination, told in `language` (default: the site's first), with the walking
    time, the steps in words and an SVG drawing per floor."""
    site = queries.get_site(site_slug)
    return _route_on(
        site, site_map_of(site), from_, to, mode=mode, language=language, id_prefix=id_prefix
    )


def describe_route(
    site: Site,
    map_data: dict[str, Any],
    from_: str | None,
    to: str,
    *,
    mode: str | Mode | None = Mode.SHORTEST,
    language: str | None = None,
    id_prefix: str = "route",
) -> dict[str, Any]:
    """A route on a map given as data: the admin console's preview of a map not saved."""
    site_map = SiteMap.from_data(map_data)
    return _route_on(site, site_map, from_, to, mode=mode, language=language, id_prefix=id_prefix)


def _route_on(
    site: Site,
    site_map: SiteMap,
    from_: str | None,
    to: str,
    *,
    mode: str | Mode | None,
    language: str | None,
    id_prefix: str,
) -> dict[str, Any]:
    chosen = parse_mode(mode)
    lang = route_language(site, language)
    words = Words(lang, site.languages)
    start_code = from_ or _first_kiosk(site_map)
    start_node, heading = site_map.place(start_code)
    target = site_map.destination(to)
    route = site_map.route(start_node, target.node, chosen, heading)
    at_kiosk = start_code in site_map.kiosks
    start_name = _place_name(site, site_map, start_code, words)
    floors = {code: floor.names for code, floor in site_map.floors.items()}
    end_name = words.name(target.names)
    drawings = draw_route(
        site_map,
        route,
        words,
        start_label=words.you_are_here() if at_kiosk else start_name,
        end_label=end_name,
        plan_url=lambda floor: _plan_url(site.slug, floor),
        id_prefix=id_prefix,
    )
    return {
        "site": site.slug,
        "language": lang,
        "mode": chosen.value,
        "from": {
            "code": start_code,
            "kind": "kiosk" if at_kiosk else site_map.destinations[start_code].kind.value,
            "name": start_name,
            "floor": site_map.nodes[start_node].floor,
        },
        "to": _destination(site_map, target.code, words),
        "metres": round(route.metres),
        "seconds": round(route.seconds),
        "minutes": route.minutes,
        "duration": words.duration(route.minutes),
        "uses": sorted(kind.value for kind in route.kinds if kind not in _PLAIN),
        "steps": [
            {
                "action": step.action.value,
                "text": words.step(step, floors, start_name),
                "floor": step.floor,
                "metres": round(step.metres),
                "turn": step.turn.value if step.turn else None,
                "via": step.via.value if step.via else None,
                "to_floor": step.to_floor,
                "side": step.side.value if step.side else None,
                "ordinal": step.ordinal,
                "landmark": words.name(step.landmark) or None,
            }
            for step in route.steps
        ],
        "drawings": [{"floor": d.floor, "name": d.name, "svg": d.svg} for d in drawings],
        "url": route_link(site.slug, start_code, target.code, chosen, lang),
    }


_PLAIN = {EdgeKind.WALK, EdgeKind.DOOR}


def _first_kiosk(site_map: SiteMap) -> str:
    if not site_map.kiosks:
        raise InvalidRouteRequest("Say where the route starts (from=).")
    return next(iter(site_map.kiosks))


def _place_name(site: Site, site_map: SiteMap, code: str, words: Words) -> str:
    if code in site_map.destinations:
        return words.name(site_map.destinations[code].names)
    device = next((d for d in site.devices if d.kind == "kiosk" and d.code == code), None)
    return device.name if device else code


def route_link(site: str, from_: str | None, to: str, mode: Mode, language: str) -> str:
    """The address of the route page, for a link or a QR code (relative to the server)."""
    query: dict[str, Any] = {"site": site, "from": from_, "to": to, "mode": mode.value}
    query = {key: value for key, value in {**query, "lang": language}.items() if value}
    if has_request_context():
        return url_for("wayfinding.route_page", **query)
    return "/route?" + urlencode(query)


def _plan_url(site: str, floor: str) -> str:
    if has_request_context():
        return url_for("wayfinding.floor_plan", site=site, floor=floor)
    return f"/route/plans/{site}/{floor}"


def floor_plan_image(site_slug: str, floor: str) -> Path:
    """The picture of a floor's plan, as named in the site file."""
    site = queries.get_site(site_slug)
    site_map = site_map_of(site)
    plan = site_map.floors.get(floor)
    if plan is None or not plan.image or not Path(plan.image).is_file():
        raise NotFound(f"There is no plan of floor {floor!r}.", code="no_floor_plan")
    return Path(plan.image)


class NotCalled(DomainError):
    code = "not_called"
    status = 409


def route_for_ticket(token: str) -> dict[str, Any]:
    """The way from where a called ticket's patient waits to the room they are called
    to, in the ticket's language, step-free when they asked for it at check-in.

    Only while the ticket is called, and only from its token: it tells the phone
    nothing the phone's own ticket view does not (its service, its room).
    """
    ticket = db.session.get_one(Ticket, ticket_id_for_token(token))
    if ticket.status != TicketStatus.CALLED or ticket.room is None:
        raise NotCalled("The way to the room is shown once the ticket is called.")
    site = ticket.site.slug
    mode = Mode.STEP_FREE if ticket.step_free else Mode.SHORTEST
    start = waiting_area_for(site, ticket.service.prefix)
    return route_between(site, start, ticket.room.code, mode, ticket.language)


def waiting_area_for(site_slug: str, service: str) -> str | None:
    """The waiting area where a service's patients wait: the first that lists the
    service (by prefix or code), else the first that lists none; None without a map."""
    site = queries.get_site(site_slug)
    prefix = queries.get_service(site, service).prefix
    site_map = hints.map_of(site.settings)
    return hints.waiting_area(site_map, prefix) if site_map else None


def room_hint(
    site_slug: str, room: str, language: str | None = None, from_: str | None = None
) -> str | None:
    """A called room in one line ("Room 3, Level 1, take the elevator"), for the display.

    The way is judged from `from_` (default: the first waiting area, else the first
    kiosk), step-free where there is such a way, so that the hint suits everyone.
    None when the site has no map.
    """
    site = queries.get_site(site_slug)
    site_map = hints.map_of(site.settings)
    if site_map is None:
        return None
    words = Words(route_language(site, language), site.languages)
    return hints.room_hint(site_map, words, room, from_)


def room_hints(site_slug: str, rooms: Sequence[str], language: str | None = None) -> dict[str, str]:
    """Hints for several rooms at once (rooms missing from the map are left out)."""
    found = {}
    for room in rooms:
        try:
            hint = room_hint(site_slug, room, language)
        except NotFound:
            continue
        if hint:
            found[room] = hint
    return found
