"""Rooms' own hours from the site file: stored with the room, and in what patients are
told (the estimate of a patient whose rooms are at lunch waits for the lunch)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server import services
from server.extensions import db
from server.sites.schema import parse_site_text
from server.storage.models import Room
from tests.conftest import DEMO_SITE, walk_in

LAB_HOURS = 'hours = { tue = ["09:00-12:00", "13:00-17:00"] }\n'


@pytest.fixture
def app_config():
    """Estimates refreshed after each change, as the server does (inline, to follow)."""
    return {"ESTIMATE_REFRESH": "inline"}


@pytest.fixture
def labs_lunch(app):
    """The demo site, both blood-test counters shut for lunch 12:00-13:00 on Tuesdays."""
    text = DEMO_SITE.read_text()
    text = text.replace('services = ["B"]\n', f'services = ["B"]\n{LAB_HOURS}', 1)
    text = text.replace('services = ["B", "V"]\n', f'services = ["B", "V"]\n{LAB_HOURS}', 1)
    with app.app_context():
        services.load_site(parse_site_text(text))
    return app


def hours_of(app):
    with app.app_context():
        return {r.code: r.hours for r in db.session.scalars(select(Room).order_by(Room.position))}


def estimate(client, token):
    return client.get(f"/api/tickets/{token}").get_json()["ticket"]["estimate"]


def test_a_rooms_hours_are_stored_with_it_and_none_means_the_sites(labs_lunch):
    stored = hours_of(labs_lunch)
    assert stored["lab-1"] == stored["lab-2"] == {"tue": ["09:00-12:00", "13:00-17:00"]}
    assert stored["room-1"] is None


def test_a_patient_whose_rooms_are_at_lunch_is_told_they_wait_for_it(labs_lunch, client, clock):
    clock.advance(hours=2)  # 11:00 in London: the counters are open and idle
    before_lunch = walk_in(client, "B")
    assert estimate(client, before_lunch["token"])["central"] <= 1
    clock.advance(hours=1, minutes=10)  # 12:10: both counters at lunch until 13:00
    at_lunch = walk_in(client, "B")
    assert estimate(client, at_lunch["token"])["central"] >= 50
    # Reloading the site without the rooms' hours: the counters are the site's again.
    with labs_lunch.app_context():
        services.load_site(parse_site_text(DEMO_SITE.read_text()))
    assert hours_of(labs_lunch)["lab-1"] is None
    assert estimate(client, at_lunch["token"])["central"] <= 5
