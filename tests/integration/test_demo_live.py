"""`waitroom demo --live`: the server plays the demo's day on its own clock, through the
services the kiosk and the desk use (services/demo_live.py)."""

from __future__ import annotations

import random

from sqlalchemy import select

from server.domain.queue import TicketStatus
from server.extensions import db
from server.services import demo_live
from server.storage.models import Ticket
from tests.conftest import SITE


class Always(random.Random):
    """Someone walks in at every step."""

    def random(self) -> float:
        return 0.0


def _statuses(app) -> list[str]:
    with app.app_context():
        return [str(s) for s in db.session.scalars(select(Ticket.status).order_by(Ticket.id))]


def test_a_live_site_moves_on_the_servers_clock(app, clock):
    with app.app_context():
        assert demo_live.live_sites() == []
        demo_live.set_live(SITE, "admin")
        assert demo_live.live_sites() == [(SITE, "admin")]
        rng = Always(1)

        first = demo_live.play(SITE, "admin", 10, rng)
        assert first.count("check_in") == 1 and first.count("call") == 1
        assert _statuses(app) == [TicketStatus.CALLED]

        clock.advance(seconds=30)  # not in the room yet
        assert "start" not in demo_live.play(SITE, "admin", 10, rng)

        clock.advance(seconds=31)
        assert "start" in demo_live.play(SITE, "admin", 10, rng)
        assert _statuses(app)[0] == TicketStatus.IN_SERVICE

        clock.advance(minutes=60)  # longer than any visit
        assert "complete" in demo_live.play(SITE, "admin", 10, rng)
        assert _statuses(app)[0] == TicketStatus.DONE


def test_a_faster_demo_walks_and_sees_patients_faster(app, clock):
    with app.app_context():
        demo_live.set_live(SITE, "admin")
        rng = Always(1)
        demo_live.play(SITE, "admin", 1, rng, speed=60)
        clock.advance(seconds=2)  # a minute's walk at 60 times
        assert "start" in demo_live.play(SITE, "admin", 1, rng, speed=60)
        clock.advance(minutes=1)  # an hour's visit: longer than any
        assert "complete" in demo_live.play(SITE, "admin", 1, rng, speed=60)
    assert _statuses(app)[0] == TicketStatus.DONE


def test_stopping_and_an_unknown_account_play_nothing(app, clock):
    with app.app_context():
        demo_live.set_live(SITE, "nobody")
        assert demo_live.play(SITE, "nobody", 10, Always(1)) == []
        demo_live.set_live(SITE, None)
        assert demo_live.live_sites() == []
    assert _statuses(app) == []


def test_the_command_marks_the_demo_live_and_stops_it(tmp_path):
    from tests.integration.test_cli import Waitroom

    waitroom = Waitroom(tmp_path)
    assert "is live" in waitroom.ok("demo", "--live")
    assert waitroom.rows("SELECT count(*) FROM sites WHERE settings LIKE '%demo_live%'") == [(1,)]
    assert "no longer live" in waitroom.ok("demo", "--no-live")
    assert waitroom.rows("SELECT count(*) FROM sites WHERE settings LIKE '%demo_live%'") == [(0,)]


class Never(random.Random):
    """Nobody walks in at any rate below certainty."""

    def random(self) -> float:
        return 0.999


def test_the_walk_in_rate_is_a_setting(app, clock):
    with app.app_context():
        demo_live.set_live(SITE, "admin")
        # The default, 40 an hour: a one-second step almost never brings anyone.
        assert "check_in" not in demo_live.play(SITE, "admin", 1, Never(1))
        # DEMO_LIVE_ARRIVALS_PER_HOUR=3600 (the browser test's): one at every step.
        assert (
            demo_live.play(SITE, "admin", 1, Never(1), arrivals_per_hour=3600).count("check_in")
            == 1
        )
        assert demo_live.play(SITE, "admin", 1, Never(1), arrivals_per_hour=0) == []
