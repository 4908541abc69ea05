"""Appointment patients' morning link: the appointments file's `mobile` column, the
morning text (once, from the site's hour, never at night) through Apprise to a real HTTP
receiver, and /a/<token>: "I'm here" with the arrival code in the kiosk's window, which
then becomes the ticket's page; the number's lifecycle."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server import services
from server.extensions import db
from server.notify.channels import configured_channels
from server.notify.sender import send_due
from server.storage import queries
from server.storage.models import Appointment, AuditEntry, Contact, OutboxMessage
from tests.conftest import SITE

PUBLIC = "http://clinic.example"
HEADER = "code,last_name,first_name,date_of_birth,service,time,mobile\n"
FILE = HEADER + (
    "MX1,Lee,Ann,1980-01-01,G,10:30,07911 123456\n"
    "MX2,Ray,Bo,1981-02-02,G,11:00,\n"
    "MX3,Day,Cy,1982-03-03,G,22:00,+44 7911 123458\n"
)


@pytest.fixture
def app_config(receiver):
    return {"SMS_URL": receiver.sms_url, "PUBLIC_URL": PUBLIC}


def at(hour, minute=0, day=10):
    """Site time on the demo's Tuesday (London is on UTC in March)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def import_file(admin, text=FILE, status=200):
    response = admin.post(
        f"/api/sites/{SITE}/appointments", data=text.encode(), content_type="text/csv"
    )
    assert response.status_code == status, response.get_json()
    return response.get_json()


def morning(app) -> int:
    """The slow tick's share (services/ticks.py), then the sender's next turn."""
    with app.app_context():
        written = services.send_morning_links()
        send_due(configured_channels(app.config))
    return written


def appointment(app, code):
    with app.app_context():
        found = db.session.scalars(select(Appointment).where(Appointment.code == code)).one()
        db.session.expunge(found)
        return found


def link_of(receiver, number="+447911123456"):
    (text,) = [m for to, m in receiver.texts() if to == number]
    return re.search(r"http://clinic\.example(/a/[\w-]+)$", text)[1]


def arrival_code(app):
    with app.app_context():
        return services.arrival_code(queries.get_site(SITE))


def csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


# --- The file's mobile column --------------------------------------------------------


