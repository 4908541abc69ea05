"""Declaring an endpoint once gives its route, its checks and its OpenAPI entry."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

from flask import Blueprint, request
from pydantic import BaseModel, RootModel

from server import auth
from server.api.schemas import ANSWERS, Query
from server.domain.errors import DomainError
from server.extensions import limiter
from server.routing import MAX_ID
from server.services.turns import write_turn

# "feedback": staff whose role may read patients' feedback (auth.may_read_feedback);
# "manager": the reports, read by the site's managers and administrators.
Access = Literal["public", "staff", "manager", "admin", "feedback"]


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
    query: type[Query] | None = None
    name: str = ""
    # Other successes with the same answer (e.g. 200 when a POST updated, not created).
    also: tuple[int, ...] = ()


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
    guard: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
    description: str | None = None,
    query: type[Query] | None = None,
    also: tuple[int, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a route that checks access and parses its body before the view runs.

    Staff routes need a JSON body even when it is `{}`: a browser cannot send JSON to
    another site without a CORS preflight, which we never allow, so a forged form on
    another site cannot act with a desk's login cookie.

    A route that reads the query string names its `query` model: the view is handed
    the parsed parameters, and unknown ones are refused.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS.append(
            Operation(
                rule,
                method,
                summary,
                access,
                tag,
                body,
                body_media,
                status,
                description,
                query,
                view.__name__,
                also,
            )
        )

        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if method == "GET":
                return checked(**kwargs)
            # The turn comes before the access check, which reads the database: a
            # change must not wait for its turn inside a transaction (turns.py).
            with write_turn():
                return checked(**kwargs)

        def checked(**kwargs: Any) -> Any:
            if access == "feedback":
                kwargs["user"], _ = auth.feedback_staff_for(kwargs["site"])
            if access == "manager":  # the reports: managers and administrators
                kwargs["user"], _ = auth.reporter_for(kwargs["site"])
            elif access != "public":
                kwargs["user"], _ = auth.staff_for(kwargs["site"], admin=access == "admin")
            if query is not None:
                kwargs["query"] = query.model_validate(request.args.to_dict())
            if body is not None:
                parsed = body.model_validate_json(_raw_json())
                # A body of one of several forms (schemas.AppointmentLookup) is that form.
                kwargs["body"] = parsed.root if isinstance(parsed, RootModel) else parsed
            return view(**kwargs)

        routed = limiter.limit(rate_limit)(wrapper) if rate_limit else wrapper
        routed = guard(routed) if guard else routed  # e.g. a guess budget (guesses.py)
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
        ]
        + _query_parameters(op.query, schemas),
        "responses": {
            **{
                str(status): {"description": "Success", "content": _answer(op, schemas)}
                for status in (op.status, *op.also)
            },
            "4XX": {
                "description": "Refused; nothing was changed.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
    if op.access != "public":
        doc["security"] = [{"staffSession": []}]
        who = "manager or admin" if op.access in ("feedback", "manager") else op.access
        doc["description"] = f"Needs a logged-in {who} account for the site."
    if op.description:
        doc["description"] = " ".join(filter(None, [op.description, doc.get("description")]))
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {op.body_media: {"schema": _component(op.body, schemas)}},
        }
    elif op.body_media != "application/json":
        doc["requestBody"] = {
            "required": True,
            "content": {op.body_media: {"schema": {"type": "string"}}},
        }
    return doc


_REF = "#/components/schemas/{model}"


def _component(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    """The model's schema among the components (with the models it uses); a $ref to it."""
    schema = model.model_json_schema(ref_template=_REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _answer(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    """The success's content: a model of its JSON, or a media type (a file) as text. A
    route with neither in schemas.ANSWERS is left without a schema, which a test finds."""
    answer = ANSWERS.get(op.name)
    if answer is None:
        return {"application/json": {}}
    if isinstance(answer, str):
        return {answer: {"schema": {"type": "string"}}}
    return {"application/json": {"schema": _component(answer, schemas)}}


def _query_parameters(query: type[Query] | None, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if query is None:
        return []
    schema = query.model_json_schema(ref_template=_REF)
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        # An optional parameter is left out, never sent as null.
        options = [p for p in prop.pop("anyOf", []) if p != {"type": "null"}]
        if len(options) == 1:
            prop.update(options[0])
        elif options:
            prop["anyOf"] = options
        if prop.get("default", 0) is None:
            del prop["default"]
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        parameters.append(parameter)
    return parameters


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
