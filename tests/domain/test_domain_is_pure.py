"""server/domain imports no framework and nothing from the layers above it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOMAIN = ROOT / "server" / "domain"

FORBIDDEN = (
    "flask",
    "flask_socketio",
    "flask_sqlalchemy",
    "flask_login",
    "flask_limiter",
    "sqlalchemy",
    "alembic",
    "socketio",
    "engineio",
    "pydantic",
    "server.storage",
    "server.services",
    "server.api",
    "server.realtime",
    "server.extensions",
    "server.app",
)


def _is_forbidden(module):
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def _imported_modules(tree, package):
    """Every module an import statement in `tree` names, with relative imports resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            # `from server import storage` names server.storage without saying so.
            for alias in node.names:
                yield f"{module}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def forbidden_imports(source, package="server.domain"):
    """The forbidden modules that `source` imports, in order of appearance."""
    found = []
    for module in _imported_modules(ast.parse(source), package):
        if _is_forbidden(module) and module not in found:
            found.append(module)
    return found


def domain_modules():
    return sorted(DOMAIN.rglob("*.py"))


def test_the_walk_finds_the_domain_modules():
    names = {path.name for path in domain_modules()}
    assert {"__init__.py", "queue.py", "schedule.py", "estimate.py", "errors.py"} <= names


@pytest.mark.parametrize("path", domain_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_domain_module_imports_no_framework(path):
    package = ".".join(path.parent.relative_to(ROOT).parts)
    assert forbidden_imports(path.read_text(encoding="utf-8"), package) == []


# --- The checker itself must be able to say no -------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import flask", "flask"),
        ("import flask.json", "flask.json"),
        ("from flask import Flask", "flask"),
        ("from sqlalchemy.orm import Session", "sqlalchemy.orm"),
        ("import socketio as sio", "socketio"),
        ("from pydantic import BaseModel", "pydantic"),
        ("from server import storage", "server.storage"),
        ("from server.services import call_next", "server.services"),
        ("import server.realtime.publish", "server.realtime.publish"),
        ("from ..api import routes", "server.api"),
        ("def f():\n    import engineio\n", "engineio"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import flask_socketio\n",
            "flask_socketio",
        ),
        ("import importlib\nimportlib.import_module('flask_sqlalchemy')", "flask_sqlalchemy"),
    ],
)
def test_checker_flags_a_forbidden_import(source, expected):
    assert expected in forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "import hashlib\nfrom datetime import datetime",
        "from server.domain.errors import InvalidTransition",
        "from .errors import InvalidTransition",
        "import flaskish",
        "from server import domain",
    ],
)
def test_checker_lets_ordinary_imports_through(source):
    assert forbidden_imports(source) == []


def test_importing_the_domain_loads_no_framework_at_run_time():
    # Catches what the static check cannot: a module the domain imports that itself
    # pulls in a framework. A fresh interpreter, so this test run's imports don't count.
    modules = ["server.domain." + path.stem for path in domain_modules() if path.stem != "__init__"]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    assert "server.domain.queue" in loaded
    assert [m for m in loaded if _is_forbidden(m)] == []
