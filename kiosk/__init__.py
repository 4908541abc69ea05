"""The self check-in kiosk at /kiosk."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="templates")

from kiosk import views  # noqa: E402,F401  (views register on bp)
