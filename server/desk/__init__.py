"""The front-desk console at /desk, for logged-in staff."""

from flask import Blueprint

bp = Blueprint("desk", __name__, template_folder="templates")

from server.desk import reports, sso, views  # noqa: E402,F401  (views register on bp)
