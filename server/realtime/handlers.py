"""Socket.IO connection handlers, grouped by who connects.

A client says who it is in the connect `auth` payload:
- a phone: {"ticket": "<token>"}            -> room ticket:<id>
- a display or kiosk: {"display": "<site>", "device"?: "<code>"} -> room display:<site>
  (and desks are told it is connected: see presence.py); a paired screen's sockets also
  join screen:<id>, so unpairing it drops them (services/pairing.py)
- staff: {"staff": "<site>"} with a login   -> room staff:<site>
Anything else is refused. On connect each client gets a snapshot at once; it can ask
for another with the `sync` event whenever it sees a gap in the sequence numbers.
"""

from __future__ import annotations

from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, SocketIO, disconnect, join_room
from flask_socketio import emit as emit_to_sender

from server import auth, clock, screens, services
from server.domain.errors import DomainError
from server.domain.text import check_line
from server.realtime import presence, rooms
from server.realtime.publish import (
    DISPLAY_UPDATE,
    STAFF_UPDATE,
    TICKET_UPDATE,
    Message,
    publish,
)
from server.services.pairing import ScreenUnpaired


def register(socketio: SocketIO) -> None:
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("sync", on_sync)


def on_connect(auth_payload: Any = None) -> bool:
    """Sent by every client when it connects; joins the one room it may see."""
    try:
        kind, room, snapshot_event, snapshot = _admit(auth_payload)
        screen = _paired_screen(auth_payload) if kind == "display" else None
    except ScreenUnpaired as error:
        # The page says why, and loads itself again to show a new pairing code.
        raise ConnectionRefusedError(error.code) from error
    except DomainError:
        return False
    join_room(room)
    if screen is not None:
        join_room(rooms.screen_room(screen))
    if kind == "staff":
        join_room(rooms.login_room(auth.login_id()))
    session["waitroom.client"] = [kind, _subject(auth_payload, kind)]
    emit_to_sender(snapshot_event, snapshot, to=request.sid)
    if kind == "display":
        site = _subject(auth_payload, kind)
        presence.registry().arrive(request.sid, site, auth_payload.get("device"), clock.now())
        _tell_desks_who_is_connected(site)
    return True


def on_disconnect(_reason: Any = None) -> None:
    """Sent for every client that goes away; desks hear of kiosks and displays leaving."""
    site = presence.registry().leave(request.sid)
    if site is not None:
        _tell_desks_who_is_connected(site)


def _paired_screen(payload: dict[str, str]) -> int | None:
    """The paired screen this kiosk or display is, by its cookie (screens.py)."""
    if not screens.pairing_on():
        return None
    return services.screen_of_socket(
        screens.browser_token(), payload["display"], payload.get("device")
    )


def _tell_desks_who_is_connected(site: str) -> None:
    try:
        update = services.presence_update(site)
    except DomainError:  # the site is gone; nobody to tell
        return
    publish([Message(STAFF_UPDATE, rooms.staff_room(site), update)])


def on_sync(_payload: Any = None) -> dict[str, Any]:
    """Sent by a client that reconnected or saw a gap: answers with a fresh snapshot."""
    kind, subject = session.get("waitroom.client", [None, None])
    try:
        if kind == "ticket":
            return {"event": TICKET_UPDATE, "data": services.ticket_status(subject)}
        if kind == "display":
            return {"event": DISPLAY_UPDATE, "data": services.display_snapshot(subject)}
        if kind == "staff":
            auth.staff_for(subject)
            return {"event": STAFF_UPDATE, "data": services.staff_snapshot(subject)}
    except auth.NotLoggedIn as error:
        # Its session ended (idle, say) before the sweep dropped it: drop it now.
        disconnect()
        return {"error": {"code": error.code, "message": error.message}}
    except DomainError as error:
        return {"error": {"code": error.code, "message": error.message}}
    return {"error": {"code": "not_connected", "message": "Connect first."}}


KINDS = ("ticket", "display", "staff")


def _admit(payload: Any) -> tuple[str, str, str, dict[str, Any]]:
    kind, subject = _credentials(payload)
    if kind == "ticket":
        status = services.ticket_status(subject)
        ticket_id = services.ticket_id_for_token(subject)
        return kind, rooms.ticket_room(ticket_id), TICKET_UPDATE, status
    if kind == "display":
        return kind, rooms.display_room(subject), DISPLAY_UPDATE, services.display_snapshot(subject)
    _, site = auth.staff_for(subject)
    return kind, rooms.staff_room(site.slug), STAFF_UPDATE, services.staff_snapshot(subject)


def _credentials(payload: Any) -> tuple[str, str]:
    """Exactly one of ticket/display/staff; a display or kiosk may add its `device` code."""
    if not isinstance(payload, dict):
        raise DomainError("Say who you are: ticket, display or staff.")
    kinds = [k for k in payload if k in KINDS]
    extra = set(payload) - set(KINDS) - ({"device"} if kinds == ["display"] else set())
    if len(kinds) != 1 or extra:
        raise DomainError("Say who you are: ticket, display or staff.")
    kind = kinds[0]
    values = [payload[kind], payload.get("device", "x")]
    if not all(isinstance(v, str) and 0 < len(v) <= 128 for v in values):
        raise DomainError("Bad credentials.")
    for value in values:
        check_line(value, field=kind)
    return kind, payload[kind]


def _subject(payload: dict[str, str], kind: str) -> str:
    return payload[kind]
