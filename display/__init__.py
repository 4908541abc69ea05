"""The waiting-room display at /display."""

from flask import Blueprint

bp = Blueprint("display", __name__, template_folder="templates")

from display import views  # noqa: E402,F401  (views register on bp)
