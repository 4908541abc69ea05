"""Feedback pages: the survey after a visit (/t/<token>/feedback), the kiosk's "Tell us
about your visit" (/feedback/<site>), and the staff inbox (/feedback/inbox)."""

from flask import Blueprint

bp = Blueprint("feedback", __name__, template_folder="templates")

from server.feedback import views  # noqa: E402,F401  (views register on bp)
