"""Patients' personal data is removed once the site's retention period is over, by the
server's slow tick and by `waitroom purge-personal-data`; the visit's times, calls and
estimates stay for the reports, and each removal is in the audit log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from server import services
from server.domain.errors import NotFound
from server.extensions import db
from server.services.retention import purge_when_due
from server.sites.schema import SiteFileError, parse_site_text
from server.storage.models import Appointment as AppointmentRow
from server.storage.models import AuditEntry, CallEvent, ShownEstimate, Ticket
from tests.conftest import DEMO_APPOINTMENTS, DEMO_SITE, SITE, act, walk_in
from tests.integration.test_cli import Waitroom

TUESDAY = date(2026, 3, 10)  # the test clock's day (London is on UTC in March)


@pytest.fixture
def tuesday_visits(app: Flask, staff) -> dict[str, int]:
    """Tuesday's three kinds of visit with personal data, one of them called."""
    kiosk = app.test_client()
    checked_in = kiosk.post(f"/api/sites/{SITE}/checkins/appointment", json={"code": "RV1003"})
    assert checked_in.status_code == 201, checked_in.get_json()
    act(staff, "tickets", {"service": "G", "patient_name": "Dora Diaz"}, 201)
    walk_in(kiosk, "B", step_free=True, interpreter=True, may_not_hear=True, may_not_see=True)
    act(staff, "rooms/room-1/call-next")
    ids = sorted(tickets(app))
    return {"appointment": ids[0], "by_hand": ids[1], "step_free": ids[2]}


def tickets(app: Flask) -> dict[int, Ticket]:
    with app.app_context():
        rows = db.session.scalars(select(Ticket)).all()
        db.session.expunge_all()
        return {t.id: t for t in rows}


def appointments(app: Flask) -> list[AppointmentRow]:
    with app.app_context():
        rows = db.session.scalars(select(AppointmentRow).order_by(AppointmentRow.id)).all()
        db.session.expunge_all()
        return list(rows)


def removal_entries(app: Flask) -> list[dict]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "personal_data_removed")
        )
        return [{**e.detail, "who": e.username} for e in entries]


def purge(app: Flask, **options) -> list[services.Removal]:
    with app.app_context():
        return services.purge_personal_data(**options)


def test_a_visits_data_is_kept_through_the_next_day_then_removed(app, clock, tuesday_visits):
    before = tickets(app)
    assert before[tuesday_visits["appointment"]].patient_name == "Carla Okafor"
    assert before[tuesday_visits["by_hand"]].patient_name == "Dora Diaz"
    asked = before[tuesday_visits["step_free"]]
    assert (asked.step_free, asked.interpreter, asked.may_not_hear, asked.may_not_see) == (
        True,
        True,
        True,
        True,
    )

    clock.now = clock.now.replace(hour=23, minute=59) + timedelta(days=1)  # Wednesday
    assert purge(app) == [services.Removal(SITE, TUESDAY, 0, 0)]
    assert tickets(app)[tuesday_visits["by_hand"]].patient_name == "Dora Diaz"

    clock.advance(minutes=1)  # Thursday 00:00, site time
    imported = len(appointments(app))
    removed = purge(app)

    assert removed == [services.Removal(SITE, TUESDAY + timedelta(days=1), 3, imported)]
    after = tickets(app)
    assert {
        (t.patient_name, t.step_free, t.interpreter, t.may_not_hear, t.may_not_see)
        for t in after.values()
    } == {(None, False, False, False, False)}
    for appointment in appointments(app):
        assert appointment.first_name is None
        assert appointment.last_name is None
        assert appointment.last_name_key is None
        assert appointment.date_of_birth is None
    assert removal_entries(app) == [
        {"before": "2026-03-11", "tickets": 3, "appointments": imported, "who": None}
    ]


def test_what_the_reports_count_stays(app, clock, tuesday_visits):
    def visit_facts() -> tuple:
        rows = tickets(app).values()
        with app.app_context():
            calls = db.session.scalar(select(func.count()).select_from(CallEvent))
            shown = db.session.scalar(select(func.count()).select_from(ShownEstimate))
        facts = sorted(
            (t.id, t.status, t.service_id, t.arrived_at, t.called_at, t.number, t.language)
            for t in rows
        )
        kept = [(a.code, a.starts_at, a.day, a.ticket_id) for a in appointments(app)]
        return facts, kept, calls, shown

    before = visit_facts()
    clock.advance(days=2)

    purge(app)

    assert visit_facts() == before
    assert before[2] >= 1  # a call, kept


def test_todays_visits_and_yesterdays_keep_their_data(app, clock, tuesday_visits):
    clock.advance(days=1)
    act(_staff(app), "tickets", {"service": "G", "patient_name": "Wes Wong"}, 201)
    clock.advance(days=1)  # Thursday: Tuesday's go
    act(_staff(app), "tickets", {"service": "G", "patient_name": "Eve Evans"}, 201)

    purge(app)

    names = {t.patient_name for t in tickets(app).values()}
    assert names == {None, "Wes Wong", "Eve Evans"}


def test_a_site_may_keep_no_extra_day(app, clock, tuesday_visits, tmp_path):
    text = DEMO_SITE.read_text(encoding="utf-8").replace(
        "late_checkin_minutes = 30", "late_checkin_minutes = 30\npersonal_data_days = 0", 1
    )
    with app.app_context():
        services.load_site(parse_site_text(text, folder=DEMO_SITE.parent))
    clock.now = clock.now.replace(hour=23, minute=59)
    assert purge(app)[0].tickets == 0  # the visit's own day: kept

    clock.advance(minutes=1)  # Wednesday 00:00

    assert purge(app)[0].tickets == 3


