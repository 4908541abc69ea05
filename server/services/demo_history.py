"""Write the demo clinic's past (domain/demo_history.py) into the database: tickets,
the estimates they were shown, their calls, the delay notices (cleared), and the
survey answers with their cases. Rows go in by bulk inserts, a few statements for
thousands of visits, so that `waitroom demo --history-days 60` stays quick.

Only for the demo: the tickets have no names and no tokens a patient holds.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text

from server import clock
from server.domain import demo_history
from server.extensions import db
from server.storage import queries
from server.storage.models import CallEvent, DelayNotice, FeedbackAnswer, ShownEstimate, Ticket

RESET_TICKET_IDS = (
    "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))"
)


def add_demo_history(site_slug: str, days: int, seed: int = 19) -> int:
    """The `days` days before today at the site; returns how many visits were made."""
    site = queries.get_site(site_slug)
    today = site.days.day_of(clock.now())
    services = {s.code: s for s in site.services}
    rooms = {r.code: r for r in site.rooms}
    share = {"general": 0.45, "blood": 0.3, "vaccines": 0.1, "nurse": 0.15}
    lines = [
        demo_history.ServiceLine(
            s.code,
            float(s.typical_minutes or 10),
            tuple(r.code for r in site.rooms if s in r.services),
            share.get(s.code, 0.1),
        )
        for s in site.services
    ]
    reasons = [r["code"] for r in (site.settings or {}).get("delay_reasons", []) if "code" in r]
    visits, notices = demo_history.history(
        lines, reasons, site.zone, today=today, days=days, seed=seed
    )
    if not visits:
        return 0
    # Ids given here, after the highest there is: one executemany, no RETURNING.
    first = (db.session.scalar(select(func.max(Ticket.id))) or 0) + 1
    ids = range(first, first + len(visits))
    tickets = [
        _ticket(ticket_id, site.id, services[v.service], rooms, v)
        for ticket_id, v in zip(ids, visits, strict=True)
    ]
    db.session.execute(insert(_table(Ticket)), tickets)
    estimates, calls, answers = [], [], []
    for ticket_id, visit in zip(ids, visits, strict=True):
        service = services[visit.service]
        central, low, high = visit.estimate
        estimates.append(
            {
                "site_id": site.id,
                "ticket_id": ticket_id,
                "service_id": service.id,
                "day": visit.day,
                "at": visit.arrived_at,
                "central": central,
                "low": low,
                "high": high,
            }
        )
        if visit.called_at is not None and visit.room is not None:
            calls.append(
                {
                    "site_id": site.id,
                    "ticket_id": ticket_id,
                    "room_id": rooms[visit.room].id,
                    "day": visit.day,
                    "at": visit.called_at,
                    "recall": False,
                }
            )
        if visit.answer is not None and visit.called_at is not None:
            answers.append(_answer(site.id, service.id, ticket_id, visit))
    for model, rows in ((ShownEstimate, estimates), (CallEvent, calls), (FeedbackAnswer, answers)):
        if rows:
            db.session.execute(insert(_table(model)), rows)
    if notices:
        db.session.execute(
            insert(_table(DelayNotice)),
            [
                {
                    "site_id": site.id,
                    "scope": "site",
                    "reason": n.reason_code,
                    "reason_code": n.reason_code,
                    "expected_minutes": n.expected_minutes,
                    "posted_at": n.posted_at,
                    "cleared_at": n.posted_at + timedelta(minutes=n.expected_minutes + 15),
                }
                for n in notices
            ],
        )
    if db.engine.dialect.name == "postgresql":  # the next ticket's id comes after ours
        db.session.execute(text(RESET_TICKET_IDS))
    db.session.commit()
    return len(visits)


def _table(model: Any) -> Table:
    """The model's table: a Core insert of many rows is one executemany."""
    return cast(Table, model.__table__)


def _ticket(
    ticket_id: int, site_id: int, service: Any, rooms: dict[str, Any], visit: Any
) -> dict[str, Any]:
    return {
        "id": ticket_id,
        "site_id": site_id,
        "service_id": service.id,
        "day": visit.day,
        "number": visit.number,
        "number_prefix": service.prefix,
        # A digest nobody holds the token of: the past visit has no phone page.
        "token_digest": secrets.token_hex(32),
        "status": visit.status,
        "priority": 0,
        "source": visit.source,
        "language": "en",
        "arrived_at": visit.arrived_at,
        "queue_at": visit.arrived_at,
        "called_at": visit.called_at,
        "started_at": visit.started_at,
        "finished_at": visit.finished_at,
        "room_id": rooms[visit.room].id if visit.room else None,
        "recalls": 0,
    }


def _answer(site_id: int, service_id: int, ticket_id: int, visit: Any) -> dict[str, Any]:
    answer = visit.answer
    return {
        "site_id": site_id,
        "ticket_id": ticket_id,
        "service_id": service_id,
        "language": "en",
        "rating": answer.rating.value,
        "complaint": answer.complaint,
        "wait_minutes": round((visit.called_at - visit.arrived_at).total_seconds() / 60, 1),
        "visit_day": visit.day,
        "answered_at": answer.answered_at,
        "case_status": answer.case_status,
        "case_opened_at": answer.answered_at if answer.case_status else None,
        "case_closed_at": answer.case_closed_at,
    }
