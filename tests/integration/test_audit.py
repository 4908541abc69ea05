"""The audit log: every staff and admin action and every sign-in event is recorded with
who, when, from which address and what changed, in a hash chain that `waitroom audit
verify` checks."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

import pytest
from sqlalchemy import select, text

from server import services
from server.extensions import db
from server.services import audit
from server.sites.schema import parse_site_file
from server.storage import migrate
from server.storage.models import AuditEntry, User
from tests.conftest import (
    DEMO_SITE,
    SITE,
    STAFF_PASSWORD,
    act,
    login,
    make_app,
    seed,
    walk_in,
)
from tests.integration.test_cli import Waitroom

ADDRESS = "192.0.2.7"
OPERATOR = audit.Actor(username="ops (command line)")


@pytest.fixture
def from_address(app):
    """A client that comes from ADDRESS."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return client


def _entries(app, action=None):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
    return entries


def _last(app, action):
    entries = _entries(app, action)
    assert entries, f"no {action} entry"
    return entries[-1]


def _user_id(app, username):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def _intact(app):
    with app.app_context():
        count, broken = services.verify_audit_chain()
    assert broken is None
    return count


def test_a_login_is_recorded_with_who_when_and_where(app, clock, from_address):
    login(from_address, "desk")

    entry = _last(app, "login")
    assert entry.user_id == _user_id(app, "desk")
    assert entry.username == "desk"
    assert entry.address == ADDRESS
    assert entry.at == clock.now
    assert entry.site_id is None
    assert isinstance(entry.detail["session"], int)
    _intact(app)


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("desk", "not the password at all", "wrong_password"),
        ("nobody", "not the password at all", "unknown_user"),
    ],
)
def test_a_failed_login_is_recorded_with_the_name_tried_never_the_password(
    app, from_address, username, password, reason
):
    response = from_address.post("/api/login", json={"username": username, "password": password})

    assert response.status_code == 401
    entry = _last(app, "login_failed")
    assert (entry.user_id, entry.username, entry.address) == (None, username, ADDRESS)
    assert entry.detail == {"reason": reason}
    assert password not in repr([(e.username, e.detail) for e in _entries(app)])
    _intact(app)


