"""Waitroom: a self-hosted waiting-room queue for clinics and hospitals.

`create_app` is imported lazily so that `waitroom serve` can monkey-patch the
standard library for gevent or eventlet before Flask and the database drivers load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Any = None) -> Flask:
    from server.app import create_app as build

    return build(config)
