"""What a waiting kiosk or display asks every few seconds: is it paired yet?"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify

from server import screens, services
from server.services.pairing import KINDS
from server.staff_admin import screens_bp


@screens_bp.get("/screens/<kind>/pairing")
@screens.pairing_polls
def pairing_status(kind: str) -> Any:
    """From a waiting screen: its code (a new one once it expired), or what it now is."""
    if kind not in KINDS:
        abort(404)
    screen = screens.screen_of_browser(kind)
    if screen.device is None:
        return jsonify(paired=False, **screens.pairing_config(screen, kind))
    device = screen.device
    answer: dict[str, Any] = {
        "paired": True,
        "device": {"code": device.code, "name": device.name, "site": device.site.slug},
    }
    if kind == "display":  # it becomes that display without a reload
        answer["setup"] = services.display_setup(device.site.slug, device=device.code)
    return jsonify(answer)
