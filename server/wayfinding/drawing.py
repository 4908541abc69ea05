"""The route drawn on each floor it crosses: inline SVG, built on the server.

One drawing per floor, in the order walked: the floor's outline (or its plan picture),
the destinations' outlines, the corridors of the walking graph, the route as a thick
line with an arrow, and labelled points: "You are here" (or the start), the
destination, and where the route leaves or reaches the floor. Each drawing is an image
with a title; the text steps beside it are the accessible alternative.

ElementTree escapes every name that comes from the site file. Colours are presentation
attributes (so the SVG stands alone) that static/css/route.css overrides per theme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from server.domain.wayfinding import Route, SiteMap
from server.wayfinding.texts import Words

SVG_NS = "http://www.w3.org/2000/svg"
MARGIN = 3.0  # metres of room around the floor, for labels at its edge
LABEL_SIZE = 1.8  # metres: about 14 px on a 60 m floor drawn 480 px wide


@dataclass(frozen=True)
class Drawing:
    floor: str  # floor code
    name: str  # floor name, in the route's language
    svg: str


def floors_walked(site_map: SiteMap, route: Route) -> list[str]:
    """The floors the route crosses, in the order it reaches them."""
    floors: list[str] = []
    for node in route.nodes:
        floor = site_map.nodes[node].floor
        if floor not in floors:
            floors.append(floor)
    return floors


def draw_route(
    site_map: SiteMap,
    route: Route,
    words: Words,
    *,
    start_label: str,
    end_label: str,
    plan_url: Callable[[str], str] | None = None,
    id_prefix: str = "route",
) -> list[Drawing]:
    return [
        Drawing(
            floor=code,
            name=words.name(site_map.floors[code].names),
            svg=_floor_svg(
                site_map,
                route,
                code,
                words,
                start_label=start_label,
                end_label=end_label,
                plan_url=plan_url,
                ident=f"{id_prefix}-{code}",
            ),
        )
        for code in floors_walked(site_map, route)
    ]


def _floor_svg(
    site_map: SiteMap,
    route: Route,
    code: str,
    words: Words,
    *,
    start_label: str,
    end_label: str,
    plan_url: Callable[[str], str] | None,
    ident: str,
) -> str:
    floor = site_map.floors[code]
    floor_name = words.name(floor.names)
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "class": "route-map",
            "viewBox": _numbers(
                -MARGIN, -MARGIN, floor.width + 2 * MARGIN, floor.height + 2 * MARGIN
            ),
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "focusable": "false",
        },
    )
    ET.SubElement(svg, "title", id=f"{ident}-title").text = words.map_title(floor_name, end_label)
    ET.SubElement(svg, "desc", id=f"{ident}-desc").text = words.map_description()
    defs = ET.SubElement(svg, "defs")
    arrow = ET.SubElement(
        defs,
        "marker",
        {
            "id": f"{ident}-arrow",
            "viewBox": "0 0 10 10",
            "refX": "5",
            "refY": "5",
            "markerWidth": "3",
            "markerHeight": "3",
            "orient": "auto-start-reverse",
        },
    )
    ET.SubElement(
        arrow, "path", {"d": "M0,0 L10,5 L0,10 z", "class": "route-arrow", "fill": "#0b5cab"}
    )

    _plan(svg, site_map, code, words, plan_url)
    _route_lines(svg, site_map, route, code, ident)
    _points(svg, site_map, route, code, words, start_label=start_label, end_label=end_label)
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)


def _plan(
    svg: ET.Element,
    site_map: SiteMap,
    code: str,
    words: Words,
    plan_url: Callable[[str], str] | None,
) -> None:
    floor = site_map.floors[code]
    ET.SubElement(
        svg,
        "rect",
        {
            "class": "plan-floor",
            "x": "0",
            "y": "0",
            "width": _n(floor.width),
            "height": _n(floor.height),
            "fill": "#f7f8fa",
            "stroke": "#6b6b6b",
            "stroke-width": "0.2",
        },
    )
    if floor.image and plan_url is not None:
        ET.SubElement(
            svg,
            "image",
            {
                "class": "plan-image",
                "href": plan_url(code),
                "x": "0",
                "y": "0",
                "width": _n(floor.width),
                "height": _n(floor.height),
                "preserveAspectRatio": "none",
            },
        )
    areas = ET.SubElement(svg, "g", {"class": "plan-areas"})
    labels: list[tuple[float, float, str]] = []
    for place in site_map.destinations.values():
        if place.area is None or site_map.nodes[place.node].floor != code:
            continue
        x, y, width, height = place.area
        ET.SubElement(
            areas,
            "rect",
            {
                "x": _n(x),
                "y": _n(y),
                "width": _n(width),
                "height": _n(height),
                "fill": "#ffffff",
                "stroke": "#6b6b6b",
                "stroke-width": "0.15",
            },
        )
        labels.append((x + width / 2, y + 1.7, words.name(place.names)))
    corridors = []
    for edge in site_map.edges:
        a, b = site_map.nodes[edge.start], site_map.nodes[edge.end]
        if a.floor == code and b.floor == code:
            corridors.append(f"M{_n(a.x)},{_n(a.y)} L{_n(b.x)},{_n(b.y)}")
    if corridors:
        ET.SubElement(
            svg,
            "path",
            {
                "class": "plan-corridors",
                "d": " ".join(corridors),
                "fill": "none",
                "stroke": "#c3c8d0",
                "stroke-width": "1.4",
                "stroke-linecap": "round",
            },
        )
    # Names go on top of the corridors, near the top of each outline, with a halo.
    names = ET.SubElement(svg, "g", {"class": "plan-labels"})
    for x, y, text in labels:
        label = ET.SubElement(
            names,
            "text",
            {
                "class": "plan-label",
                "x": _n(x),
                "y": _n(y),
                "font-size": "1.3",
                "text-anchor": "middle",
                "fill": "#4a4a4a",
                "stroke": "#ffffff",
                "stroke-width": "0.4",
                "paint-order": "stroke",
            },
        )
        label.text = text


def _route_lines(svg: ET.Element, site_map: SiteMap, route: Route, code: str, ident: str) -> None:
    """The route's stretches on this floor (a route may leave a floor and come back)."""
    runs: list[list[str]] = []
    current: list[str] = []
    for leg in route.legs:
        a, b = site_map.nodes[leg.start], site_map.nodes[leg.end]
        if a.floor == code and b.floor == code:
            if not current:
                current = [leg.start]
            current.append(leg.end)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    for run in runs:
        points = " ".join(f"{_n(site_map.nodes[n].x)},{_n(site_map.nodes[n].y)}" for n in run)
        ET.SubElement(
            svg,
            "polyline",
            {
                "class": "route-line",
                "points": points,
                "fill": "none",
                "stroke": "#0b5cab",
                "stroke-width": "0.8",
                "stroke-linecap": "round",
                "stroke-linejoin": "round",
                "marker-end": f"url(#{ident}-arrow)",
            },
        )


