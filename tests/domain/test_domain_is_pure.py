"""What the import-linter contracts on server/domain (pyproject.toml) cannot see.

`lint-imports` reads every import statement, in functions and under TYPE_CHECKING
included, and follows chains through our own modules. It does not run anything, so it
misses what happens at run time (the `server` package's own __init__ runs before any
domain module; a third-party module may pull in a framework) and modules named as
strings to importlib. Those two are checked here, against the contract's own list.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOMAIN = ROOT / "server" / "domain"


def _contract_forbidden_modules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c.get("id") == "domain-framework-free"]
    return tuple(contract["forbidden_modules"])


FORBIDDEN = _contract_forbidden_modules()


def _is_forbidden(module):
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def _dynamic_imports(tree):
    """Every module named as a constant string to import_module() or __import__()."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def forbidden_imports(source):
    """The forbidden modules that `source` imports by name at run time."""
    found = []
    for module in _dynamic_imports(ast.parse(source)):
        if _is_forbidden(module) and module not in found:
            found.append(module)
    return found


def domain_modules():
    return sorted(DOMAIN.rglob("*.py"))


def test_the_walk_finds_the_domain_modules():
    names = {path.name for path in domain_modules()}
    assert {"__init__.py", "queue.py", "schedule.py", "estimate.py", "errors.py"} <= names


def test_the_contract_forbids_the_frameworks():
    assert {"flask", "sqlalchemy", "socketio", "server.storage", "server.services"} <= set(
        FORBIDDEN
    )


@pytest.mark.parametrize("path", domain_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_domain_module_imports_no_framework(path):
    assert forbidden_imports(path.read_text(encoding="utf-8")) == []


# --- The checker itself must be able to say no -------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import importlib\nimportlib.import_module('flask_sqlalchemy')", "flask_sqlalchemy"),
    ],
)
def test_checker_flags_a_forbidden_import(source, expected):
    assert expected in forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "import importlib\nimportlib.import_module('json')",
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
