"""The estimates with a remote patient not here yet: the forecast is given when each is
expected and whether it is held, and those behind it are estimated to be called first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server import clock as server_clock
from server import services
from server.services import estimates
from server.storage import queries
from tests.conftest import SITE, act, walk_in

REMOTE = f"/api/sites/{SITE}/checkins/remote"


@pytest.fixture
def app_config():
    """The refresh is run by the test, when it chooses."""
    return {"ESTIMATE_REFRESH": "off"}


def refresh(app):
    with app.app_context():
        services.refresh_estimates(SITE)


def join(client, **body):
    response = client.post(REMOTE, json={"service": "G", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def estimate(client, answer):
    return client.get(answer["status_url"]).get_json()["ticket"]["estimate"]


def queue(staff):
    return staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]


def remote_id(staff):
    return next(t["id"] for t in queue(staff) if t["source"] == "remote")


def snapshot_ticket(app, ticket_id):
    with app.app_context():
        site = queries.get_site(SITE)
        now = server_clock.now()
        found = estimates.forecast(site, now).snapshot
        return now, next(t for t in found.waiting if t.id == ticket_id)


def test_patients_behind_a_remote_patient_far_away_are_expected_to_be_called_first(
    app, client, staff
):
    for _ in range(2):
        walk_in(client, "G")
    far = join(client, travel_minutes=120)
    behind = [walk_in(client, "G") for _ in range(3)]
    refresh(app)
    coming = [estimate(client, b)["central"] for b in behind]
    far_estimate = estimate(client, far)

    # The remote patient is expected when their trip ends, not before.
    now, ticket = snapshot_ticket(app, remote_id(staff))
    assert ticket.coming is not None and ticket.coming.travel_minutes == 120
    assert ticket.coming.expected_at >= now + timedelta(minutes=110)
    assert far_estimate["central"] >= 110
    assert far_estimate["low"] >= 80

    act(staff, f"tickets/{remote_id(staff)}/arrive")
    refresh(app)
    here = [estimate(client, b)["central"] for b in behind]
    # Once here, they are ahead of those behind them again: a longer wait for each.
    assert all(a < b for a, b in zip(coming, here, strict=True))
    _, arrived = snapshot_ticket(app, remote_id(staff))
    assert arrived.coming is None


def test_a_held_remote_ticket_is_given_to_the_forecast_as_held(app, client, staff):
    join(client, travel_minutes=10)
    walk_in(client, "G")
    act(staff, "rooms/room-1/call-next")  # passes over the remote ticket: held from now
    now, ticket = snapshot_ticket(app, remote_id(staff))
    assert ticket.coming is not None and ticket.coming.held_at == now
    with app.app_context():
        found = estimates.forecast(queries.get_site(SITE), now).snapshot
    assert found.remote_grace_minutes == 10 and found.remote_move_back == 3
