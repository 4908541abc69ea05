"""The JSON API under /api, with its OpenAPI document at /api/openapi.json."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from server.api import errors, routes  # noqa: E402,F401  (routes register on bp)
