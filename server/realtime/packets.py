"""The Socket.IO packet we send: JSON text only.

python-socketio searches every outgoing payload, recursively, for bytes to send as
binary attachments. Nothing we send carries any (payloads are dicts of strings and
numbers: payloads.py), and with a thousand phones each told its own place that search
was a fifth of the cost of a call. Turning binary events off is the switch the
library gives for this (its msgpack packet does the same).
"""

from __future__ import annotations

from socketio import packet


class JsonPacket(packet.Packet):  # type: ignore[misc]
    uses_binary_events = False
