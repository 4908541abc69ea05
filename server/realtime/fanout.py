"""Flask-SocketIO's Redis manager, taught to send one change as one Redis message.

With Redis, every `emit` is a Redis PUBLISH that every process receives, decodes and
matches against its rooms. A call in a line of a thousand sends a thousand small
messages (each phone its own place), so a change would cost a thousand publishes and
a thousand decodes in every process. Here a change's messages travel as one batch:
this process delivers them to its own clients, and one PUBLISH carries them to the
others, which deliver to theirs.

The batch uses a method name of its own, not `emit`: a process of an older version
ignores a method it does not know, where it would have taken an unknown *event* for
a broadcast to every client.

Logging out works the same way: `disconnect_room` ends the sockets in a room on every
process, not only on the one that took the request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import socketio

EMIT_BATCH = "waitroom_emit_batch"
DISCONNECT_ROOM = "waitroom_disconnect_room"
NAMESPACE = "/"


class FanOutRedisManager(socketio.RedisManager):  # type: ignore[misc]
    def emit_batch(self, messages: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        batch = [list(m) for m in messages]
        self._deliver(batch)
        self._publish({"method": EMIT_BATCH, "batch": batch, "host_id": self.host_id})

    def disconnect_room(self, room: str) -> None:
        self._disconnect_here(room)
        self._publish({"method": DISCONNECT_ROOM, "room": room, "host_id": self.host_id})

    def _listen(self) -> Iterator[Any]:
        for message in super()._listen():
            data = _decoded(message)
            method = data.get("method") if isinstance(data, dict) else None
            if method not in (EMIT_BATCH, DISCONNECT_ROOM):
                yield data if data is not None else message
            elif data.get("host_id") != self.host_id:  # type: ignore[union-attr]
                self._handle_ours(data)  # type: ignore[arg-type]

    def _handle_ours(self, data: dict[str, Any]) -> None:
        try:
            if data["method"] == EMIT_BATCH:
                self._deliver(data["batch"])
            else:
                self._disconnect_here(data["room"])
        except Exception:  # one bad message must not end the listener
            self.server.logger.exception("could not handle %s", data.get("method"))

    def _deliver(self, batch: list[list[Any]]) -> None:
        for event, room, payload in batch:
            # The plain manager's emit: to this process's clients only.
            socketio.Manager.emit(self, event, payload, namespace=NAMESPACE, room=room)

    def _disconnect_here(self, room: str) -> None:
        sids = [sid for sid, _ in self.get_participants(NAMESPACE, room)]
        for sid in sids:
            self.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def _decoded(message: Any) -> Any:
    if isinstance(message, dict):
        return message
    try:
        return json.loads(message)
    except (TypeError, ValueError):
        return None
