"""Storage: migrations match the models, nothing is lost on restart, and reloading the
site file updates it in place."""

from __future__ import annotations

import re
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, inspect, select, text

from server import services
from server.domain.errors import NotFound
from server.extensions import db
from server.sites.schema import parse_site_text
from server.storage import migrate
from server.storage.models import Room, Site, Ticket, User
from tests.conftest import DEMO_SITE, SITE, STAFF_PASSWORD, FakeClock, login, make_app, seed

# Room 2's block in the demo site file, as written there (its name in every language).
ROOM_2_BLOCK = re.search(
    r'\[\[rooms\]\]\ncode = "room-2"\nname = \{[^\n]*\}\nservices = \["G"\]\n\n',
    DEMO_SITE.read_text(encoding="utf-8"),
)[0]  # type: ignore[index]


def _app(clock: FakeClock, url: str) -> Flask:
    return make_app(clock, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- Migrations -------------------------------------------------------------------


def _assert_migrations_match_models(app: Flask) -> None:
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
            assert context.get_current_revision() == head
            differences = compare_metadata(context, db.metadata)
        tables = set(inspect(db.engine).get_table_names())
    assert differences == []
    assert set(db.metadata.tables) <= tables


def test_migrations_on_empty_sqlite_create_the_models_schema(clock, tmp_path):
    app = _app(clock, f"sqlite:///{tmp_path}/w.db")
    try:
        _assert_migrations_match_models(app)
    finally:
        _dispose(app)


@pytest.mark.postgres
def test_processes_starting_together_migrate_an_empty_postgres_once(clock, pg_schema_url):
    apps = [_app(clock, pg_schema_url) for _ in range(3)]
    barrier = threading.Barrier(len(apps))
    failures: list[BaseException] = []

    def start(app: Flask) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                migrate.upgrade()  # what each `waitroom serve` does as it starts
            except BaseException as error:  # noqa: BLE001  (reported below)
                failures.append(error)

    threads = [threading.Thread(target=start, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert failures == []
        with apps[0].app_context():
            with db.engine.connect() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
            head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
            assert current == head
    finally:
        for app in apps:
            _dispose(app)


@pytest.mark.postgres
def test_migrations_on_empty_postgres_create_the_models_schema(clock, pg_schema_url):
    app = _app(clock, pg_schema_url)
    try:
        _assert_migrations_match_models(app)
    finally:
        _dispose(app)


def test_upgrade_twice_is_harmless_and_the_schema_is_usable(clock, tmp_path):
    app = _app(clock, f"sqlite:///{tmp_path}/w.db")
    try:
        with app.app_context():
            migrate.upgrade()
            migrate.upgrade()
        seed(app, create=False)
        with app.app_context():
            assert services.check_in_walk_in(SITE, "G").ticket["number"] == "G-001"
    finally:
        _dispose(app)


# --- Restart ----------------------------------------------------------------------


def test_tickets_survive_a_restart_on_the_same_database_file(clock, tmp_path):
    url = f"sqlite:///{tmp_path}/w.db"
    first = _app(clock, url)
    with first.app_context():
        migrate.upgrade()
    seed(first, create=False)
    with first.app_context():
        desk_id = db.session.scalar(select(User.id).where(User.username == "desk"))
        walk_ins = [services.check_in_walk_in(SITE, "G") for _ in range(3)]
        blood = services.check_in_walk_in(SITE, "B", language="es")
        appointment = services.check_in_appointment(SITE, code="RV1004")
        services.call_next(SITE, "room-1", actor_id=desk_id)
        before = {c.token: services.ticket_status(c.token) for c in [*walk_ins, blood, appointment]}
        seq = db.session.scalar(select(Site.seq).where(Site.slug == SITE))
    _dispose(first)

    second = _app(clock, url)
    try:
        with second.app_context():
            migrate.upgrade()  # what `waitroom serve` does on start: a no-op here
            after = {token: services.ticket_status(token) for token in before}
            assert db.session.scalar(select(Site.seq).where(Site.slug == SITE)) == seq
            next_walk_in = services.check_in_walk_in(SITE, "G")
        assert after == before
        assert after[walk_ins[0].token]["ticket"]["status"] == "called"
        assert after[walk_ins[0].token]["ticket"]["room"]["code"] == "room-1"
        assert [after[c.token]["ticket"]["number"] for c in walk_ins] == ["G-001", "G-002", "G-003"]
        assert after[blood.token]["ticket"]["language"] == "es"
        # Numbering carries on where it stopped, and the site's sequence too.
        assert next_walk_in.ticket["number"] == "G-004"
        assert next_walk_in.seq == seq + 1
        # Staff accounts are kept: the desk can still log in.
        login(second.test_client(), "desk", STAFF_PASSWORD)
    finally:
        _dispose(second)


# --- Reloading the site file ------------------------------------------------------


def _changed_demo_site() -> str:
    text = DEMO_SITE.read_text(encoding="utf-8")
    assert ROOM_2_BLOCK in text and 'en = "General practice"' in text
    return text.replace(ROOM_2_BLOCK, "").replace('en = "General practice"', 'en = "Family doctor"')


def test_reloading_the_site_file_keeps_tickets_and_updates_names(app):
    with app.app_context():
        desk_id = db.session.scalar(select(User.id).where(User.username == "desk"))
        checked_in = [services.check_in_walk_in(SITE, "G") for _ in range(3)]
        services.call_next(SITE, "room-2", actor_id=desk_id)
        tickets_before = db.session.scalar(select(func.count()).select_from(Ticket))

        result = services.load_site(parse_site_text(_changed_demo_site()))

        assert result["created"] is False
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == tickets_before
        views = [services.ticket_status(c.token)["ticket"] for c in checked_in]
        info = services.site_info(SITE)
    assert [v["number"] for v in views] == ["G-001", "G-002", "G-003"]
    assert [v["status"] for v in views] == ["called", "waiting", "waiting"]
    # The ticket already called to room 2 still says where to go.
    assert views[0]["room"]["code"] == "room-2"
    assert views[1]["service"]["names"]["en"] == "Family doctor"
    general = next(s for s in info["services"] if s["prefix"] == "G")
    assert (general["names"]["en"], general["names"]["es"]) == ("Family doctor", "Medicina general")


def test_a_room_removed_from_the_site_file_is_inactive_and_cannot_call(app):
    with app.app_context():
        desk_id = db.session.scalar(select(User.id).where(User.username == "desk"))
        services.check_in_walk_in(SITE, "G")
        services.load_site(parse_site_text(_changed_demo_site()))

        room_2 = db.session.scalar(select(Room).where(Room.code == "room-2"))
        assert room_2 is not None and room_2.active is False  # kept for history
        with pytest.raises(NotFound) as refused:
            services.call_next(SITE, "room-2", actor_id=desk_id)
        assert refused.value.code == "unknown_room"
        staff_rooms = [r["code"] for r in services.staff_snapshot(SITE)["rooms"]]
        # The other G rooms still work.
        called = services.call_next(SITE, "room-1", actor_id=desk_id)
    assert "room-2" not in staff_rooms
    assert "room-1" in staff_rooms
    assert called["ticket"]["number"] == "G-001"


def test_putting_a_removed_room_back_reactivates_it(app):
    with app.app_context():
        desk_id = db.session.scalar(select(User.id).where(User.username == "desk"))
        services.check_in_walk_in(SITE, "G")
        services.load_site(parse_site_text(_changed_demo_site()))
        services.load_site(parse_site_text(DEMO_SITE.read_text(encoding="utf-8")))
        called = services.call_next(SITE, "room-2", actor_id=desk_id)
        rooms_named_2 = db.session.scalar(
            select(func.count()).select_from(Room).where(Room.code == "room-2")
        )
    assert called["ticket"]["room"]["code"] == "room-2"
    assert rooms_named_2 == 1


def test_a_database_in_use_migrates_down_and_up_again(clock, tmp_path):
    """SQLite makes a table anew to change a column: with rows that refer to it (a staff
    session to its user, a ticket's contact to its ticket) that must not fail."""
    app = _app(clock, f"sqlite:///{tmp_path}/w.db")
    try:
        with app.app_context():
            migrate.upgrade()
        seed(app, create=False)
        login(app.test_client(), "desk")
        with app.app_context():
            services.check_in_walk_in(SITE, "G", step_free=True)
            db.session.remove()
            migrate.downgrade("0016")
            migrate.upgrade()
            sessions = db.session.execute(text("SELECT count(*) FROM staff_sessions")).scalar()
            assert sessions == 1
            db.session.remove()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
