"""The `waitroom` command, run as a real process with its environment pointing at tmp_path.

Config reads the environment when it is imported, so each command runs in a subprocess
with WAITROOM_VAR set; the database is var/waitroom.db inside tmp_path.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from server.extensions import db
from tests.conftest import DEMO_SITE, SITE, make_app

SCRIPT = Path(sys.executable).with_name("waitroom")
GOOD_CSV = (
    "code,last_name,first_name,date_of_birth,service,time,date\n"
    "ab1,Lee,Ann,1980-01-02,G,09:30,2026-03-10\n"
    "AB2,Kim,Bo,1975-06-30,blood,09:45,2026-03-10\n"
)
BAD_CSV = (
    "code,last_name,first_name,date_of_birth,service,time,date\n"
    "AB1,Lee,Ann,1980-01-02,G,09:30,2026-03-10\n"
    "AB2,Kim,Bo,1980-13-40,G,09:45,2026-03-10\n"
)


class Waitroom:
    """Runs `waitroom ...` in a working directory of its own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.var = root / "var"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "WAITROOM_ASYNC", "PUBLIC_URL"}
        }
        self.env["WAITROOM_VAR"] = str(self.var)

    @property
    def database(self) -> Path:
        return self.var / "waitroom.db"

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        command = (
            [str(SCRIPT)]
            if SCRIPT.exists()
            else [sys.executable, "-c", "from server.cli import main; main()"]
        )
        return subprocess.run(
            [*command, *args],
            cwd=self.root,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.database) as conn:
            return conn.execute(sql).fetchall()

    def app(self, clock):
        return make_app(
            clock,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.database}",
            SQLALCHEMY_ENGINE_OPTIONS={},
        )


@pytest.fixture
def waitroom(tmp_path) -> Waitroom:
    return Waitroom(tmp_path)


def _can_log_in(app, username: str, password: str) -> bool:
    try:
        response = app.test_client().post(
            "/api/login", json={"username": username, "password": password}
        )
        return response.status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- load-site --------------------------------------------------------------------


def test_load_site_creates_the_demo_site_then_updates_it(waitroom):
    assert waitroom.ok("load-site", str(DEMO_SITE)).strip() == f"site {SITE} created"
    assert waitroom.ok("load-site", str(DEMO_SITE)).strip() == f"site {SITE} updated"
    assert waitroom.rows("SELECT slug FROM sites") == [(SITE,)]
    assert waitroom.rows("SELECT count(*) FROM rooms WHERE active") == [(6,)]


def test_load_site_refuses_a_bad_value_naming_its_key_and_line(waitroom, tmp_path):
    text = DEMO_SITE.read_text(encoding="utf-8").replace('prefix = "G"', 'prefix = "GG"', 1)
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")

    result = waitroom("load-site", str(bad))

    assert result.returncode != 0
    line = _line_of(text, 'prefix = "GG"')
    assert f"services[0].prefix (line {line})" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was saved: loading the good file afterwards creates the site.
    assert waitroom.ok("load-site", str(DEMO_SITE)).strip() == f"site {SITE} created"


def test_load_site_refuses_broken_toml_naming_the_line(waitroom, tmp_path):
    text = DEMO_SITE.read_text(encoding="utf-8").replace(
        'name = "Riverside Family Clinic"', 'name = "Riverside Family Clinic'
    )
    bad = tmp_path / "broken.toml"
    bad.write_text(text, encoding="utf-8")

    result = waitroom("load-site", str(bad))

    assert result.returncode != 0
    assert "not valid TOML" in result.stderr
    assert f"line {_line_of(text, 'Riverside Family Clinic')}" in result.stderr
    assert "Traceback" not in result.stderr


def test_load_site_of_a_missing_file_says_so(waitroom, tmp_path):
    result = waitroom("load-site", str(tmp_path / "nope.toml"))
    assert result.returncode != 0
    assert "nope.toml" in result.stderr
    assert "Traceback" not in result.stderr


# --- import-appointments ----------------------------------------------------------


def test_import_appointments_adds_then_updates(waitroom, tmp_path):
    waitroom.ok("load-site", str(DEMO_SITE))
    csv_file = tmp_path / "day.csv"
    csv_file.write_text(GOOD_CSV, encoding="utf-8")

    assert waitroom.ok("import-appointments", SITE, str(csv_file)).strip() == (
        "2 appointments added, 0 updated"
    )
    assert waitroom.ok("import-appointments", SITE, str(csv_file)).strip() == (
        "0 appointments added, 2 updated"
    )
    assert waitroom.rows("SELECT code, last_name, day FROM appointments ORDER BY code") == [
        ("AB1", "Lee", "2026-03-10"),
        ("AB2", "Kim", "2026-03-10"),
    ]