def test_a_failed_login_on_the_desk_page_is_recorded(app, from_address):
    page = from_address.get("/desk/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "username": "desk", "password": "wrong wrong wrong"}

    response = from_address.post("/desk/login", data=form)

    assert response.status_code == 401
    entry = _last(app, "login_failed")
    assert (entry.username, entry.address, entry.detail) == (
        "desk",
        ADDRESS,
        {"reason": "wrong_password"},
    )


def test_a_logout_is_recorded(app, from_address):
    login(from_address, "desk")
    assert from_address.post("/api/logout", json={}).status_code == 200

    entry = _last(app, "logout")
    assert (entry.user_id, entry.address) == (_user_id(app, "desk"), ADDRESS)
    assert entry.detail["reason"] == "logout"
    assert entry.detail["session"] == _last(app, "login").detail["session"]
    _intact(app)


def test_a_password_change_is_recorded_and_ends_the_sessions_on_the_record(app, staff):
    with app.app_context():
        services.add_user("desk", "a brand new passphrase", "staff", [SITE], actor=OPERATOR)

    entry = _last(app, "account_changed")
    assert entry.username == OPERATOR.username
    assert entry.detail["username"] == "desk"
    assert entry.detail["password_changed"] is True
    assert "a brand new passphrase" not in repr(entry.detail)
    ended = _last(app, "session_ended")
    assert (ended.user_id, ended.detail["reason"]) == (_user_id(app, "desk"), "password_changed")
    _intact(app)


def test_a_new_account_is_recorded(app):
    with app.app_context():
        services.add_user("carol", STAFF_PASSWORD, "admin", [SITE], actor=OPERATOR)

    entry = _last(app, "account_added")
    assert entry.detail == {
        "account": _user_id(app, "carol"),
        "username": "carol",
        "role": "admin",
        "sites": [SITE],
        "password_changed": True,
    }


def test_disabling_an_account_is_recorded(app, staff):
    with app.app_context():
        services.disable_user("desk", actor=OPERATOR)

    entry = _last(app, "account_disabled")
    assert (entry.username, entry.detail["username"]) == (OPERATOR.username, "desk")
    assert _last(app, "session_ended").detail["reason"] == "account_disabled"
    _intact(app)


def test_loading_a_site_is_recorded(app, clock):
    with app.app_context():
        services.load_site(parse_site_file(DEMO_SITE), actor=OPERATOR)

    entry = _last(app, "site_loaded")
    assert entry.username == OPERATOR.username
    assert entry.site_id is not None
    assert entry.at == clock.now
    assert entry.detail["created"] is False
    assert "room-1" in entry.detail["rooms"]


def test_an_appointment_import_through_the_api_is_recorded(app, from_address):
    login(from_address, "admin")
    csv_text = (
        "code,last_name,first_name,date_of_birth,service,time\nZZ9,Lee,Ann,1980-01-02,G,09:30\n"
    )

    response = from_address.post(
        f"/api/sites/{SITE}/appointments", data=csv_text, content_type="text/csv"
    )

    assert response.status_code == 200, response.get_json()
    entry = _last(app, "appointments_imported")
    assert (entry.user_id, entry.address) == (_user_id(app, "admin"), ADDRESS)
    assert entry.detail == {"created": 1, "updated": 0, "days": ["2026-03-10"]}
    _intact(app)


def test_a_queue_change_is_recorded_with_the_desks_address(app, client, from_address):
    login(from_address, "desk")
    walk_in(client, "G")

    act(from_address, "rooms/room-1/call-next")

    entry = _last(app, "call")
    assert (entry.user_id, entry.address) == (_user_id(app, "desk"), ADDRESS)
    assert entry.detail == {"room": "room-1"}
    check_in = _last(app, "check_in")
    assert (check_in.user_id, check_in.address) == (None, None)  # a patient's address is not kept
    _intact(app)


def test_the_chain_links_every_entry_to_the_one_before(app, staff, client):
    walk_in(client, "G")
    act(staff, "rooms/room-1/call-next")
    count = _intact(app)

    assert count == len(_entries(app)) > 5
    with app.app_context():
        db.session.execute(text("UPDATE audit_log SET address = '10.9.9.9' WHERE id = 3"))
        db.session.commit()
        assert services.verify_audit_chain()[1] == 3


# --- The command line -----------------------------------------------------------------


@pytest.fixture
def waitroom(tmp_path):
    return Waitroom(tmp_path)


def test_audit_verify_passes_on_a_real_run_and_fails_after_an_edit(waitroom):
    waitroom.ok("load-site", str(DEMO_SITE))
    waitroom.ok("add-user", "alice", "--site", SITE)
    waitroom.ok("disable-user", "alice")
    entries = waitroom.rows("SELECT id, action, username FROM audit_log ORDER BY id")
    assert [action for _, action, _ in entries] == [
        "site_loaded",
        "account_added",
        "account_disabled",
    ]
    assert all(name.endswith("(command line)") for _, _, name in entries)

    out = waitroom.ok("audit", "verify")

    assert out == "audit chain intact: 3 entries\n"
    with sqlite3.connect(waitroom.database) as conn:
        conn.execute("""UPDATE audit_log SET detail = '{"username": "mallory"}' WHERE id = 2""")
    result = waitroom("audit", "verify")
    assert result.returncode == 2
    assert result.stderr.startswith("error: audit chain broken at entry 2")
    assert "Traceback" not in result.stderr


def test_audit_verify_finds_a_deleted_entry(waitroom):
    waitroom.ok("load-site", str(DEMO_SITE))
    waitroom.ok("add-user", "alice", "--site", SITE)
    waitroom.ok("disable-user", "alice")
    with sqlite3.connect(waitroom.database) as conn:
        conn.execute("DELETE FROM audit_log WHERE id = 2")

    result = waitroom("audit", "verify")

    assert result.returncode == 2
    assert "entry 3" in result.stderr


def test_audit_export_writes_csv_with_formula_cells_escaped(waitroom, clock):
    waitroom.ok("load-site", str(DEMO_SITE))
    waitroom.ok("add-user", "alice", "--site", SITE)
    app = waitroom.app(clock)
    try:
        app.test_client().post("/api/login", json={"username": "=1+2", "password": "x" * 12})
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    out = waitroom.ok("audit", "export")
    by_site = waitroom.ok("audit", "export", "--site", SITE)

    lines = out.splitlines()
    assert lines[0] == "id,at,site,user,address,action,ticket_id,detail,hash"
    assert len(lines) == 4
    assert "'=1+2" in lines[3] and ",=1+2" not in lines[3]
    assert [line.split(",")[5] for line in by_site.splitlines()[1:]] == ["site_loaded"]
    assert waitroom("audit", "export", "--site", "nowhere").returncode == 2


# --- The migration ----------------------------------------------------------------------


def test_the_migration_chains_the_entries_written_before_it(clock, tmp_path):
    app = make_app(
        clock,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'w.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={},
    )
    try:
        with app.app_context():
            migrate.upgrade("0005")
            db.session.execute(
                text(
                    "INSERT INTO sites (id, slug, name, timezone, languages, settings, seq)"
                    " VALUES (1, 'a', 'A', 'UTC', '[\"en\"]', '{}', 0)"
                )
            )
            for n in range(3):
                db.session.execute(
                    text(
                        "INSERT INTO audit_log (at, site_id, action, detail)"
                        " VALUES (:at, 1, 'pause_room', :detail)"
                    ),
                    {"at": f"2026-03-10 09:0{n}:00.000000", "detail": f'{{"room": "r{n}"}}'},
                )
            db.session.commit()
            migrate.upgrade()
            assert services.verify_audit_chain() == (3, None)
            services.authenticate("nobody", "x" * 12, "10.0.0.1")
            assert services.verify_audit_chain() == (4, None)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- Concurrent writers -----------------------------------------------------------------


@pytest.mark.postgres
def test_concurrent_writers_on_postgres_leave_an_intact_chain(clock, pg_schema_url):
    """Two apps (two connection pools, as two processes), two threads each, write at once:
    no two entries link to the same previous one."""
    apps = [
        make_app(clock, SQLALCHEMY_DATABASE_URI=pg_schema_url, SQLALCHEMY_ENGINE_OPTIONS={})
        for _ in range(2)
    ]
    seed(apps[0])
    with apps[0].app_context():
        before = services.verify_audit_chain()[0]
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []
    per_writer = 25

    def writer(app, n):
        try:
            barrier.wait(timeout=30)
            for i in range(per_writer):
                with app.app_context():
                    services.authenticate(f"nobody-{n}-{i}", "x" * 12, f"10.0.0.{n}")
        except Exception as error:  # noqa: BLE001  reported below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(apps[n % 2], n)) for n in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        with apps[1].app_context():
            assert services.verify_audit_chain() == (before + 4 * per_writer, None)
            hashes = list(db.session.scalars(select(AuditEntry.hash)))
            assert len(set(hashes)) == len(hashes)
    finally:
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


# --- The CSV export through the API ------------------------------------------------------


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_an_admin_exports_the_sites_audit_log_as_csv(app, admin, staff, client):
    walk_in(client, "G")
    act(staff, "rooms/room-1/call-next")

    response = admin.get(f"/api/sites/{SITE}/audit.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == list(audit.CSV_COLUMNS)
    actions = [row[5] for row in rows[1:]]
    assert actions[-2:] == ["check_in", "call"]
    assert "login" not in actions  # not tied to the site
    call = rows[-1]
    assert (call[2], call[3], call[4]) == (SITE, "desk", "127.0.0.1")
    assert json.loads(call[7]) == {"room": "room-1"}
    assert len(call[8]) == 64


def test_the_csv_export_takes_a_range_of_days(app, admin, clock):
    assert len(_csv(admin.get(f"/api/sites/{SITE}/audit.csv?from=2026-03-10&to=2026-03-10"))) > 1
    assert len(_csv(admin.get(f"/api/sites/{SITE}/audit.csv?from=2026-03-11"))) == 1
    assert len(_csv(admin.get(f"/api/sites/{SITE}/audit.csv?to=2026-03-09"))) == 1
    assert admin.get(f"/api/sites/{SITE}/audit.csv?from=yesterday").status_code == 400


def test_only_an_admin_of_the_site_exports_its_audit_log(staff, client):
    assert staff.get(f"/api/sites/{SITE}/audit.csv").status_code == 403
    assert client.get(f"/api/sites/{SITE}/audit.csv").status_code == 401


def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(app, admin):
    staff_client = app.test_client()
    login(staff_client, "desk")
    notice = {"scope": "site", "note": "=HYPERLINK(1)", "expected_minutes": 10}
    assert staff_client.post(f"/api/sites/{SITE}/notices", json=notice).status_code == 201
    with app.app_context():
        services.import_appointments(
            SITE,
            "code,last_name,first_name,date_of_birth,service,time\nQ1,Lee,Ann,1980-01-02,G,09:30\n",
            None,
            actor=audit.Actor(username="@evil (command line)"),
        )

    rows = _csv(admin.get(f"/api/sites/{SITE}/audit.csv"))

    assert rows[-1][3] == "'@evil (command line)"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert '"note": "=HYPERLINK(1)"' in rows[-2][7]  # inside JSON: not a formula


@pytest.mark.parametrize(
    ("username", "password", "status", "recorded", "reason"),
    [
        ("", "some password", 401, "", "bad_name"),
        ("desk", "", 401, "desk", "wrong_password"),
        ("de\x00sk", "some password", 400, "de\ufffdsk", "bad_name"),
        ("x" * 500, "some password", 401, "x" * 64, "bad_name"),  # no account has it
    ],
)
def test_a_login_form_refused_before_the_password_is_tested_is_recorded(
    app, from_address, username, password, status, recorded, reason
):
    page = from_address.get("/desk/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "username": username, "password": password}

    response = from_address.post("/desk/login", data=form)

    assert response.status_code == status
    entry = _last(app, "login_failed")
    assert (entry.username, entry.address) == (recorded, ADDRESS)
    assert entry.detail == {"reason": reason}
    _intact(app)
