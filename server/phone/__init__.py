"""The patient's status page at /t/<token>, opened from the ticket's QR code."""

from flask import Blueprint

bp = Blueprint("phone", __name__, template_folder="templates")

from server.phone import appointment, arrive, join, views  # noqa: E402,F401  (views register on bp)