def test_import_appointments_refuses_a_bad_row_naming_the_line_and_imports_nothing(
    waitroom, tmp_path
):
    waitroom.ok("load-site", str(DEMO_SITE))
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(BAD_CSV, encoding="utf-8")

    result = waitroom("import-appointments", SITE, str(csv_file))

    assert result.returncode != 0
    assert "line 3" in result.stderr
    assert "date_of_birth" in result.stderr
    assert "line 2" not in result.stderr
    assert "Traceback" not in result.stderr
    assert waitroom.rows("SELECT count(*) FROM appointments") == [(0,)]


def test_import_appointments_for_an_unknown_site_fails_cleanly(waitroom, tmp_path):
    waitroom.ok("load-site", str(DEMO_SITE))
    csv_file = tmp_path / "day.csv"
    csv_file.write_text(GOOD_CSV, encoding="utf-8")

    result = waitroom("import-appointments", "nowhere", str(csv_file))

    assert result.returncode != 0
    assert "nowhere" in result.stderr
    assert "Traceback" not in result.stderr


# --- add-user ---------------------------------------------------------------------


def test_add_user_prints_a_generated_password_that_logs_in(waitroom, clock):
    waitroom.ok("load-site", str(DEMO_SITE))

    out = waitroom.ok("add-user", "alice", "--site", SITE)

    lines = out.strip().splitlines()
    assert lines[0] == f"user alice (staff) for {SITE}"
    password = lines[1].removeprefix("password: ")
    assert lines[1].startswith("password: ") and len(password) >= 12
    assert _can_log_in(waitroom.app(clock), "alice", password)
    assert not _can_log_in(waitroom.app(clock), "alice", password + "x")


def test_add_user_with_password_stdin_does_not_echo_it(waitroom, clock):
    waitroom.ok("load-site", str(DEMO_SITE))
    password = "a long enough passphrase"

    out = waitroom.ok(
        "add-user",
        "bob",
        "--role",
        "admin",
        "--site",
        SITE,
        "--password-stdin",
        stdin=password + "\n",
    )

    assert password not in out
    assert out.strip() == f"user bob (admin) for {SITE}"
    assert _can_log_in(waitroom.app(clock), "bob", password)


def test_add_user_refuses_an_unknown_site(waitroom):
    waitroom.ok("load-site", str(DEMO_SITE))

    result = waitroom("add-user", "carol", "--site", "nowhere")

    assert result.returncode != 0
    assert "nowhere" in result.stderr
    assert "Traceback" not in result.stderr
    assert waitroom.rows("SELECT count(*) FROM users") == [(0,)]


def test_add_user_refuses_a_short_password_from_stdin(waitroom):
    waitroom.ok("load-site", str(DEMO_SITE))

    result = waitroom("add-user", "dave", "--site", SITE, "--password-stdin", stdin="short\n")

    assert result.returncode != 0
    assert "at least 12 characters" in result.stderr
    assert "Traceback" not in result.stderr
    assert waitroom.rows("SELECT count(*) FROM users") == [(0,)]


# --- demo -------------------------------------------------------------------------


def _demo_password(out: str) -> str:
    line = next(line for line in out.splitlines() if line.startswith("staff login: desk / "))
    return line.removeprefix("staff login: desk / ")


def test_demo_creates_the_site_once_and_keeps_data_on_the_next_run(waitroom, clock):
    from server import services

    first = waitroom.ok("demo")
    assert f"demo site {SITE} loaded" in first
    first_password = _demo_password(first)
    appointments = waitroom.rows("SELECT count(*) FROM appointments")[0][0]
    assert appointments > 0

    app = waitroom.app(clock)
    with app.app_context():
        token = services.check_in_walk_in(SITE, "G").token
        db.session.remove()
        db.engine.dispose()

    second = waitroom.ok("demo")

    assert "its data is kept" in second
    assert "loaded" not in second
    second_password = _demo_password(second)
    assert second_password != first_password
    assert waitroom.rows("SELECT count(*) FROM sites") == [(1,)]
    assert waitroom.rows("SELECT count(*) FROM appointments") == [(appointments,)]
    app = waitroom.app(clock)
    with app.app_context():
        status = services.ticket_status(token)
        db.session.remove()
        db.engine.dispose()
    assert status["ticket"]["number"] == "G-001"
    assert status["ticket"]["status"] == "waiting"
    # The demo account gets a fresh password each run; the old one stops working.
    assert _can_log_in(waitroom.app(clock), "desk", second_password)
    assert not _can_log_in(waitroom.app(clock), "desk", first_password)
