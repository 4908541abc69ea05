"""The kiosk page, and the QR code on the tickets it prints."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask_babel import force_locale

from kiosk import bp
from kiosk.texts import kiosk_texts
from server import posters, screens, services
from server.domain.errors import DomainError, NotFound
from server.i18n import LANGUAGES, text_direction, use_language
from server.qr import phone_link, public_base_url, qr_svg, short_link
from server.services import posters as poster_facts

# Seconds without a touch before the kiosk warns that it will go back to the start,
# then how long the warning (with "More time") stays up: at least 20 s (WCAG 2.2.1).
IDLE_SECONDS = (60, 10, 600)  # default, lowest, highest
WARNING_SECONDS = (30, 20, 120)
# A URL-safe stand-in for a ticket's token in the addresses kiosk.js completes.
PLACEHOLDER = "__token__"
# The on-screen keys, in alphabetical order: easier than QWERTY for people who do not type.
CODE_KEYS = list("1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ")
NAME_KEYS = list("ABCDEFGHIJKLMNÑOPQRSTUVWXYZ-'")
DIGIT_KEYS = list("1234567890")
# Searching for a place: letters and digits ("Room 3"); accents and Ñ are matched
# without their marks, so they need no keys of their own.
SEARCH_KEYS = CODE_KEYS
# The longest value a route's QR code takes from its address (codes, not free text).
ROUTE_ARG_LENGTH = 64


@bp.get("/kiosk")
def kiosk_page() -> Any:
    """The kiosk, for ?site= (else the only site) as ?device=, or as the device this
    browser was paired with; unpaired, it shows a pairing code (with pairing off, it
    is the site's first kiosk)."""
    device = request.args.get("device") or None
    site_slug = request.args.get("site")
    if device is None and screens.pairing_on():
        screen = screens.screen_of_browser("kiosk")
        if screen.device is None:
            return render_template(
                "kiosk/pairing.html", pairing=screens.pairing_config(screen, "kiosk")
            )
        site_slug, device = screen.device.site.slug, screen.device.code
    try:
        setup = services.kiosk_setup(site_slug or services.sole_site(), device)
    except DomainError as error:
        return render_template("kiosk/unavailable.html"), error.status
    site = setup["site"]
    # Each patient starts in the site's first language, whatever the browser prefers.
    use_language(site["languages"][0])
    return render_template(
        "kiosk/kiosk.html",
        site=site,
        config=_page_config(setup),
        language_names={lang: LANGUAGES.get(lang, lang) for lang in site["languages"]},
        directions={lang: text_direction(lang) for lang in site["languages"]},
        keys={"code": CODE_KEYS, "name": NAME_KEYS, "digits": DIGIT_KEYS, "search": SEARCH_KEYS},
        t=kiosk_texts(),
        texts_offered=services.texts_offered(),
        join=_join(site["slug"]),
    )


def _join(slug: str) -> dict[str, str] | None:
    """The start screen's "Join the line from your phone", where remote joining is
    offered: its QR code and the address to type."""
    facts = poster_facts.join_poster(slug)
    if not facts["remote"]:
        return None
    return {
        "qr": url_for("kiosk.join_qr", site=slug),
        "link": short_link(posters.join_link(facts)),
    }


@bp.get("/kiosk/tickets/<token>/qr.svg")
def ticket_qr(token: str) -> Response:
    """The QR code on a ticket, linking to its phone page (404 or 410 once it ended)."""
    ticket = services.ticket_status(token)["ticket"]
    setup = services.kiosk_setup(ticket["site"]["slug"])
    svg = qr_svg(phone_link(token, setup["public_url"]))
    return Response(
        svg,
        mimetype="image/svg+xml",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@bp.get("/kiosk/join/qr.svg")
def join_qr() -> Response:
    """The start screen's QR code: the site's join page (/join), the same link as the
    printed join poster's (server/posters.py). ?site= (else the only site)."""
    try:
        facts = poster_facts.join_poster(request.args.get("site") or services.sole_site())
    except DomainError as error:
        abort(error.status)
    svg = qr_svg(posters.join_link(facts))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-cache"})


@bp.get("/kiosk/route/qr.svg")
def route_qr() -> Response:
    """The QR code that carries a route from the kiosk to a phone: it opens the route
    page (/route?...) at the clinic's public address. ?site=&from=&to=&mode=&lang=."""
    args = {key: request.args.get(key) or None for key in ("site", "from", "to", "mode", "lang")}
    if not args["to"] or any(len(value or "") > ROUTE_ARG_LENGTH for value in args.values()):
        abort(400)
    try:
        site = args["site"] or services.sole_site()
        route = services.route_between(site, args["from"], args["to"], args["mode"], args["lang"])
        public_url = services.kiosk_setup(site)["public_url"]
    except DomainError as error:
        abort(error.status)
    svg = qr_svg(route_link(route["url"], public_url))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


def route_link(path: str, site_public_url: str | None) -> str:
    """A route page's full address, as a phone on the clinic's network opens it."""
    # A configured address already names any path prefix the app is mounted under.
    return public_base_url(site_public_url) + path[len(request.script_root) :]


def _wayfinding(site: str, device: str | None) -> dict[str, Any] | None:
    """What "Find your way" needs, or None when the site has no map: the kiosk's own
    place on the map (routes start there), if the map has it."""
    try:
        kiosks = services.list_destinations(site)["kiosks"]
    except NotFound:
        return None
    return {"from": device if any(k["code"] == device for k in kiosks) else None}


def _page_config(setup: dict[str, Any]) -> dict[str, Any]:
    """What kiosk.js needs, handed over as JSON."""
    site = setup["site"]
    slug = site["slug"]
    link = phone_link(PLACEHOLDER, setup["public_url"])
    return {
        "site": site,
        "device": setup["device"],
        "token_placeholder": PLACEHOLDER,
        "texts": _texts_by_language(site["languages"]),
        # Arabic is laid out right to left: the page turns when the patient chooses it.
        "directions": {language: text_direction(language) for language in site["languages"]},
        "idle_seconds": _seconds_arg("idle", IDLE_SECONDS),
        "warning_seconds": _seconds_arg("warning", WARNING_SECONDS),
        "wayfinding": _wayfinding(slug, setup["device"]),
        # A route's page at the address phones use: public_base + its path after script_root.
        "public_base": public_base_url(setup["public_url"]),
        "script_root": request.script_root,
        "urls": {
            "site": url_for("api.site_info", site=slug),
            "walk_in": url_for("api.check_in_walk_in", site=slug),
            "appointment": url_for("api.check_in_appointment", site=slug),
            "lookup": url_for("api.look_up_appointment", site=slug),
            "arrival": url_for("api.arrive_at_kiosk", site=slug),
            "qr": url_for("kiosk.ticket_qr", token=PLACEHOLDER),
            "phone": link,
            "phone_short": short_link(link),
            "destinations": url_for("api.destinations", site=slug),
            "route": url_for("api.route", site=slug),
            "route_qr": url_for("kiosk.route_qr"),
            # "Text me when it's my turn", only where the server sends texts.
            "texts": url_for("api.ask_for_texts", token=PLACEHOLDER)
            if services.texts_offered()
            else None,
        },
    }


def _texts_by_language(languages: list[str]) -> dict[str, dict[str, str]]:
    texts = {}
    for language in languages:
        with force_locale(language):
            texts[language] = kiosk_texts()
    return texts


def _seconds_arg(name: str, limits: tuple[int, int, int]) -> int:
    """A timeout from the kiosk's address (?idle=90), kept within its limits."""
    default, lowest, highest = limits
    return max(lowest, min(highest, request.args.get(name, default=default, type=int)))
