"""The waiting lines kept between changes (server/services/lines.py): always the lines
in the database, and read from it only when this process did not make the last change."""

from __future__ import annotations

import random
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import event, select

from server import clock as server_clock
from server import services
from server.domain.errors import DomainError
from server.domain.queue import TicketStatus
from server.domain.schedule import site_day
from server.extensions import db
from server.services import lines
from server.storage import queries
from server.storage.models import Site, Ticket, User
from tests.conftest import SITE, make_app, seed, walk_in

ROOMS = ["room-1", "room-2", "room-3", "lab-1", "lab-2", "treatment"]
SERVICES = ["G", "B", "V", "N"]
APPOINTMENTS = ["RV1001", "RV1002", "RV1003", "RV1004"]


@pytest.fixture
def app_config():
    # The estimate refresh runs inside each change here, so its writes (moved promises,
    # delay notices) go through the kept lines too.
    return {"ESTIMATE_REFRESH": "inline"}


def _kept_and_stored(app: Flask) -> tuple[lines.Lines | None, lines.Lines, int]:
    with app.app_context():
        site = queries.get_site(SITE)
        day = site_day(server_clock.now(), site.zone)
        kept = lines._kept().get(site.id)
        stored = lines._from_database(site, day)
        seq = site.seq
        db.session.rollback()
        return kept, stored, seq


# Action: (weight, the status of the ticket it is usually tried on).
WEIGHTS = {
    "walk_in": (5, None),
    "appointment": (1, None),
    "call_next": (5, None),
    "call_ticket": (1, TicketStatus.WAITING),
    "no_show": (2, TicketStatus.CALLED),
    "return": (3, TicketStatus.NO_SHOW),
    "transfer": (2, TicketStatus.WAITING),
    "priority": (2, TicketStatus.WAITING),
    "cancel": (1, TicketStatus.WAITING),
    "start": (2, TicketStatus.CALLED),
    "complete": (2, TicketStatus.IN_SERVICE),
    "pause": (1, None),
    "resume": (1, None),
    "notice": (1, None),
}


def _random_change(app: Flask, rng: random.Random, actor: int) -> str:
    """One desk or kiosk action picked at random; refused ones are part of the test."""
    name = rng.choices(sorted(WEIGHTS), [WEIGHTS[n][0] for n in sorted(WEIGHTS)])[0]
    with app.app_context():
        site = queries.get_site(SITE)
        tickets = db.session.scalars(select(Ticket).where(Ticket.site_id == site.id)).all()
        wanted = [t.id for t in tickets if t.status == WEIGHTS[name][1]]
        # Mostly a ticket the action fits; now and then any ticket, to be refused.
        pool = wanted if wanted and rng.random() < 0.9 else [t.id for t in tickets]
        pick = rng.choice(pool) if pool else 0
        db.session.rollback()
        actions = {
            "walk_in": lambda: services.check_in_walk_in(SITE, rng.choice(SERVICES)),
            "appointment": lambda: services.check_in_appointment(
                SITE, code=rng.choice(APPOINTMENTS), actor_id=actor
            ),
            "call_next": lambda: services.call_next(SITE, rng.choice(ROOMS), actor_id=actor),
            "call_ticket": lambda: services.call_ticket(
                SITE, pick, rng.choice(ROOMS), actor_id=actor
            ),
            "no_show": lambda: services.mark_no_show(SITE, pick, actor_id=actor),
            "return": lambda: services.return_to_queue(SITE, pick, actor_id=actor),
            "transfer": lambda: services.transfer(SITE, pick, rng.choice(SERVICES), actor_id=actor),
            "priority": lambda: services.set_priority(
                SITE, pick, rng.randint(0, 3), actor_id=actor
            ),
            "cancel": lambda: services.cancel(SITE, pick, actor_id=actor),
            "start": lambda: services.start_service(SITE, pick, actor_id=actor),
            "complete": lambda: services.complete(SITE, pick, actor_id=actor),
            "pause": lambda: services.pause_room(SITE, rng.choice(ROOMS), actor_id=actor),
            "resume": lambda: services.resume_room(SITE, rng.choice(ROOMS), actor_id=actor),
            "notice": lambda: services.post_notice(
                SITE,
                scope="site",
                target=None,
                reason_code=None,
                note="Doctor called away",
                expected_minutes=rng.choice([10, 40]),
                actor_id=actor,
            ),
        }
        try:
            actions[name]()
        except DomainError:
            db.session.rollback()
            return f"{name} (refused)"
        return name


