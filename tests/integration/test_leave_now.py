""" "Leave now" by text: a remote patient with texts on is told when it is time to set off
(the rule their page says "Leave by" with), once per wait, from the estimate refresh, with
nobody at the desk acting. Texts go through Apprise to a real HTTP receiver."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.notify.channels import configured_channels
from server.notify.sender import send_due
from server.services.ticks import refresh_estimates
from server.storage.models import OutboxMessage, Site, Ticket
from tests.conftest import SITE, act, walk_in

REMOTE = f"/api/sites/{SITE}/checkins/remote"
AHEAD = 8  # walk-ins ahead: a wait longer than the way here


@pytest.fixture
def app_config():
    # The receiver's port is known only once it runs: set in each test.
    return {"ESTIMATE_REFRESH": "inline", "SMS_URL": "later"}


def send(app) -> int:
    with app.app_context():
        return send_due(configured_channels(app.config))


def leave_texts(receiver):
    return [(to, m) for to, m in receiver.texts() if "leave now" in m or "salga ya" in m]


def join(client, **body):
    response = client.post(REMOTE, json={"service": "G", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def set_margin(app, minutes):
    """The site's margin taken off "leave by" (its site file's remote_leave_margin_minutes)."""
    with app.app_context():
        site = db.session.scalars(select(Site).where(Site.slug == SITE)).one()
        site.settings = {**site.settings, "remote_leave_margin_minutes": minutes}
        db.session.commit()


def told_at(app, number):
    prefix, value = number.split("-")
    with app.app_context():
        return db.session.scalars(
            select(Ticket.leave_told_at).where(
                Ticket.number_prefix == prefix, Ticket.number == int(value)
            )
        ).one()


def test_leave_now_is_texted_once_when_the_time_to_set_off_comes(app, client, staff, receiver):
    app.config["SMS_URL"] = receiver.sms_url
    for _ in range(AHEAD):
        walk_in(client, "G")
    joined = join(client, travel_minutes=10, mobile="07911 123456", consent=True)
    number = joined["ticket"]["number"]
    page = client.get(joined["status_url"]).get_json()["ticket"]
    assert page["remote"]["advice"] == "leave_by"
    send(app)
    assert leave_texts(receiver) == []  # not yet: its page says "Leave by"
    assert told_at(app, number) is None

    # The time to set off comes (here: the site takes a longer margin off "leave by")
    # with nobody acting: the slow tick's refresh tells the patient.
    set_margin(app, 60)
    with app.app_context():
        refresh_estimates(SITE)
    send(app)
    assert leave_texts(receiver) == [
        ("+447911123456", f"{number}: please leave now to be here in time for your turn.")
    ]
    assert told_at(app, number) is not None
    page = client.get(joined["status_url"]).get_json()["ticket"]
    assert page["remote"]["advice"] == "come_now"

    # Once per wait: later refreshes and changes tell it nothing more.
    with app.app_context():
        refresh_estimates(SITE)
    act(staff, "rooms/room-1/call-next")
    walk_in(client, "G")
    send(app)
    assert len(leave_texts(receiver)) == 1


def test_leave_now_is_in_the_tickets_language_and_names_nobody(app, client, receiver):
    app.config["SMS_URL"] = receiver.sms_url
    for _ in range(AHEAD):
        walk_in(client, "G")
    set_margin(app, 120)  # past already when it joins: told at once
    joined = join(client, travel_minutes=10, mobile="07911 123456", consent=True, language="es")
    send(app)
    texts = leave_texts(receiver)
    number = joined["ticket"]["number"]
    assert texts == [("+447911123456", f"{number}: salga ya para llegar a tiempo a su turno.")]


def test_no_leave_now_without_texts_or_once_the_patient_is_here(app, client, staff, receiver):
    app.config["SMS_URL"] = receiver.sms_url
    for _ in range(AHEAD):
        walk_in(client, "G")
    quiet = join(client, travel_minutes=10)  # no number: nothing to tell, nothing marked
    here = join(client, travel_minutes=10, mobile="07911 123457", consent=True)
    queue = staff.get(f"/api/sites/{SITE}/queue").get_json()["tickets"]
    here_id = next(t["id"] for t in queue if t["number"] == here["ticket"]["number"])
    act(staff, f"tickets/{here_id}/arrive")
    set_margin(app, 120)
    with app.app_context():
        refresh_estimates(SITE)
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert "leave_now" not in kinds
    assert told_at(app, quiet["ticket"]["number"]) is None
    assert told_at(app, here["ticket"]["number"]) is None


# --- The same by Web Push, to a real push service in the test -----------------------


def test_leave_now_is_pushed_once_to_a_phone_that_asked_for_notifications(clock):
    from tests.conftest import make_app, seed
    from tests.integration.test_push import PRIVATE_KEY, PUBLIC_KEY, subscribe
    from tests.push_service import PushService

    push_service = PushService(PUBLIC_KEY)
    try:
        app = make_app(
            clock,
            ESTIMATE_REFRESH="inline",
            VAPID_PRIVATE_KEY=PRIVATE_KEY,
            VAPID_SUBJECT="mailto:it@clinic.example",
            PUSH_SERVICE_HOSTS=["127.0.0.1"],
        )
        seed(app)
        client = app.test_client()
        for _ in range(AHEAD):
            walk_in(client, "G")
        joined = join(client, travel_minutes=10)
        answer = subscribe(client, joined["token"], push_service.browser("phone").subscription())
        assert answer.status_code == 200, answer.get_json()
        send(app)
        assert [m for m in push_service.messages("phone") if "leave now" in m["body"]] == []

        set_margin(app, 60)
        for _ in range(2):  # two slow ticks: told on the first only
            with app.app_context():
                refresh_estimates(SITE)
            send(app)
        number = joined["ticket"]["number"]
        leave = [m for m in push_service.messages("phone") if "leave now" in m["body"]]
        assert leave == [
            {
                "title": "Riverside Family Clinic",
                "body": f"{number}: please leave now to be here in time for your turn.",
                "url": f"/t/{joined['token']}",
                "tag": leave[0]["tag"],
            }
        ]
    finally:
        push_service.close()
