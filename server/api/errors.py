"""One JSON error shape for the whole API: {"error": {"code", "message", "details"?}}."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from server.api import bp
from server.api.schemas import FORMS
from server.domain.errors import DomainError
from server.extensions import db


class BadRequest(DomainError):
    code = "bad_request"
    status = 400


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    response = jsonify(error=body)
    response.status_code = status
    return response


@bp.app_errorhandler(DomainError)
def domain_error(error: DomainError) -> Response:
    db.session.rollback()  # a refused change leaves nothing behind
    return error_response(error.status, error.code, error.message, error.details)


@bp.app_errorhandler(ValidationError)
def invalid_body(error: ValidationError) -> Response:
    db.session.rollback()
    details = [
        {"field": ".".join(str(p) for p in e["loc"] if p not in FORMS) or None, "problem": e["msg"]}
        for e in error.errors(include_url=False, include_input=False)
    ]
    return error_response(400, "invalid_input", "The request is not valid.", details)


RATE_LIMITED = (
    "Too many attempts in a short time. Please wait a minute and try again, "
    "or ask at the front desk."
)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response | HTTPException:
    if not request.path.startswith("/api") and request.path != "/healthz":
        return error
    status = error.code or 500
    if status == 429:
        return error_response(429, "rate_limited", RATE_LIMITED)
    code = (error.name or "error").lower().replace(" ", "_")
    response = error_response(status, code, error.description or error.name)
    # The error's own headers, such as a 405's Allow (the methods the URL takes).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