@pytest.mark.parametrize("days", ["-1", "367", '"a week"'])
def test_the_site_file_refuses_a_retention_it_cannot_keep(days):
    text = DEMO_SITE.read_text(encoding="utf-8").replace(
        "late_checkin_minutes = 30", f"late_checkin_minutes = 30\npersonal_data_days = {days}", 1
    )
    with pytest.raises(SiteFileError, match="personal_data_days"):
        parse_site_text(text, folder=DEMO_SITE.parent)


def test_a_dry_run_counts_and_changes_nothing(app, clock, tuesday_visits):
    clock.advance(days=2)

    counted = purge(app, dry_run=True)

    assert counted[0].tickets == 3
    assert tickets(app)[tuesday_visits["by_hand"]].patient_name == "Dora Diaz"
    assert removal_entries(app) == []


def test_a_second_purge_finds_nothing_and_records_nothing(app, clock, tuesday_visits):
    clock.advance(days=2)
    purge(app)

    assert purge(app)[0].tickets == 0
    assert len(removal_entries(app)) == 1


def test_an_unknown_site_is_refused(app):
    with app.app_context(), pytest.raises(NotFound):
        services.purge_personal_data("nowhere")


def test_the_tick_purges_at_most_once_an_hour_as_the_schedule(app, clock, tuesday_visits):
    clock.advance(days=2)
    with app.app_context():
        assert purge_when_due()[0].tickets == 3
    _staff(app)  # nothing new to remove meanwhile; the next turn is too soon anyway
    clock.advance(minutes=59)
    with app.app_context():
        assert purge_when_due() == []
    clock.advance(minutes=1)
    with app.app_context():
        assert [r.site for r in purge_when_due()] == [SITE]
    assert [e["who"] for e in removal_entries(app)] == ["retention schedule"]


def test_the_slow_tick_removes_it_on_the_turns_its_process_holds_the_lease(
    app, clock, tuesday_visits
):
    from server.services import ticks
    from tests.integration.test_locks import _ScriptedLease, _Stop, _turns

    clock.advance(days=2)
    with pytest.raises(_Stop):  # another process holds the deployment's lease
        ticks.tick_forever(app, 1, _ScriptedLease([False]), _turns(1))
    assert tickets(app)[tuesday_visits["by_hand"]].patient_name == "Dora Diaz"

    with pytest.raises(_Stop):
        ticks.tick_forever(app, 1, _ScriptedLease([True]), _turns(1))

    assert {t.patient_name for t in tickets(app).values()} == {None}
    assert [e["who"] for e in removal_entries(app)] == ["retention schedule"]


def _staff(app: Flask):
    from tests.conftest import login

    client = app.test_client()
    login(client, "desk")
    return client


# --- The command ----------------------------------------------------------------------


def test_the_command_says_what_it_removes_and_a_dry_run_removes_nothing(tmp_path):
    waitroom = Waitroom(tmp_path)
    waitroom.ok("load-site", str(DEMO_SITE))
    long_ago = (date.today() - timedelta(days=10)).isoformat()
    waitroom.ok("import-appointments", SITE, str(DEMO_APPOINTMENTS), "--date", long_ago)
    count = waitroom.rows("SELECT count(*) FROM appointments")[0][0]
    assert count > 0

    dry = waitroom.ok("purge-personal-data", "--dry-run")

    assert dry.startswith(f"{SITE}: would remove the personal data of 0 tickets and {count} ")
    assert waitroom.rows("SELECT count(*) FROM appointments WHERE last_name IS NULL") == [(0,)]

    done = waitroom.ok("purge-personal-data", "--site", SITE)

    assert done.startswith(f"{SITE}: removed the personal data of 0 tickets and {count} ")
    assert waitroom.rows(
        "SELECT count(*) FROM appointments WHERE first_name IS NULL AND last_name IS NULL"
        " AND last_name_key IS NULL AND date_of_birth IS NULL"
    ) == [(count,)]
    entries = waitroom.rows("SELECT username FROM audit_log WHERE action = 'personal_data_removed'")
    assert len(entries) == 1
    assert entries[0][0].endswith("(command line)")
    assert waitroom.ok("purge-personal-data").startswith(
        f"{SITE}: removed the personal data of 0 tickets and 0 "
    )


def test_the_command_refuses_an_unknown_site_in_one_line(tmp_path):
    waitroom = Waitroom(tmp_path)
    waitroom.ok("load-site", str(DEMO_SITE))

    refused = waitroom("purge-personal-data", "--site", "nowhere")

    assert refused.returncode == 2
    assert refused.stderr.startswith("error: ")
    assert refused.stderr.count("\n") == 1


@pytest.mark.postgres
def test_the_removal_on_postgresql(clock, pg_schema_url):
    from tests.conftest import make_app, seed

    app = make_app(clock, SQLALCHEMY_DATABASE_URI=pg_schema_url, SQLALCHEMY_ENGINE_OPTIONS={})
    try:
        seed(app)
        act(_staff(app), "tickets", {"service": "G", "patient_name": "Dora Diaz"}, 201)
        walk_in(app.test_client(), "B", step_free=True, interpreter=True, may_not_see=True)
        clock.advance(days=2)

        removed = purge(app)

        assert (removed[0].tickets, removed[0].appointments) == (2, len(appointments(app)))
        assert {
            (t.patient_name, t.step_free, t.interpreter, t.may_not_see)
            for t in tickets(app).values()
        } == {(None, False, False, False)}
        assert {a.date_of_birth for a in appointments(app)} == {None}
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
