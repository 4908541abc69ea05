"""Staff accounts and screen pairing in the admin console (/admin/staff, /admin/devices),
and the pairing status a new kiosk or display asks for (/screens/<kind>/pairing)."""

from flask import Blueprint

bp = Blueprint("staff_admin", __name__, template_folder="templates")
screens_bp = Blueprint("screens", __name__)

from server.staff_admin import screens, views  # noqa: E402,F401  (views register on bp)
