"""What every page shares: security headers, and the browser files we serve from npm."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory

ROOT = Path(__file__).resolve().parent.parent
# Third-party browser files come from npm (package.json, installed by `make` with
# `npm ci`); we serve them ourselves because a clinic LAN may have no internet.
VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}

# Pages load nothing from elsewhere and run no inline script; server values reach the
# page as JSON in <script type="application/json">, which CSP does not execute.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

vendor = Blueprint("vendor", __name__, url_prefix="/vendor")


def node_modules() -> Path:
    return Path(os.environ.get("WAITROOM_NODE_MODULES", ROOT / "node_modules"))


@vendor.get("/<name>")
def vendor_file(name: str) -> Response:
    path = VENDOR_FILES.get(name)
    if path is None:
        abort(404)
    folder = node_modules()
    if not (folder / path).is_file():
        current_app.logger.error("%s is missing: run `npm ci` (make does)", folder / path)
        abort(404)
    return send_from_directory(folder, path, max_age=3600)


def init_web(app: Flask) -> None:
    app.register_blueprint(vendor)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        return response
