"""How `waitroom serve` listens: on a socket whose connections send small writes at once.

Linux delays a small write while an earlier one is unacknowledged (Nagle), and the
other end delays its acknowledgement (up to 40 ms) hoping to piggyback it. Our writes
are small and come in pairs: an HTTP answer's headers then its body, a display's
queue update then its answer to a ping, a phone's new place then its new estimate. So
each second write waited 40 ms: 300 check-ins one after another took 15.6 s, every
other ping of a display during a burst took 49 ms, and 50 wrk connections got at most
25 answers a second each. TCP_NODELAY turns the delay off (nginx does the same
towards browsers by default). It is set on the listening socket, and Linux gives it to
every connection accepted from it (tests/integration/test_serving.py checks that).

Flask-SocketIO's `run` builds its own listener, so under gevent and eventlet we build
the same server around ours; threading (development) keeps `run`.
"""

from __future__ import annotations

import socket
from typing import Any

BACKLOG = 1024  # many phones reconnect at once after a restart
# eventlet's server serves at most 1,024 connections at once unless told otherwise (the
# 1,025th phone waits for one to close); gevent's has no such limit.
EVENTLET_MAX_CONNECTIONS = 20_000


def listener(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port with TCP_NODELAY (and address reuse, so a
    restarted server binds at once). Under gevent or eventlet, call it after patching:
    `socket.socket` is then the cooperative one."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def serve(app: Any, socketio: Any, host: str, port: int, async_mode: str) -> None:
    """Serve HTTP and Socket.IO until stopped."""
    # Imported here: only the chosen mode's library is loaded, after its patching.
    if async_mode == "gevent":
        from gevent import pywsgi  # noqa: PLC0415
        from geventwebsocket.handler import WebSocketHandler  # noqa: PLC0415

        # Kept where Flask-SocketIO's run keeps it: cli.py stops it on Ctrl-C.
        socketio.wsgi_server = pywsgi.WSGIServer(
            listener(host, port), app, handler_class=WebSocketHandler, log=None
        )
        socketio.wsgi_server.serve_forever()
    elif async_mode == "eventlet":
        import eventlet.wsgi  # noqa: PLC0415

        eventlet.wsgi.server(
            listener(host, port), app, log_output=False, max_size=EVENTLET_MAX_CONNECTIONS
        )
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
