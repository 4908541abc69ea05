"""The admin console at /admin: a site's settings, services, rooms, screens, map and
appointments, edited through the site file's own checks (services/site_admin.py)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates")

from server.admin import posters, views  # noqa: E402,F401  (views register on bp)
