"""All broadcasts go through here: payloads are dicts, and each names its room."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from server.extensions import socketio
from server.realtime import rooms
from server.realtime.fanout import FanOutRedisManager

DISPLAY_UPDATE = "display_update"
STAFF_UPDATE = "staff_update"
TICKET_UPDATE = "ticket_update"
# Only a waiting ticket's place, estimate and delay notice: see services/queue_update.py.
TICKET_PLACE = "ticket_place"
# To a screen that was unpaired, just before its sockets are dropped: it loads its page
# again, which shows a new pairing code.
SCREEN_UNPAIRED = "screen_unpaired"


@dataclass(frozen=True)
class Message:
    event: str
    room: str
    data: dict[str, Any]


def publish(messages: Iterable[Message]) -> None:
    """Send messages built before the commit; call only after it succeeded.

    With Redis they travel to the other processes as one batch (fanout.py).
    """
    manager = socketio.server.manager
    if isinstance(manager, FanOutRedisManager):
        manager.emit_batch((m.event, m.room, m.data) for m in messages)
        return
    # Straight to the manager (what socketio.emit comes down to with no callback):
    # a change may send a thousand messages, one per phone, and the layers above it
    # cost as much again.
    for message in messages:
        manager.emit(message.event, message.data, namespace="/", room=message.room)


def disconnect_login(login_id: str) -> None:
    """End the staff sockets of a login that logged out, on every process.

    A socket keeps the login it connected with, so without this a desk that logged
    out would go on receiving patients' names.
    """
    _disconnect_room(rooms.login_room(login_id))


def disconnect_screen(pairing_id: int) -> None:
    """End the sockets of a screen that was unpaired, on every process, telling it first."""
    room = rooms.screen_room(pairing_id)
    publish([Message(SCREEN_UNPAIRED, room, {})])
    _disconnect_room(room)


def _disconnect_room(room: str) -> None:
    manager = socketio.server.manager
    if isinstance(manager, FanOutRedisManager):
        manager.disconnect_room(room)
        return
    sids = [sid for sid, _ in manager.get_participants("/", room)]
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")
