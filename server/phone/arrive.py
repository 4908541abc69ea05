"""The page the arrival poster's QR code opens, /arrive/<site>?key=…: "I'm here" with one
tap for a ticket of that site this phone holds (its ticket page remembered it: static/js
/lib/remote-tickets.js), and the day's code for one it does not (services/posters.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _

from server.domain.errors import NotFound
from server.i18n import LANGUAGES, use_language
from server.phone import bp
from server.phone.views import PRIVATE
from server.services import posters

PLACEHOLDER = "__token__"


@bp.get("/arrive/<site>")
def arrival_page(site: str) -> Any:
    key = request.args.get("key", "")[:64]
    try:
        page = posters.arrival_page(site, key)
    except NotFound:
        abort(404)
    languages = [code for code in page["languages"] if code in LANGUAGES]
    chosen = request.accept_languages.best_match(languages) or (languages or [None])[0]
    use_language(chosen)
    config = {
        "site": page["slug"],
        "key": key,
        "placeholder": PLACEHOLDER,
        "urls": {
            "arrive": url_for("api.arrive", token=PLACEHOLDER),
            "ticket": url_for("phone.ticket_page", token=PLACEHOLDER),
        },
        "texts": {
            "arrive": _("I'm here: number {number}"),
            "done": _("Thank you. We know you are here."),
            "ended": _("This ticket is no longer active."),
            "failed": _("That did not work. Please try again."),
        },
    }
    html = render_template(
        "phone/arrive.html", page=page, config=config, referrer_policy="no-referrer"
    )
    # A made-up or replaced key: the page says to use the screen's code, as a 404.
    return html, 200 if page["valid"] else 404, PRIVATE
