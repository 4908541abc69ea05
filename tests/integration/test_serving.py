"""The socket `waitroom serve` listens on (server/serving.py)."""

from __future__ import annotations

import socket

import pytest

from server import serving


def test_connections_accepted_by_the_listener_send_small_writes_at_once():
    with serving.listener("127.0.0.1", 0) as listening:
        port = listening.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            accepted, _ = listening.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
                # And the connection works: what the server writes, the client reads.
                accepted.sendall(b"ok")
                assert client.recv(2) == b"ok"


def test_a_port_in_use_is_refused_and_leaves_nothing_open():
    with serving.listener("127.0.0.1", 0) as first:
        port = first.getsockname()[1]
        with pytest.raises(OSError):
            serving.listener("127.0.0.1", port)
