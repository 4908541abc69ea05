"""The link printed on a ticket, which opens the patient's phone page, and its QR code.

The QR code is drawn here, as SVG, and not in the browser: the kiosk needs no QR
library of its own, and the code is exactly the link the server would give.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import qrcode
from flask import current_app, request, url_for
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathFillImage


def public_base_url(site_public_url: str | None) -> str:
    """The address phones on the clinic network reach us at, without a trailing slash.

    The site file's public_url wins, then PUBLIC_URL. Only without either do we use
    the address this request came to, which is 127.0.0.1 when the kiosk's browser runs
    on the server itself, and no phone can reach that.
    """
    configured = site_public_url or current_app.config.get("PUBLIC_URL")
    if not configured and _is_loopback(request.host):
        current_app.logger.warning(
            "the ticket's QR code links to %s, which phones cannot reach: "
            "set public_url in the site file, or PUBLIC_URL",
            request.host,
        )
    return (configured or request.url_root).rstrip("/")


def phone_link(token: str, site_public_url: str | None) -> str:
    """The full address of a ticket's phone page."""
    # A configured address already names any path prefix the app is mounted under.
    path = url_for("phone.ticket_page", token=token)[len(request.script_root) :]
    return public_base_url(site_public_url) + path


def short_link(link: str) -> str:
    """The link as a person would type it into a phone: without the scheme."""
    return link.split("://", 1)[-1]


def qr_svg(text: str) -> str:
    """A QR code as an SVG document: black on a white square, with the quiet zone
    scanners need, readable in the kiosk's high-contrast (black) mode too."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, image_factory=SvgPathFillImage)
    code.add_data(text)
    code.make(fit=True)
    return str(code.make_image().to_string(encoding="unicode"))


def _is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
