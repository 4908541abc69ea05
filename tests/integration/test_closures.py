"""A site's closures (`[[closures]]`) in the forecast: the snapshot the estimates are made
from knows the site is shut then, for the site's hours and a room's own alike."""

from __future__ import annotations

from datetime import UTC, datetime

from server import services
from server.services.forecast_inputs import build_snapshot
from server.sites.schema import parse_site_text
from server.storage import queries
from tests.conftest import DEMO_SITE, SITE

# The FakeClock's day: Tuesday 10 March 2026, 09:00 in London (GMT, so UTC too).
AT_ELEVEN = '\n[[closures]]\ndate = "2026-03-10"\nfrom = "11:00"\nto = "12:00"\n'


def utc(hour: int) -> datetime:
    return datetime(2026, 3, 10, hour, tzinfo=UTC)


def snapshot_closures(app, clock, text: str) -> tuple[tuple[datetime, datetime], ...]:
    with app.app_context():
        services.load_site(parse_site_text(text))
        return build_snapshot(queries.get_site(SITE), clock.now, []).closures


def test_the_forecast_knows_a_closed_hour_ahead(app, clock):
    before = snapshot_closures(app, clock, DEMO_SITE.read_text())
    assert (utc(11), utc(12)) not in before
    assert (utc(11), utc(12)) in snapshot_closures(app, clock, DEMO_SITE.read_text() + AT_ELEVEN)


def test_a_room_with_its_own_hours_is_shut_by_a_closure_too(app, clock):
    text = DEMO_SITE.read_text().replace(
        'services = ["B"]\n', 'services = ["B"]\nhours = { tue = ["08:00-17:00"] }\n', 1
    )
    with app.app_context():
        services.load_site(parse_site_text(text + AT_ELEVEN))
        snapshot = build_snapshot(queries.get_site(SITE), clock.now, [])
    assert (utc(11), utc(12)) in snapshot.closures  # the site's: every room waits for it
    lab = next(room for room in snapshot.rooms if room.code == "lab-1")
    # The room's own sessions leave the closure out, so it is not "shut while the site is
    # open" then; its open session is 08:00 until the closure.
    assert lab.session_opened_at == utc(8)
    assert all(not (a < utc(12) and b > utc(11)) for a, b in lab.closures)
