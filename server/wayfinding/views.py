"""The route page, /route?site=&from=&to=&mode=&lang=: the way to a destination, for
anyone, with no ticket; and the floor-plan pictures the route drawings use."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask_babel import gettext as _

from server import services
from server.domain.errors import DomainError, NotFound
from server.i18n import LANGUAGES, select_language, use_language

bp = Blueprint("wayfinding", __name__, template_folder="templates")

# An uploaded SVG plan is shown as a picture; opened on its own it must not run anything.
PLAN_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@bp.get("/route")
def route_page() -> Any:
    args = request.args
    try:
        site = args.get("site") or services.sole_site()
        places = services.list_destinations(site, select_language())
    except DomainError as refused:
        page = render_template("wayfinding/unavailable.html", message=_message(refused))
        return page, refused.status
    language = places["language"]
    use_language(language)  # the page speaks the language its steps are told in
    choice: dict[str, Any] = {
        "site": site,
        "from": args.get("from") or (places["kiosks"][0]["code"] if places["kiosks"] else ""),
        "to": args.get("to", ""),
        "mode": args.get("mode") or "shortest",
        "lang": language,
    }
    route, error, status = None, None, 200
    if choice["to"]:
        try:
            route = services.route_between(
                site, choice["from"] or None, choice["to"], choice["mode"], language
            )
        except DomainError as refused:
            error, status = _message(refused), refused.status
    return render_template(
        "wayfinding/route.html",
        places=places,
        route=route,
        error=error,
        choice=choice,
        site_name=services.site_info(site)["name"],
        language_links={
            code: url_for("wayfinding.route_page", **{**_query(choice), "lang": code})
            for code in _site_languages(site)
        },
        other_mode_link=url_for(
            "wayfinding.route_page",
            **{
                **_query(choice),
                "mode": "shortest" if choice["mode"] == "step_free" else "step_free",
            },
        ),
        LANGUAGES=LANGUAGES,
    ), status


@bp.get("/route/plans/<site>/<floor>")
def floor_plan(site: str, floor: str) -> Any:
    """A floor's plan picture, as named in the site file (drawn under the route)."""
    try:
        path = services.floor_plan_image(site, floor)
    except NotFound:
        abort(404)
    response = send_file(path, max_age=3600)
    if path.suffix.lower() == ".svg":
        response.headers["Content-Security-Policy"] = PLAN_SVG_POLICY
    return response


def _query(choice: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in choice.items() if value}


def _site_languages(site: str) -> list[str]:
    return [code for code in services.site_info(site)["languages"] if code in LANGUAGES]


def _message(error: DomainError) -> str:
    """A refusal in the page's language (the services' messages are English)."""
    messages = {
        "unknown_site": _("There is no such site here."),
        "site_required": _("This server runs several sites: open the link for yours."),
        "no_site_map": _("This site has no map yet. Please ask at the front desk."),
        "unknown_destination": _("We could not find that place. Please choose one below."),
        "unknown_place": _("We could not find that place. Please choose one below."),
        "no_step_free_route": _(
            "There is no step-free way there. Please ask at the front desk for help."
        ),
        "no_route": _("There is no way there on the map. Please ask at the front desk."),
        "invalid_input": _("Please choose where you want to go, and how."),
    }
    return str(messages.get(error.code, _("Something went wrong. Please ask at the front desk.")))