def test_the_mobile_column_is_read_in_the_sites_region_and_shown_to_staff_by_two_digits(app, admin):
    assert import_file(admin) == {"created": 3, "updated": 0}
    assert appointment(app, "MX1").mobile == "+447911123456"
    assert appointment(app, "MX2").mobile is None
    assert appointment(app, "MX3").mobile == "+447911123458"

    form = {"csrf_token": csrf(admin, f"/admin/{SITE}/appointments"), "action": "preview"}
    preview = admin.post(
        f"/admin/{SITE}/appointments",
        data={**form, "csv_file": (io.BytesIO(FILE.encode()), "a.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    table = preview[preview.index("<table") : preview.index("</table>")]
    assert "ending in 56" in table and "ending in 58" in table
    # (The file itself goes back in a hidden field, for the import: the admin's own upload.)
    assert "123456" not in table and "7911" not in table


def test_a_bad_mobile_number_names_its_line_and_nothing_is_imported(app, admin):
    bad = (
        HEADER
        + "MX7,Lee,Ann,1980-01-01,G,10:30,07911 123456\nMX8,Ray,Bo,1981-02-02,G,11:00,12345\n"
    )
    response = admin.post(
        f"/api/sites/{SITE}/appointments", data=bad.encode(), content_type="text/csv"
    )
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "line 3: mobile '12345' is not a mobile number we can text" in message
    with app.app_context():
        codes = db.session.scalars(select(Appointment.code)).all()
    assert "MX7" not in codes and "MX8" not in codes


# --- The morning text -----------------------------------------------------------------


def test_the_morning_link_is_texted_once_from_the_sites_hour(app, admin, clock, receiver):
    clock.now = at(6, 0)
    import_file(admin)
    assert morning(app) == 0
    assert receiver.texts() == []  # before the site's hour (07:00)

    clock.now = at(7, 0)
    assert morning(app) == 2  # MX1 and MX3; MX2 gave no number
    texts = dict(receiver.texts())
    assert sorted(texts) == ["+447911123456", "+447911123458"]
    assert re.fullmatch(
        r"Riverside Family Clinic: your appointment is today at 10:30\. "
        r"Tap here when you arrive: http://clinic\.example/a/[\w-]{32,}",
        texts["+447911123456"],
    )
    assert "Lee" not in texts["+447911123456"] and "Ann" not in texts["+447911123456"]
    assert link_of(receiver) != link_of(receiver, "+447911123458")

    for later in (at(7, 5), at(12, 0)):  # once
        clock.now = later
        assert morning(app) == 0
    assert len(receiver.texts()) == 2
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "appointment_links_texted")
        ).all()
        assert [e.detail["count"] for e in entries] == [2]
        assert "+44" not in str([e.detail for e in entries])
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == ["arrival_link", "arrival_link"]


def test_the_morning_link_is_never_texted_at_night(app, admin, clock, receiver):
    clock.now = at(5, 0)
    late = HEADER + "MX9,Late,Eve,1980-01-01,G,22:00,07911 123459\n"
    import_file(admin, late)
    clock.now = at(21, 0)  # the server was down all day: at night, no text
    assert morning(app) == 0
    clock.now = at(23, 59)
    assert morning(app) == 0
    clock.now = at(7, 0, day=11)  # nor the next morning: its day is over
    assert morning(app) == 0
    assert receiver.texts() == []


def test_no_morning_link_once_checked_in_at_the_kiosk_and_the_number_goes(
    app, admin, client, clock, receiver
):
    clock.now = at(6, 30)
    import_file(admin)
    clock.now = at(9, 45)
    response = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "MX1"})
    assert response.status_code == 201, response.get_json()
    assert appointment(app, "MX1").mobile is None  # here: the number is needed no more
    morning(app)
    assert "+447911123456" not in [to for to, _ in receiver.texts()]


def test_the_number_goes_when_the_day_is_over(app, admin, clock):
    clock.now = at(6, 0)
    import_file(admin)
    clock.now = at(0, 30, day=11)
    with app.app_context():
        (removal,) = services.purge_personal_data()
    assert removal.numbers == 2
    assert appointment(app, "MX1").mobile is None
    assert appointment(app, "MX3").mobile is None


# --- /a/<token> -------------------------------------------------------------------------


def test_the_link_says_too_early_then_on_time_the_code_opens_the_ticket_page(
    app, admin, client, clock, receiver
):
    clock.now = at(6, 0)
    import_file(admin)
    clock.now = at(7, 0)
    morning(app)
    link = link_of(receiver)

    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Your appointment today at 10:30" in html
    assert "It is too early to check in" in html  # the kiosk's words (60 minutes before)
    assert "Lee" not in html and "Ann" not in html
    form = {"csrf_token": csrf(client, link), "language": "en"}
    early = client.post(link, data={**form, "code": arrival_code(app)})
    assert early.status_code == 422
    assert "Please come back closer to your appointment time" in early.get_data(as_text=True)

    clock.now = at(10, 0)
    wrong = client.post(link, data={**form, "code": "x"})
    assert wrong.status_code == 400
    assert 'id="arrival-wrong"' in wrong.get_data(as_text=True)

    right = client.post(link, data={**form, "code": arrival_code(app)})
    assert right.status_code == 303
    ticket_page = right.headers["Location"]
    assert ticket_page == "/t/" + link.removeprefix("/a/")
    assert client.get(ticket_page).status_code == 200
    status = client.get(f"/api/tickets/{link.removeprefix('/a/')}").get_json()["ticket"]
    assert status["status"] == "waiting" and status["texts"] is True
    # The link is the ticket's page from now on; the appointment is checked in.
    again = client.get(link)
    assert again.status_code == 303 and again.headers["Location"] == ticket_page
    found = appointment(app, "MX1")
    assert found.ticket_id is not None and found.mobile is None
    with app.app_context():
        contacts = db.session.scalars(select(Contact.address)).all()
    assert contacts == ["+447911123456"]  # the ticket's texts, until its visit ends

    clock.now = at(0, 5, day=11)  # the day is over: the link ends
    assert client.get(link).status_code == 410


