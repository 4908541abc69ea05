"""The JSON API under /api, with its OpenAPI document at /api/openapi.json."""

from flask import Blueprint, Response

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.after_request
def _private(response: Response) -> Response:
    """API answers are live and personal: never cached, never leaked in a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


from server.api import errors, routes  # noqa: E402,F401  (routes register on bp)
