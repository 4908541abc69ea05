"""A real push service in a thread, standing in for the browser's (FCM, Mozilla's,
Apple's): it takes what the server posts to a subscription's endpoint, checks the
VAPID Authorization header (an ES256 JWT, verified with the public key it names, which
must be the server's) as a push service does, and decrypts the aes128gcm body with the
subscription's private key and auth secret, which only the patient's browser holds,
as the browser does. So a message it reads is one the patient's phone would show.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One browser's subscription: its key pair and auth secret, as PushManager makes."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self) -> dict[str, Any]:
        """What PushSubscription.toJSON() gives the page."""
        point = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def check_vapid(authorization: str, vapid_public_key: str, audience: str) -> dict[str, Any]:
    """The JWT's claims, after checking it as a push service does (RFC 8292); raises
    ValueError if anything is wrong."""
    scheme, _, params = authorization.partition(" ")
    if scheme != "vapid":
        raise ValueError(f"not a vapid header: {scheme}")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    if parts["k"] != vapid_public_key:
        raise ValueError("signed with another key than the server's")
    header, claims, signature = parts["t"].split(".")
    if json.loads(unb64url(header)) != {"typ": "JWT", "alg": "ES256"}:
        raise ValueError("not an ES256 JWT")
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    try:
        key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("bad signature") from None
    decoded = json.loads(unb64url(claims))
    if decoded["aud"] != audience or decoded["exp"] < time.time() or not decoded.get("sub"):
        raise ValueError(f"bad claims: {decoded}")
    return decoded


class PushService:
    """Receives pushes at /push/<name>; answers `status` (201, or 410 for a subscription
    that is gone, 500 to fail). Each accepted push is decrypted by its browser."""

    def __init__(self, vapid_public_key: str) -> None:
        self.vapid_public_key = vapid_public_key
        self.browsers: dict[str, Browser] = {}
        self.received: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.refused: list[str] = []
        self.status = 201
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = service.take(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def browser(self, name: str) -> Browser:
        browser = Browser(f"{self.origin}/push/{name}")
        self.browsers[name] = browser
        return browser

    def take(self, path: str, headers: dict[str, str], body: bytes) -> int:
        name = path.rsplit("/", 1)[-1]
        try:
            check_vapid(headers.get("authorization", ""), self.vapid_public_key, self.origin)
            if headers.get("content-encoding") != "aes128gcm" or "ttl" not in headers:
                raise ValueError("not an aes128gcm push with a TTL")
            message = self.browsers[name].decrypt(body)
        except (ValueError, KeyError) as error:
            with self._lock:
                self.refused.append(f"{name}: {error}")
            return 400
        with self._lock:
            if self.status >= 300:
                return self.status
            self.received.append((name, message, headers))
        return self.status

    def messages(self, name: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for n, m, _ in self.received if name in (None, n)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
