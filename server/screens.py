"""Which kiosk or display a browser is: its `?device=`, or the device its screen was
paired with (services/pairing.py), kept in a long-lived signed cookie.

The cookie holds only the screen's random token, signed with the app's key so a
tampered cookie is refused before the database is asked; the server keeps the token's
digest, so unpairing ends the cookie at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Response, after_this_request, current_app, request, url_for
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from server import services
from server.extensions import limiter
from server.services.pairing import Screen

View = TypeVar("View", bound=Callable[..., Any])

COOKIE = "waitroom_screen"
# Browsers keep a cookie at most 400 days; a screen in use is given it anew on each load.
KEPT = timedelta(days=400)
_SALT = "waitroom.screen"


def pairing_on() -> bool:
    return bool(current_app.config["SCREEN_PAIRING"])


def screen_of_browser(kind: str) -> Screen:
    """This browser's screen (a paired device, or a code to show); the cookie is set on
    the response."""
    screen = services.screen_for(kind, browser_token())
    after_this_request(lambda response: _keep(response, screen.token))
    return screen


def pairing_config(screen: Screen, kind: str) -> dict[str, object]:
    """What a waiting screen's page needs: its code, and where to ask whether it is paired."""
    return {
        "code": screen.code,
        "expires_in": screen.expires_in,
        "status_url": url_for("screens.pairing_status", kind=kind),
    }


def pairing_polls(view: View) -> View:
    """How often a waiting screen may ask whether it is paired: per screen (its cookie;
    it asks every 2 seconds at first, then less often: static/js/lib/pairing.js), and
    per address, since a browser without the cookie is a new screen, a row written."""

    def setting(name: str) -> Callable[[], str]:
        return lambda: str(current_app.config[name])

    by_screen = limiter.limit(
        setting("PAIRING_POLLS_PER_SCREEN"), key_func=_screen_key, methods=["GET"]
    )
    by_address = limiter.limit(
        setting("PAIRING_POLLS_PER_ADDRESS"), key_func=get_remote_address, methods=["GET"]
    )
    limited: View = by_address(by_screen(view))
    return limited


def _screen_key() -> str:
    token = browser_token()
    return f"screen:{token}" if token else f"address:{get_remote_address()}"


def browser_token() -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def _keep(response: Response, token: str) -> Response:
    response.set_cookie(
        COOKIE,
        _serializer().dumps(token),
        max_age=int(KEPT.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )
    return response


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)