def _points(
    svg: ET.Element,
    site_map: SiteMap,
    route: Route,
    code: str,
    words: Words,
    *,
    start_label: str,
    end_label: str,
) -> None:
    marks: list[tuple[str, str, str]] = []  # (node, kind, label)
    for leg in route.legs:
        a, b = site_map.nodes[leg.start], site_map.nodes[leg.end]
        if a.floor == b.floor:
            continue
        if a.floor == code:
            marks.append(
                (
                    a.id,
                    "change",
                    words.level_change_label(words.name(site_map.floors[b.floor].names)),
                )
            )
        if b.floor == code:
            marks.append(
                (
                    b.id,
                    "change",
                    words.arrival_from_label(words.name(site_map.floors[a.floor].names)),
                )
            )
    if site_map.nodes[route.start].floor == code:
        marks.append((route.start, "start", start_label))
    if site_map.nodes[route.end].floor == code:
        marks.append((route.end, "end", end_label))
    floor = site_map.floors[code]
    colours = {"start": "#1e6b34", "end": "#a4161a", "change": "#0b5cab"}
    for node_id, kind, label in marks:
        node = site_map.nodes[node_id]
        group = ET.SubElement(svg, "g", {"class": f"route-point route-{kind}"})
        if kind == "change":
            ET.SubElement(
                group,
                "rect",
                {
                    "x": _n(node.x - 1),
                    "y": _n(node.y - 1),
                    "width": "2",
                    "height": "2",
                    "fill": colours[kind],
                    "stroke": "#ffffff",
                    "stroke-width": "0.3",
                },
            )
        else:
            ET.SubElement(
                group,
                "circle",
                {
                    "cx": _n(node.x),
                    "cy": _n(node.y),
                    "r": "1.2",
                    "fill": colours[kind],
                    "stroke": "#ffffff",
                    "stroke-width": "0.3",
                },
            )
        right_half = node.x > floor.width * 0.6
        text = ET.SubElement(
            group,
            "text",
            {
                "x": _n(node.x - 1.8 if right_half else node.x + 1.8),
                "y": _n(max(node.y - 1.6, LABEL_SIZE - MARGIN + 0.5)),
                "font-size": _n(LABEL_SIZE),
                "font-weight": "bold",
                "text-anchor": "end" if right_half else "start",
                "fill": "#1a1a1a",
                "stroke": "#ffffff",
                "stroke-width": "0.5",
                "paint-order": "stroke",
            },
        )
        text.text = label


def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def _numbers(*values: float) -> str:
    return " ".join(_n(v) for v in values)