def test_the_link_in_spanish_and_too_late(app, admin, client, clock, receiver):
    clock.now = at(6, 0)
    import_file(admin)
    clock.now = at(7, 0)
    morning(app)
    link = link_of(receiver)
    clock.now = at(11, 1)  # 10:30 and the kiosk's 30 minutes are past
    html = client.get(f"{link}?lang=es").get_data(as_text=True)
    assert 'lang="es"' in html
    assert 'id="arrive"' not in html  # no form: see the front desk
    with app.app_context():
        from flask_babel import force_locale, gettext

        with app.test_request_context(), force_locale("es"):
            words = gettext("It is too late to check in here")
    assert words != "It is too late to check in here" and words in html


def test_an_unknown_link_says_nothing(client):
    response = client.get("/a/not-a-link")
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)


def test_the_slow_tick_writes_the_morning_links_on_the_turns_it_holds_the_lease(
    app, admin, clock, receiver
):
    from server.services import ticks
    from tests.integration.test_locks import _ScriptedLease, _Stop, _turns

    clock.now = at(6, 0)
    import_file(admin)
    clock.now = at(7, 30)
    with pytest.raises(_Stop):  # another process holds the deployment's lease
        ticks.tick_forever(app, 1, _ScriptedLease([False]), _turns(1))
    assert morning_sent(app) == 0
    with pytest.raises(_Stop):
        ticks.tick_forever(app, 1, _ScriptedLease([True]), _turns(1))
    assert morning_sent(app) == 2
    assert sorted(to for to, _ in receiver.texts()) == ["+447911123456", "+447911123458"]


def morning_sent(app) -> int:
    with app.app_context():
        return send_due(configured_channels(app.config))


def test_checked_in_at_the_kiosk_the_link_says_so_in_the_kiosks_words(
    app, admin, client, clock, receiver
):
    clock.now = at(6, 0)
    import_file(admin)
    clock.now = at(7, 0)
    morning(app)
    link = link_of(receiver)
    clock.now = at(10, 0)
    kiosk = client.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "MX1"})
    assert kiosk.status_code == 201
    html = client.get(link).get_data(as_text=True)
    assert "You are already checked in" in html
    assert 'id="arrive"' not in html
    # (A form from another page: this one shows none now.)
    token = csrf(client, f"/join?site={SITE}")
    form = {"csrf_token": token, "language": "en", "code": arrival_code(app)}
    refused = client.post(link, data=form)
    assert refused.status_code == 422
    assert "If you need your ticket again, please see the front desk." in refused.get_data(
        as_text=True
    )


def test_the_ticket_from_the_link_is_in_the_language_the_page_was_read_in(
    app, admin, client, clock, receiver
):
    clock.now = at(6, 0)
    import_file(admin)
    clock.now = at(7, 0)
    morning(app)
    link = link_of(receiver)
    clock.now = at(10, 15)
    form = {"csrf_token": csrf(client, link), "language": "es", "code": arrival_code(app)}
    assert client.post(link, data=form).status_code == 303
    ticket = client.get(f"/api/tickets/{link.removeprefix('/a/')}").get_json()["ticket"]
    assert ticket["language"] == "es"
    assert ticket["number"].startswith("G-")
    assert "Lee" not in str(ticket) and "+44" not in str(ticket)