@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_after_any_run_of_changes_the_kept_lines_are_the_stored_ones(app, clock, seed_value):
    rng = random.Random(seed_value)
    with app.app_context():
        actor = db.session.scalar(select(User.id).where(User.username == "desk"))
    done: list[str] = []
    for _ in range(100):
        clock.advance(minutes=rng.choice([0, 1, 3, 7]))
        done.append(_random_change(app, rng, actor))
        kept, stored, seq = _kept_and_stored(app)
        if kept is None:
            # The seeding was copied in (tests/conftest.py), so nothing is kept until the
            # first accepted change.
            assert all(name.endswith("(refused)") for name in done), done
            continue
        assert kept.seq == seq, done
        assert kept.order == stored.order, done
        assert kept.positions == stored.positions, done
        assert kept.promises == stored.promises, done
    # The run did exercise the lines: people waited, moved and left.
    assert sum(not name.endswith("(refused)") for name in done) > 50, done
    assert {"walk_in", "call_next", "transfer", "return", "priority"} <= set(done), done


class _WaitingReads:
    """Counts the statements that read a site's waiting tickets."""

    def __init__(self, app: Flask) -> None:
        self.count = 0
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement: str, *_args) -> None:
        if "FROM tickets" in statement and "tickets.status = " in statement:
            self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def test_a_change_reads_the_lines_only_when_another_process_made_the_last_change(clock, tmp_path):
    database = f"sqlite:///{tmp_path / 'waitroom.db'}"
    here = make_app(clock, SQLALCHEMY_DATABASE_URI=database, SQLALCHEMY_ENGINE_OPTIONS={})
    seed(here)
    there = make_app(clock, SQLALCHEMY_DATABASE_URI=database, SQLALCHEMY_ENGINE_OPTIONS={})
    client, other = here.test_client(), there.test_client()
    reads = _WaitingReads(here)
    try:
        # Loading the site (seed) was this process's last change: it kept the lines.
        for _ in range(3):
            walk_in(client, "G")
        assert reads.count == 0

        from_there = walk_in(other, "G")  # another process moves the site on
        mine = walk_in(client, "G")  # so this one reads the database again
        assert reads.count == 1
        assert mine["ticket"]["position"] == 5
        assert from_there["ticket"]["position"] == 4
    finally:
        reads.close()


def test_a_change_that_fails_to_commit_leaves_the_kept_lines_as_they_were(app, monkeypatch):
    walk_in(app.test_client(), "G")
    before, _, seq = _kept_and_stored(app)

    def broken_commit() -> None:
        raise RuntimeError("the disk is full")

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", broken_commit)
        with pytest.raises(RuntimeError):
            services.check_in_walk_in(SITE, "G")
        monkeypatch.undo()
        db.session.rollback()
    kept, stored, seq_after = _kept_and_stored(app)
    assert (kept, seq_after) == (before, seq)
    assert kept.order == stored.order
    again = walk_in(app.test_client(), "G")
    assert again["ticket"]["position"] == 2


def test_tickets_left_waiting_yesterday_are_not_in_todays_lines(app, clock):
    walk_in(app.test_client(), "G")
    clock.advance(days=1)
    today = walk_in(app.test_client(), "G")
    assert today["ticket"]["position"] == 1
    kept, stored, _ = _kept_and_stored(app)
    assert kept.order == stored.order
    assert kept.day == date(2026, 3, 11)
    with app.app_context():
        old = db.session.scalars(
            select(Ticket).where(Ticket.status == TicketStatus.WAITING, Ticket.day < kept.day)
        ).all()
        assert len(old) == 1 and old[0].id not in kept.positions
        assert db.session.get(Site, kept.site_id).seq == kept.seq


@pytest.mark.postgres
def test_a_site_read_before_its_lock_does_not_hide_another_process_change(clock, pg_schema_url):
    """On PostgreSQL a desk request reads the site (to check the user) before the change
    locks it. If the locked read kept that earlier copy, its old `seq` would pass for
    the kept lines' and the desk would call a patient the other process just called."""
    options = {"SQLALCHEMY_DATABASE_URI": pg_schema_url, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    here, there = make_app(clock, **options), make_app(clock, **options)
    seed(here)
    try:
        with here.app_context():
            actor = db.session.scalar(select(User.id).where(User.username == "desk"))
        for _ in range(2):
            walk_in(here.test_client(), "G")  # this process keeps the lines at this seq
        with here.app_context():
            seen = queries.get_site(SITE)  # as staff_for does, before the lock
            seen_first = seen.seq
            with there.app_context():
                theirs = services.call_next(SITE, "room-1", actor_id=actor)
            mine = services.call_next(SITE, "room-2", actor_id=actor)
        assert theirs["ticket"]["number"] == "G-001"
        assert mine["ticket"]["number"] == "G-002"
        assert (theirs["seq"], mine["seq"]) == (seen_first + 1, seen_first + 2)
    finally:
        for app in (here, there):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
