"""A real HTTP server in a thread that takes what Apprise's `json://` sends: the
stand-in for a hospital's own SMS gateway (and Twilio, as far as we can tell)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Records each message posted to it; answers `status` (200, or 500 to fail)."""

    def __init__(self, port: int = 0) -> None:
        self.messages: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0  # seconds before answering: a slow provider
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                time.sleep(receiver.delay)
                with receiver._lock:
                    status = receiver.status
                    if status < 300:
                        receiver.messages.append(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def sms_url(self) -> str:
        """The SMS_URL that sends here, the number in the body's `to` field."""
        return f"json://127.0.0.1:{self.port}/sms?:to={{to}}"

    def texts(self) -> list[tuple[str, str]]:
        """(number, message) of each message received."""
        with self._lock:
            return [(m.get("to", ""), m.get("message", "")) for m in self.messages]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
