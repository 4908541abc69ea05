"""Declaring an endpoint once gives its route, its checks and its OpenAPI entry."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

from flask import Blueprint, request
from pydantic import BaseModel

from server import auth
from server.domain.errors import DomainError
from server.extensions import limiter
from server.routing import MAX_ID
from server.services.turns import write_turn

Access = Literal["public", "staff", "admin"]


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


@dataclass(frozen=True)
class Operation:
    rule: str
    method: str
    summary: str
    access: Access
    tag: str
    body: type[BaseModel] | None
    body_media: str
    status: int
    description: str | None = None


OPERATIONS: list[Operation] = []


def endpoint(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    access: Access = "public",
    body: type[BaseModel] | None = None,
    body_media: str = "application/json",
    status: int = 200,
    rate_limit: Callable[[], str] | None = None,
    description: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route that checks access and parses its body before the view runs.

    Staff routes need a JSON body even when it is `{}`: a browser cannot send JSON to
    another site without a CORS preflight, which we never allow, so a forged form on
    another site cannot act with a desk's login cookie.
    """
    operation = Operation(rule, method, summary, access, tag, body, body_media, status, description)
    OPERATIONS.append(operation)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if method == "GET":
                return checked(**kwargs)
            # The turn comes before the access check, which reads the database: a
            # change must not wait for its turn inside a transaction (turns.py).
            with write_turn():
                return checked(**kwargs)

        def checked(**kwargs: Any) -> Any:
            if access != "public":
                kwargs["user"], _ = auth.staff_for(kwargs["site"], admin=access == "admin")
            if body is not None:
                kwargs["body"] = body.model_validate_json(_raw_json())
            return view(**kwargs)

        routed = limiter.limit(rate_limit)(wrapper) if rate_limit else wrapper
        bp.add_url_rule(rule, view.__name__, routed, methods=[method])
        return routed

    return decorate


def _raw_json() -> bytes:
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(
            "Send the request body as JSON (Content-Type: application/json)."
        )
    return request.get_data() or b"{}"


# --- The OpenAPI document ---------------------------------------------------------

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}


def openapi_document(url_prefix: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    for op in OPERATIONS:
        path = url_prefix + _PARAM.sub(r"{\2}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Waitroom API",
            "version": "1",
            "description": "Queue, check-in and front-desk API. Errors are "
            "{error: {code, message, details?}} with a 4xx status.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "staffSession": {"type": "apiKey", "in": "cookie", "name": "session"}
            },
        },
    }


def _operation(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": _operation_id(op),
        "parameters": [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": _PATH_SCHEMAS.get(kind, {"type": "string"}),
            }
            for kind, name in _PARAM.findall(op.rule)
        ],
        "responses": {
            str(op.status): {"description": "Success", "content": {"application/json": {}}},
            "4XX": {
                "description": "Refused; nothing was changed.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
    if op.access != "public":
        doc["security"] = [{"staffSession": []}]
        doc["description"] = f"Needs a logged-in {op.access} account for the site."
    if op.description:
        doc["description"] = " ".join(filter(None, [op.description, doc.get("description")]))
    if op.body is not None:
        schema = op.body.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[op.body.__name__] = schema
        doc["requestBody"] = {
            "required": True,
            "content": {
                op.body_media: {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}
            },
        }
    elif op.body_media != "application/json":
        doc["requestBody"] = {
            "required": True,
            "content": {op.body_media: {"schema": {"type": "string"}}},
        }
    return doc


def _operation_id(op: Operation) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", _PARAM.sub(r"\2", op.rule).lower()).strip("_")
    return f"{op.method.lower()}_{words}"


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}
