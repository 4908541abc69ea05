"""The manager's reports on hand-built days with known answers: every headline figure
the database counts equals the one computed here in Python from the same rows, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from server import services
from server.domain import feedback as feedback_rules
from server.domain.queue import TicketStatus
from server.extensions import db
from server.services import reports
from server.storage import queries
from server.storage.models import CallEvent, DelayNotice, FeedbackAnswer, ShownEstimate, Ticket
from tests.conftest import DEMO_SITE, SITE, STAFF_PASSWORD, FakeClock, login, make_app, seed

FIRST, LAST = date(2026, 3, 2), date(2026, 3, 8)  # a week before the fake clock's today
TARGETS = {"general": 30, "blood": 15, "vaccines": 20, "nurse": 25}  # the demo site file


@dataclass
class Visit:
    """One hand-built visit, as the test knows it (the database gets the same)."""

    day: date
    service: str
    source: str
    status: str
    queue_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    room: str | None
    estimate: tuple[int, int, int] | None  # central, low, high shown at check-in


def _visits(rng: random.Random, first: date, days: int) -> list[Visit]:
    """~20 visits a day. Waits end on half minutes, so that no wait sits exactly on a
    whole-minute boundary (a target, 10 minutes of error, a range's end) where the
    databases' float arithmetic could fall either side."""
    rooms = {"general": "room-1", "blood": "lab-1", "vaccines": "treatment", "nurse": "room-2"}
    found = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        for _ in range(rng.randint(14, 26)):
            service = rng.choice(list(TARGETS))
            arrived = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(
                minutes=rng.randint(0, 540)
            )
            status = rng.choices(["done", "no_show", "cancelled", "in_service"], [14, 2, 2, 1])[0]
            wait = timedelta(minutes=rng.randint(0, 70), seconds=30)
            called = None if status == "cancelled" else arrived + wait
            started = (
                called + timedelta(minutes=rng.randint(0, 4))
                if status in ("done", "in_service") and called
                else None
            )
            finished = (
                started + timedelta(minutes=rng.randint(3, 25))
                if status == "done" and started
                else None
            )
            central = rng.randint(0, 60)
            estimate = (central, max(0, central - rng.randint(2, 15)), central + rng.randint(2, 15))
            found.append(
                Visit(
                    day,
                    service,
                    rng.choice(["kiosk", "kiosk", "desk", "appointment"]),
                    status,
                    arrived,
                    called,
                    started,
                    finished,
                    rooms[service] if called else None,
                    estimate if rng.random() < 0.9 else None,
                )
            )
    return found


def _store(app: Flask, visits: list[Visit], notices: list[tuple[datetime, str]]) -> None:
    with app.app_context():
        site = queries.get_site(SITE)
        services = {s.code: s for s in site.services}
        rooms = {r.code: r for r in site.rooms}
        for number, visit in enumerate(visits, start=1):
            service = services[visit.service]
            ticket = Ticket(
                site_id=site.id,
                service_id=service.id,
                day=visit.day,
                number=number,
                number_prefix=service.prefix,
                token_digest=f"{number:064d}",
                status=TicketStatus(visit.status),
                source=visit.source,
                language="en",
                arrived_at=visit.queue_at,
                queue_at=visit.queue_at,
                called_at=visit.called_at,
                started_at=visit.started_at,
                finished_at=visit.finished_at,
                room_id=rooms[visit.room].id if visit.room else None,
            )
            db.session.add(ticket)
            db.session.flush()
            if visit.estimate:
                central, low, high = visit.estimate
                db.session.add(
                    ShownEstimate(
                        site_id=site.id,
                        ticket_id=ticket.id,
                        service_id=service.id,
                        day=visit.day,
                        at=visit.queue_at,
                        central=central,
                        low=low,
                        high=high,
                    )
                )
                # A later estimate: the report scores the first, as the benchmark does.
                db.session.add(
                    ShownEstimate(
                        site_id=site.id,
                        ticket_id=ticket.id,
                        service_id=service.id,
                        day=visit.day,
                        at=visit.queue_at + timedelta(seconds=10),
                        central=central + 40,
                        low=low + 40,
                        high=high + 40,
                    )
                )
            if visit.called_at and visit.room:
                for recall, at in (
                    (False, visit.called_at),
                    (True, visit.called_at + timedelta(minutes=2)),
                ):
                    db.session.add(
                        CallEvent(
                            site_id=site.id,
                            ticket_id=ticket.id,
                            room_id=rooms[visit.room].id,
                            day=visit.day,
                            at=at,
                            recall=recall,
                        )
                    )
        for posted, reason in notices:
            db.session.add(
                DelayNotice(
                    site_id=site.id,
                    scope="site",
                    reason=reason,
                    reason_code=reason,
                    expected_minutes=20,
                    posted_at=posted,
                )
            )
        db.session.commit()


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def _rank(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[-(-len(ordered) * percent // 100) - 1]  # ceil(n p / 100), 1-based


def _expected_headline(
    visits: list[Visit], notices: list[tuple[datetime, str]], first: date, last: date
) -> dict[str, Any]:
    """The headline figures, computed in Python from the rows."""
    mine = [v for v in visits if first <= v.day <= last]
    called = [v for v in mine if v.called_at]
    waits = [_minutes(v.called_at, v.queue_at) for v in called if v.called_at]
    over = [_minutes(v.called_at, v.queue_at) > TARGETS[v.service] for v in called if v.called_at]
    scored = [
        (v.estimate, _minutes(v.called_at, v.queue_at))
        for v in mine
        if v.estimate and v.called_at and v.room
    ]
    errors = [est[0] - actual for est, actual in scored]
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return {
        "checked_in": len(mine),
        "seen": sum(v.started_at is not None for v in mine),
        "no_shows": sum(v.status == "no_show" for v in mine),
        "left_unseen": sum(v.status == "cancelled" and v.started_at is None for v in mine),
        "median_wait": round(_rank(waits, 50), 1),
        "p90_wait": round(_rank(waits, 90), 1),
        "over_target_share": round(sum(over) / len(over), 3),
        "mae": round(statistics.fmean(abs(e) for e in errors), 1),
        "within_10": round(sum(abs(e) <= 10 for e in errors) / len(errors), 3),
        "coverage": round(
            sum(low <= actual <= high for (_, low, high), actual in scored) / len(scored), 3
        ),
        "past_latest": round(
            sum(actual > high for (_, _, high), actual in scored) / len(scored), 3
        ),
        "delay_notices": sum(start <= at < end for at, _ in notices),
    }


NOTICES = [
    (datetime(2026, 3, 3, 10, tzinfo=UTC), "emergency"),
    (datetime(2026, 3, 5, 11, tzinfo=UTC), "emergency"),
    (datetime(2026, 3, 6, 9, tzinfo=UTC), "staff-short"),
    (datetime(2026, 2, 25, 9, tzinfo=UTC), "staff-short"),  # the previous week
]


@pytest.fixture(params=["sqlite", "postgresql"])
def known(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[tuple[Flask, list[Visit]]]:
    """An app whose database holds two weeks of hand-built visits."""
    overrides: dict[str, Any] = {}
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_schema_url")
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    app = make_app(clock, **overrides)
    seed(app)
    visits = _visits(random.Random(19), FIRST - timedelta(days=7), 14)
    _store(app, visits, NOTICES)
    try:
        yield app, visits
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_every_headline_figure_equals_the_one_computed_from_the_rows(known):
    app, visits = known
    with app.app_context():
        found = reports.report(SITE, FIRST, LAST)

    expected = _expected_headline(visits, NOTICES, FIRST, LAST)
    before = _expected_headline(
        visits, NOTICES, FIRST - timedelta(days=7), FIRST - timedelta(days=1)
    )
    headline = found["headline"]
    for key in (
        "checked_in",
        "seen",
        "no_shows",
        "left_unseen",
        "median_wait",
        "p90_wait",
        "over_target_share",
        "within_10",
        "delay_notices",
    ):
        assert headline[key] == expected[key], key
        assert found["change"][key] == pytest.approx(expected[key] - before[key], abs=1e-3), key
    # Rounded to 0.1 from float sums: a mean on a .x5 may round either way.
    assert headline["mae"] == pytest.approx(expected["mae"], abs=0.101)
    assert found["promises"]["overall"]["coverage"] == expected["coverage"]
    assert found["promises"]["overall"]["past_latest"] == expected["past_latest"]
    assert found["previous"] == {
        "from": "2026-02-23",
        "to": "2026-03-01",
        "headline": found["previous"]["headline"],
    }
    assert found["previous"]["headline"]["checked_in"] == before["checked_in"]


def test_a_report_asks_the_database_each_question_once(known):
    """The headline's figures are also in the sections, and the promises' days and
    period come from one grouped query: no statement runs twice with the same values."""
    app, _visits = known
    asked: list[tuple[str, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        asked.append((statement, repr(parameters)))

    with app.app_context():
        reports.report(SITE, FIRST, LAST)  # the site and its rows loaded once
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            found = reports.report(SITE, FIRST, LAST)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    repeated = [statement for statement in set(asked) if asked.count(statement) > 1]
    assert not repeated, repeated[0]
    promise_queries = [s for s, _ in asked if "shown_estimates" in s]
    assert len(promise_queries) == 2  # this period and the one before
    days = found["promises"]["by_day"]
    assert found["promises"]["overall"]["patients"] == sum(d["patients"] for d in days)
    assert found["headline"]["mae"] == found["promises"]["overall"]["mae"]


_ANSWER_FIELDS = (
    "service_id",
    "rating",
    "complaint",
    "wait_minutes",
    "visit_day",
    "case_status",
    "case_opened_at",
    "case_closed_at",
)


def _answer_the_survey(app: Flask) -> list[Any]:
    """A feedback answer for most finished visits: ratings in turn, every seventh a
    complaint; a third of the cases replied (some late), the others left new or
    acknowledged. Returns the answers' figures as stored."""
    ratings = list(feedback_rules.Rating)
    kept = []
    with app.app_context():
        tickets = db.session.scalars(
            select(Ticket).where(Ticket.status == TicketStatus.DONE).order_by(Ticket.id)
        ).all()
        for n, ticket in enumerate(tickets):
            if n % 5 == 4:
                continue  # not every patient answers
            rating = ratings[n % len(ratings)]
            complaint = n % 7 == 0
            assert ticket.called_at and ticket.finished_at
            answer = FeedbackAnswer(
                site_id=ticket.site_id,
                ticket_id=ticket.id,
                service_id=ticket.service_id,
                language="en",
                rating=rating.value,
                complaint=complaint,
                wait_minutes=round(_minutes(ticket.called_at, ticket.arrived_at), 1),
                visit_day=ticket.day,
                answered_at=ticket.finished_at + timedelta(hours=1),
            )
            if feedback_rules.opens_case(rating, complaint):
                answer.case_opened_at = answer.answered_at
                step = n % 3
                answer.case_status = ("replied", "new", "acknowledged")[step]
                if step == 0:
                    answer.case_closed_at = answer.case_opened_at + timedelta(days=n % 6)
            db.session.add(answer)
            kept.append(SimpleNamespace(**{k: getattr(answer, k) for k in _ANSWER_FIELDS}))
        db.session.commit()
    return kept


def test_patients_voice_equals_the_answers_counted_in_python(known, clock):
    app = known[0]
    answers = _answer_the_survey(app)
    mine = [a for a in answers if FIRST <= a.visit_day <= LAST]
    with app.app_context():
        found = reports.report(SITE, FIRST, LAST)
        blood = reports.report(SITE, FIRST, LAST, service="blood")["voice"]
        blood_id = next(s.id for s in queries.get_site(SITE).services if s.code == "blood")
    voice = found["voice"]

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    good = sum(feedback_rules.Rating(a.rating) in feedback_rules.POSITIVE for a in mine)
    poor = sum(feedback_rules.Rating(a.rating) in feedback_rules.NEGATIVE for a in mine)
    cases = [a for a in mine if a.case_status]
    replied = [a for a in cases if a.case_status == "replied"]
    open_days = frozenset(range(7))  # the demo site opens every day

    def days(start: datetime, end: datetime) -> int:
        return feedback_rules.working_days_between(start.date(), end.date(), open_days)

    assert mine and cases and replied
    assert voice["responses"] == len(mine)
    assert voice["positive_share"] == share(good, len(mine))
    assert found["headline"]["positive_share"] == voice["positive_share"]
    assert voice["negative_share"] == share(poor, len(mine))
    assert voice["complaints"] == sum(a.complaint for a in mine)
    assert voice["cases"] == len(cases)
    assert voice["open_cases"] == sum(a.case_closed_at is None for a in cases)
    assert voice["overdue_cases"] == sum(
        a.case_status == "new" and days(a.case_opened_at, clock.now) > 2 for a in cases
    )
    assert voice["replied_in_time_share"] == share(
        sum(days(a.case_opened_at, a.case_closed_at) <= 2 for a in replied), len(replied)
    )
    by_rating = {r["rating"]: r["count"] for r in voice["by_rating"]}
    assert by_rating == {r.value: sum(a.rating == r for a in mine) for r in feedback_rules.Rating}
    for row in voice["by_wait_band"]:
        band = [a for a in mine if feedback_rules.wait_band(a.wait_minutes) == row["band"]]
        assert row["responses"] == len(band)
        assert row["positive_share"] == share(
            sum(feedback_rules.Rating(a.rating) in feedback_rules.POSITIVE for a in band),
            len(band),
        )
    assert blood["responses"] == sum(a.service_id == blood_id for a in mine)


def test_the_sections_add_up_to_the_rows(known):
    app, visits = known
    mine = [v for v in visits if FIRST <= v.day <= LAST]
    with app.app_context():
        found = reports.report(SITE, FIRST, LAST)

    sources = {}
    for v in mine:
        sources[v.source] = sources.get(v.source, 0) + 1
    assert {r["source"]: r["count"] for r in found["visits"]["by_source"]} == sources
    assert found["visits"]["by_hand"] == sources.get("desk", 0)
    for row in found["waits"]["by_service"]:
        waits = [
            _minutes(v.called_at, v.queue_at)
            for v in mine
            if v.service == row["service"] and v.called_at
        ]
        assert (row["patients"], row["median"], row["p90"]) == (
            len(waits),
            round(_rank(waits, 50), 1),
            round(_rank(waits, 90), 1),
        )
        assert row["target"] == TARGETS[row["service"]]
    # London is on UTC in early March: the local hour is the UTC hour.
    arrivals: dict[tuple[str, int], int] = {}
    for v in mine:
        key = (reports.WEEKDAYS[v.queue_at.weekday()], v.queue_at.hour)
        arrivals[key] = arrivals.get(key, 0) + 1
    assert {(c["weekday"], c["hour"]): c["count"] for c in found["waits"]["arrivals"]} == arrivals
    assert sum(h["patients"] for h in found["waits"]["by_hour"]) == sum(
        1 for v in mine if v.called_at
    )
    in_room = [
        _minutes(v.finished_at, v.started_at) for v in mine if v.finished_at and v.started_at
    ]
    assert sum(r["patients"] for r in found["flow"]["time_in_room"]) == len(in_room)
    busy = sum(r["busy_minutes"] for r in found["flow"]["utilisation"])
    assert busy == pytest.approx(sum(in_room), abs=0.5)
    assert {(n["reason"], n["count"]) for n in found["promises"]["notices"]} == {
        ("emergency", 2),
        ("staff-short", 1),
    }
    assert (
        sum(d["patients"] for d in found["promises"]["by_day"])
        == found["promises"]["overall"]["patients"]
    )


def test_a_filter_narrows_the_figures(known):
    app, visits = known
    with app.app_context():
        found = reports.report(SITE, FIRST, LAST, service="blood")
    blood = [v for v in visits if FIRST <= v.day <= LAST and v.service == "blood"]
    assert found["headline"]["checked_in"] == len(blood)
    assert [r["service"] for r in found["waits"]["by_service"]] == ["blood"]


# --- Who may read them, and the transports ----------------------------------------------


def _manager(app: Flask) -> Any:
    with app.app_context():
        services.add_user("boss", STAFF_PASSWORD, "manager", [SITE])
    client = app.test_client()
    login(client, "boss")
    return client


def test_the_api_gives_the_report_to_a_manager_and_an_admin_only(app, staff, admin, client):
    manager = _manager(app)
    url = f"/api/sites/{SITE}/reports?from=2026-03-02&to=2026-03-08"

    assert manager.get(url).status_code == 200
    assert admin.get(url).get_json()["headline"]["checked_in"] == 0
    refused = staff.get(url)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert client.get(url).status_code == 401


def test_the_staff_menus_link_to_the_reports_for_those_who_may_read_them(app, staff, admin):
    manager = _manager(app)
    link = f'href="/reports?site={SITE}"'

    assert link in admin.get(f"/desk?site={SITE}").get_data(as_text=True)
    assert link not in staff.get(f"/desk?site={SITE}").get_data(as_text=True)
    assert link in admin.get(f"/admin/{SITE}").get_data(as_text=True)
    inbox = manager.get(f"/feedback/inbox?site={SITE}").get_data(as_text=True)
    assert link in inbox
    # A manager has no desk, so their inbox does not offer it.
    assert f'href="/desk?site={SITE}"' not in inbox
    assert f'href="/desk?site={SITE}"' in admin.get(f"/feedback/inbox?site={SITE}").get_data(
        as_text=True
    )
    # And the reports lead to the feedback inbox, which the same people read.
    assert f'href="/feedback/inbox?site={SITE}"' in manager.get(f"/reports?site={SITE}").get_data(
        as_text=True
    )


def test_a_figure_that_did_not_move_says_no_change_not_a_signed_zero(admin):
    # No visits in either week: every count's change is 0, every median's is missing.
    page = admin.get(f"/reports?site={SITE}&range=custom&from=2026-03-02&to=2026-03-08")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    figure = html.split('data-figure="checked_in"', 1)[1].split("</div>", 1)[0]
    assert '<span class="change">no change</span>' in figure
    assert '<span class="change">\u2013</span>' in html.split('data-figure="median_wait"', 1)[1]
    for signed_zero in (">+0<", ">-0<", "+0 points", "-0 points", ">-0.0<"):
        assert signed_zero not in html


def test_a_manager_has_no_desk(app):
    manager = _manager(app)

    assert manager.get(f"/api/sites/{SITE}/queue").status_code == 403
    assert manager.post(f"/api/sites/{SITE}/rooms/room-1/call-next", json={}).status_code == 403


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=2026-03-09&to=2026-03-02", "first day comes after"),
        ("from=2025-01-01&to=2026-03-02", "at most 366 days"),
        ("service=xray", "no service 'xray'"),
        ("room=attic", "no room 'attic'"),
        ("from=March", "from"),
        ("colour=red", "colour"),
    ],
)
def test_a_bad_question_is_refused_clearly(admin, query, words):
    response = admin.get(f"/api/sites/{SITE}/reports?{query}")

    assert response.status_code == 400, response.get_json()
    assert words in str(response.get_json()["error"])


def test_the_command_prints_the_headline_and_writes_the_csvs(tmp_path, clock):
    from tests.integration.test_cli import Waitroom

    waitroom = Waitroom(tmp_path)
    waitroom.ok("init-db")
    waitroom.ok("load-site", str(DEMO_SITE))
    visits = _visits(random.Random(19), FIRST - timedelta(days=7), 14)
    app = waitroom.app(clock)
    _store(app, visits, NOTICES)
    with app.app_context():
        db.engine.dispose()

    out = waitroom.ok("report", SITE, "--from", "2026-03-02", "--to", "2026-03-08", "--csv", "out")

    expected = _expected_headline(visits, NOTICES, FIRST, LAST)
    before = _expected_headline(
        visits, NOTICES, FIRST - timedelta(days=7), FIRST - timedelta(days=1)
    )
    change = expected["checked_in"] - before["checked_in"]
    assert f"checked_in         {expected['checked_in']}  ({change:+d})" in out
    assert f"median_wait        {expected['median_wait']}" in out
    written = tmp_path / "out"
    assert (written / "headline.csv").read_text().startswith("figure,value,previous,change\n")
    sources = (written / "visits_by_source.csv").read_text().splitlines()
    assert sources[0] == "source,count"
    assert sum(int(line.split(",")[1]) for line in sources[1:]) == expected["checked_in"]
    assert {p.name for p in written.iterdir()} >= {
        "waits_by_service.csv",
        "arrivals.csv",
        "accuracy_by_day.csv",
    }


def test_a_reason_typed_like_a_formula_is_not_a_formula_in_the_csv():
    data = {
        "headline": {"delay_notices": 1},
        "previous": {"headline": {"delay_notices": 0}},
        "change": {"delay_notices": 1},
        "visits": {"by_source": []},
        "waits": {"by_service": [], "by_hour": [], "arrivals": []},
        "flow": {"time_in_room": [], "utilisation": [], "call_to_start": [], "pauses": []},
        "promises": {"by_day": [], "notices": [{"reason": "=HYPERLINK(1)", "count": 1}]},
        "voice": {"by_rating": [], "by_wait_band": []},
    }

    files = reports.report_csvs(data)

    assert files["delay_notices.csv"] == "reason,count\n'=HYPERLINK(1),1\n"
    assert files["headline.csv"] == "figure,value,previous,change\ndelay_notices,1,0,1\n"
