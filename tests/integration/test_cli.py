"""The `waitroom` command, run as a real process with its environment pointing at tmp_path.

Config reads the environment when it is imported, so each command runs in a subprocess
with WAITROOM_VAR set; the database is var/waitroom.db inside tmp_path.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from server import services
from server.domain.errors import BadInput
from server.extensions import db
from server.services import accounts
from server.storage.models import User
from tests.conftest import DEMO_SITE, SITE, STAFF_PASSWORD, make_app

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


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The command said no in one `error:` line holding `words`, with exit status 2."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def _everything(waitroom: Waitroom) -> list[list[tuple]]:
    return [
        waitroom.rows(f"SELECT * FROM {table} ORDER BY id")
        for table in ("sites", "services", "rooms", "appointments", "users")
    ]


LATIN_1_SITE = DEMO_SITE.read_text(encoding="utf-8").replace(
    'name = "Riverside Family Clinic"', 'name = "Clinique Médicale du Parc"', 1
)
NUL_SITE = DEMO_SITE.read_text(encoding="utf-8").replace(
    'name = "Riverside Family Clinic"', 'name = "Riverside\\u0000Clinic"', 1
)
SITE_FILES = {
    # name: (bytes, what the error says)
    "latin-1": (
        # The demo's Chinese, Arabic... names have no Latin-1 byte: "?" stands for them.
        LATIN_1_SITE.encode("latin-1", errors="replace"),
        f"not UTF-8 text (line {_line_of(LATIN_1_SITE, 'Médicale')}: byte 0xe9)",
    ),
    "binary": (bytes(range(256)) * 8, "not UTF-8 text (line 2: byte 0x80)"),
    "5000 deep": (
        ("x = " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        "not valid TOML: arrays or tables nested too deeply",
    ),
    "NUL in the name": (
        NUL_SITE.encode(),
        f"site.name (line {_line_of(NUL_SITE, 'u0000')}): control characters are not allowed",
    ),
}


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


def test_export_site_then_load_site_gives_the_same_site(waitroom, tmp_path):
    waitroom.ok("load-site", str(DEMO_SITE))
    exported = tmp_path / "exported.toml"
    assert waitroom.ok("export-site", SITE, "-o", str(exported)).strip() == (
        f"site {SITE} written to {exported}"
    )
    rooms = "SELECT code, names, active, position FROM rooms ORDER BY id"
    before = waitroom.rows(rooms), waitroom.rows("SELECT name, settings FROM sites")
    assert waitroom.ok("load-site", str(exported)).strip() == f"site {SITE} updated"
    assert (waitroom.rows(rooms), waitroom.rows("SELECT name, settings FROM sites")) == before
    assert waitroom.ok("export-site", SITE) == exported.read_text(encoding="utf-8")


def test_export_site_of_an_unknown_site_says_so(waitroom):
    waitroom.ok("load-site", str(DEMO_SITE))
    result = waitroom("export-site", "nowhere")
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_load_site_of_a_missing_file_says_so(waitroom, tmp_path):
    result = waitroom("load-site", str(tmp_path / "nope.toml"))
    assert result.returncode != 0
    assert "nope.toml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", SITE_FILES)
def test_load_site_refuses_a_file_it_cannot_read_in_one_line_and_changes_nothing(
    waitroom, tmp_path, kind
):
    waitroom.ok("load-site", str(DEMO_SITE))
    before = _everything(waitroom)
    data, problem = SITE_FILES[kind]
    bad = tmp_path / "bad.toml"
    bad.write_bytes(data)

    _refused(waitroom("load-site", str(bad)), f"error: {bad}: {problem}")

    assert _everything(waitroom) == before


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


LATIN_1_CSV = GOOD_CSV.replace("Lee", "Müller").encode("latin-1")
BINARY_CSV = bytes(range(256)) * 8


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (LATIN_1_CSV, "The CSV must be UTF-8 text: line 2 has byte 0xfc."),
        (BINARY_CSV, "The CSV must be UTF-8 text: line 2 has byte 0x80."),
    ],
    ids=["latin-1", "binary"],
)
def test_import_appointments_refuses_a_file_not_utf8_as_the_api_does(
    waitroom, tmp_path, admin, data, problem
):
    waitroom.ok("load-site", str(DEMO_SITE))
    waitroom.ok("import-appointments", SITE, str(_csv(tmp_path, GOOD_CSV.encode())))
    before = _everything(waitroom)
    csv_file = _csv(tmp_path, data, "bad.csv")

    _refused(waitroom("import-appointments", SITE, str(csv_file)), f"error: {csv_file}: {problem}")

    assert _everything(waitroom) == before
    # The API reads the same file with the same decoder, and says the same.
    response = admin.post(f"/api/sites/{SITE}/appointments", data=data, content_type="text/csv")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == problem


def _csv(folder: Path, data: bytes, name: str = "day.csv") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


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


def test_demo_makes_up_past_days_only_when_asked(waitroom):
    out = waitroom.ok("demo", "--history-days", "5")

    assert "past visits over the last 5 days" in out
    days = waitroom.rows("SELECT count(DISTINCT day), count(*) FROM tickets")[0]
    assert days[0] == 5 and days[1] > 5 * 10
    assert waitroom.rows("SELECT count(*) FROM feedback_answers")[0][0] > 0
    # Run again on the same database: its data is kept, no second past is added.
    waitroom.ok("demo", "--history-days", "5")
    assert waitroom.rows("SELECT count(*) FROM tickets")[0] == (days[1],)


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


# --- one rule for usernames: the command that makes accounts, and the logins ------------

BAD_USERNAMES = {
    "500 characters": ("a" * 500, "username: at most 64 characters."),
    "a control character": ("ev\x01il", "username: control characters are not allowed."),
    "a NUL": ("ev\x00il", "username: control characters are not allowed."),
    "a space at an end": ("desk ", "username: no spaces at either end."),
    "empty": ("", "username: give a name."),
}


@pytest.mark.parametrize("kind", BAD_USERNAMES)
def test_one_username_rule_refuses_what_no_login_takes(kind):
    name, message = BAD_USERNAMES[kind]
    with pytest.raises(BadInput) as refused:
        accounts.check_username(name)
    assert refused.value.message == message


def test_one_username_rule_takes_a_name_of_64_characters():
    assert accounts.check_username("a" * 64) == "a" * 64
    assert accounts.check_username("Dr. Ana María") == "Dr. Ana María"


@pytest.mark.parametrize("kind", ["500 characters", "a control character"])
def test_add_user_refuses_a_name_login_refuses(waitroom, kind):
    name, message = BAD_USERNAMES[kind]
    waitroom.ok("load-site", str(DEMO_SITE))

    _refused(
        waitroom("add-user", name, "--site", SITE, "--password-stdin", stdin=STAFF_PASSWORD),
        f"error: {message}",
    )

    assert waitroom.rows("SELECT count(*) FROM users") == [(0,)]


def test_add_user_takes_the_longest_name_login_takes(waitroom, clock):
    waitroom.ok("load-site", str(DEMO_SITE))
    name = "a" * 64
    waitroom.ok("add-user", name, "--site", SITE, "--password-stdin", stdin=STAFF_PASSWORD)
    assert _can_log_in(waitroom.app(clock), name, STAFF_PASSWORD)


@pytest.mark.parametrize("kind", ["a control character", "a NUL"])
def test_login_applies_the_same_rule_even_to_an_account_stored_before_it(app, kind):
    """An account written before the rule (straight into the table) cannot log in by the
    API or the desk form: both check the name with the rule `add-user` uses."""
    name, _ = BAD_USERNAMES[kind]
    with app.app_context():
        desk = db.session.execute(select(User).where(User.username == "desk")).scalar_one()
        db.session.add(
            User(username=name, password_hash=desk.password_hash, role="staff", sites=desk.sites)
        )
        db.session.commit()
        assert services.authenticate(name, STAFF_PASSWORD) is None
        assert services.authenticate("desk", STAFF_PASSWORD) is not None

    api = app.test_client().post("/api/login", json={"username": name, "password": STAFF_PASSWORD})
    assert api.status_code in (400, 401)
    client = app.test_client()
    client.post("/desk/login", data={"username": name, "password": STAFF_PASSWORD})
    assert client.get("/api/me").status_code == 401


def test_vapid_keys_makes_the_push_key_once_and_prints_a_pair_for_the_environment(waitroom):
    from server.notify.channels import public_key_text, vapid_key

    first = waitroom.ok("vapid-keys")
    assert waitroom.ok("vapid-keys") == first  # an existing key is kept
    path = waitroom.var / "vapid_private_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert public_key_text(vapid_key(path.read_text())) in first

    lines = dict(line.split("=", 1) for line in waitroom.ok("vapid-keys", "--print").split())
    assert set(lines) == {"VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"}
    assert public_key_text(vapid_key(lines["VAPID_PRIVATE_KEY"])) == lines["VAPID_PUBLIC_KEY"]


# --- poster ------------------------------------------------------------------------


def test_poster_writes_the_join_and_arrival_posters_and_the_qr_code_alone(waitroom):
    waitroom.ok("load-site", str(DEMO_SITE))
    base = ("--base-url", "http://192.168.1.20:5000")
    said = waitroom.ok("poster", SITE, "--kind", "join", "-o", "join.html", *base)
    assert said.strip() == f"join poster of {SITE} written to join.html"
    join = (waitroom.root / "join.html").read_text(encoding="utf-8")
    assert join.startswith("<!doctype html>")
    assert "192.168.1.20:5000/join?site=riverside" in join  # the address to type
    assert "<style>" in join and "@page" in join and "size: A4" in join  # prints alone
    assert "<script" not in join and "/static/" not in join
    assert join.count("<svg") == 1

    waitroom.ok("poster", SITE, "--kind", "arrival", "-o", "arrival.html", *base)
    arrival = (waitroom.root / "arrival.html").read_text(encoding="utf-8")
    [(key,)] = waitroom.rows("SELECT poster_key FROM sites")
    assert key and key not in arrival.split("<svg", 1)[0]  # only inside the QR code
    assert re.search(r'id="poster-code">\d{4}<', arrival)
    [(action, username)] = waitroom.rows(
        "SELECT action, username FROM audit_log WHERE action LIKE 'poster_key%'"
    )
    assert action == "poster_key_made" and username.endswith("(command line)")

    waitroom.ok("poster", SITE, "--kind", "arrival", "-o", "arrival.svg", *base)
    assert (waitroom.root / "arrival.svg").read_text(encoding="utf-8").startswith("<svg")
    assert waitroom.rows("SELECT poster_key FROM sites") == [(key,)]  # kept


def test_poster_refuses_without_an_address_a_file_it_cannot_write_or_an_unknown_site(waitroom):
    waitroom.ok("load-site", str(DEMO_SITE))
    _refused(waitroom("poster", SITE, "-o", "join.html"), "--base-url")
    base = ("--base-url", "http://clinic.example")
    _refused(waitroom("poster", SITE, "-o", "join.pdf", *base), ".html or a .svg")
    _refused(waitroom("poster", "nowhere", "-o", "join.html", *base), "nowhere")
    _refused(waitroom("poster", SITE, "-o", "no/such/dir/join.html", *base), "cannot write")
    assert not (waitroom.root / "join.html").exists()
