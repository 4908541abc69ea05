"""The patient's status page, /t/<token>: thin views over services.ticket_status."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale

from server import services
from server.domain.errors import Gone, NotFound
from server.i18n import use_language
from server.phone import bp
from server.phone.texts import phone_texts
from server.web import ROOT

# The token in the address is the patient's only key to the page: no cache may keep
# it, and no other site may learn the address from a Referer header.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

# The home screen's icons (static/icons, written by tools/make_icons.py): Android wants a
# 192 and a 512, and a maskable one that it may cut to its own shape.
MANIFEST_ICONS = (
    ("icon-192.png", 192, "any"),
    ("icon-512.png", 512, "any"),
    ("icon-maskable-512.png", 512, "maskable"),
)


@bp.get("/t/<token>")
def ticket_page(token: str) -> Any:
    try:
        status = services.ticket_status(token)
    except (NotFound, Gone) as error:
        # A finished visit's page becomes its survey (while the link is open).
        if getattr(error, "code", "") == "ticket_ended" and services.survey_open(token):
            return redirect(url_for("feedback.survey", token=token)), 303, PRIVATE
        # 404 for a token we never issued, 410 for a visit that ended; nothing else.
        page = render_template("phone/inactive.html", referrer_policy="no-referrer")
        return page, error.status, PRIVATE
    ticket = status["ticket"]
    use_language(ticket["language"])
    config = {
        "token": token,
        "snapshot": status,
        "language": str(get_locale()),
        "texts": phone_texts(),
        # How this patient asked to be called (at check-in): for their own page only.
        "call": services.phone_call_style(token),
        # The key this deployment signs its pushes with (the browser's applicationServerKey).
        "push_key": services.push_public_key(),
        "urls": {
            "status": url_for("api.ticket_status", token=token),
            "cancel": url_for("api.cancel_own_ticket", token=token),
            # Fetched when the ticket is called, rather than sent in every ticket_update.
            "route": url_for("api.ticket_route", token=token),
            # Only where the server sends texts (an SMS_URL): else the form is not shown.
            "texts": url_for("api.ask_for_texts", token=token)
            if services.texts_offered()
            else None,
            # Only where the server sends Web Push (a VAPID key): else no button.
            "push": url_for("api.ask_for_push", token=token) if services.push_offered() else None,
            "push_off": url_for("api.stop_push", token=token),
            # "I'm here" by the phone's location: only where the site file says where it is.
            "arrive_location": url_for("api.arrive_by_location", token=token)
            if ticket.get("remote") and services.location_offered(ticket["site"]["slug"])
            else None,
            "worker": url_for("phone.push_worker"),
            # The page turns into the survey when the visit is done (feedback/views.py).
            "survey": url_for("feedback.survey", token=token),
        },
    }
    page = render_template(
        "phone/ticket.html",
        ticket=ticket,
        config=config,
        statements=services.statements_for_phone(ticket["site"]["slug"]),
        arrival_wrong=request.args.get("arrival") == "wrong",
        referrer_policy="no-referrer",
    )
    return page, 200, PRIVATE


@bp.get("/t/push-worker.js")
def push_worker() -> Response:
    """The service worker that shows a push (static/js/push-worker.js). Served from /t/ so
    that its scope is the ticket pages and nothing else; never cached for long, so a new
    version reaches phones at once."""
    script = (ROOT / "static" / "js" / "push-worker.js").read_text(encoding="utf-8")
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/t/<token>/manifest.webmanifest")
def ticket_manifest(token: str) -> Any:
    """The web app manifest of one ticket's page: "Add to Home Screen" (which an iPhone
    needs before it shows notifications) opens this ticket."""
    try:
        ticket = services.ticket_status(token)["ticket"]
    except (NotFound, Gone) as error:
        return jsonify(error=error.code), error.status, PRIVATE
    use_language(ticket["language"])
    manifest = {
        "name": f"{ticket['site']['name']} · {ticket['number']}",
        "short_name": ticket["number"],
        "lang": str(get_locale()),
        "start_url": url_for("phone.ticket_page", token=token),
        "scope": url_for("phone.ticket_page", token=token),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#ffffff",
        "icons": [
            {
                "src": url_for("static", filename=f"icons/{name}"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for name, size, purpose in MANIFEST_ICONS
        ],
    }
    response = jsonify(manifest)
    response.mimetype = "application/manifest+json"
    return response, 200, PRIVATE
