"""What patients are promised, and the record of it.

What a patient is shown is a *promise*: the estimate as clock times. A ticket keeps the
promise it was shown until a new estimate moves it by PROMISE_MOVES or more; then the
new one is shown, pushed, and recorded (one `ShownEstimate` row). So a patient's phone
does not flicker by a minute on every event, the record holds exactly what was shown,
and a quiet ticket adds no rows: a wait that runs as forecast writes only a handful of
rows however many events and ticks pass. When the promised upper bound moves out by
more than the site's threshold, the patient gets a delay notice that says why
(domain/delay.py has the rule, delay_texts.py the words).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import insert, select

from server import payloads
from server.domain import delay as delay_rule
from server.domain.estimate import Estimate
from server.extensions import db
from server.services.delay_texts import delay_view
from server.services.lines import Waiter
from server.sites.settings import SiteSettings
from server.storage.models import DelayNotice, ShownEstimate, Site, Ticket, TicketPromise

PROMISE_MOVES = timedelta(minutes=2)


class PromiseColumns(Protocol):
    """A promise as read: a TicketPromise, or the same columns as a HeldPromise."""

    @property
    def service_id(self) -> int: ...
    @property
    def queue_at(self) -> datetime: ...
    @property
    def expected_at(self) -> datetime: ...
    @property
    def earliest_at(self) -> datetime: ...
    @property
    def latest_at(self) -> datetime: ...
    @property
    def notice_at(self) -> datetime | None: ...
    @property
    def notice_reason(self) -> str | None: ...


P = TypeVar("P", bound=PromiseColumns)


def current(promise: P | None, ticket: Waiter, *, record: bool) -> P | None:
    """The ticket's promise if it was made for the wait it is in now. With `record`
    (inside a change's transaction) a promise made for an earlier wait is deleted."""
    if promise is None or (promise.service_id, promise.queue_at) == (
        ticket.service_id,
        ticket.queue_at,
    ):
        return promise
    if record:
        _new_wait(ticket.id)
    return None


def load(ticket_ids: Sequence[int]) -> dict[int, TicketPromise]:
    """The tickets' promises as rows, to be changed in this transaction."""
    if not ticket_ids:
        return {}
    rows = db.session.scalars(select(TicketPromise).where(TicketPromise.ticket_id.in_(ticket_ids)))
    return {p.ticket_id: p for p in rows}


def _new_wait(ticket_id: int) -> None:
    """The ticket waits in a new line (transferred, or back after a no-show): what it
    was promised before no longer holds, and is not a delay."""
    promise = db.session.get(TicketPromise, ticket_id)
    if promise is not None:
        db.session.delete(promise)
        db.session.flush()


def moved(promise: TicketPromise, fresh: Estimate, now: datetime) -> bool:
    """Whether `fresh` moves any of the promise's times by PROMISE_MOVES or more."""
    new = _clock_times(fresh, now)
    old = (promise.expected_at, promise.earliest_at, promise.latest_at)
    return any(abs(a - b) >= PROMISE_MOVES for a, b in zip(new, old, strict=True))


def _clock_times(estimate: Estimate, now: datetime) -> tuple[datetime, datetime, datetime]:
    return (
        now + timedelta(minutes=estimate.central),
        now + timedelta(minutes=estimate.low),
        now + timedelta(minutes=estimate.high),
    )


def as_estimate(promise: PromiseColumns, now: datetime) -> Estimate:
    """A shown promise in minutes from now (never negative)."""

    def left(at: datetime) -> int:
        return max(0, round((at - now).total_seconds() / 60))

    central = left(promise.expected_at)
    return Estimate(
        central, min(left(promise.earliest_at), central), max(left(promise.latest_at), central)
    )


def show(
    site: Site,
    ticket: Waiter,
    fresh: Estimate,
    now: datetime,
    promise: TicketPromise | None,
    *,
    history: list[dict[str, Any]],
) -> TicketPromise:
    """Make `fresh` the ticket's promise, and note it in `history` (record_shown)."""
    if promise is None:
        promise = TicketPromise(ticket_id=ticket.id)
        db.session.add(promise)
    promise.service_id, promise.queue_at = ticket.service_id, ticket.queue_at
    promise.shown_at = now
    promise.expected_at, promise.earliest_at, promise.latest_at = _clock_times(fresh, now)
    history.append(
        {
            "site_id": site.id,
            "ticket_id": ticket.id,
            "service_id": ticket.service_id,
            "day": site.days.day_of(now),
            "at": now,
            "central": fresh.central,
            "low": fresh.low,
            "high": fresh.high,
        }
    )
    return promise


def record_shown(history: list[dict[str, Any]]) -> None:
    # One INSERT of many rows: a refresh after a call moves hundreds of promises, and as
    # ORM objects their history rows cost a refresh a fifth of its time.
    if history:
        db.session.execute(insert(ShownEstimate), history)


def review_delay(
    site: Site,
    ticket: Waiter,
    promise: TicketPromise | None,
    shown: Estimate,
    now: datetime,
    *,
    settings: SiteSettings,
    notices: Sequence[DelayNotice],
) -> bool:
    """Apply the delay-notice rule; True when a notice was sent now."""
    if promise is None:
        return False
    review = delay_rule.review_promise(
        delay_rule.PromisedDeadline(promise.deadline, promise.notice_at),
        now,
        shown.high,
        threshold=timedelta(minutes=settings.delay_notice_minutes),
    )
    promise.deadline = review.promise.deadline
    if not review.notify:
        return False
    promise.notice_at = now
    promise.notice_reason = str(
        delay_rule.delay_reason(
            posted_delay=any(payloads.notice_concerns(n, ticket) for n in notices),
            room_paused=any(
                r.paused and r.active and any(s.id == ticket.service_id for s in r.services)
                for r in site.rooms
            ),
        )
    )
    return True


def note_delay(view: payloads.QueueView, ticket: Waiter | Ticket, promise: PromiseColumns) -> None:
    """Show the delay notice the promise carries, if any, in the view."""
    if promise.notice_reason and promise.notice_at:
        posted = []
        if promise.notice_reason == delay_rule.DelayReason.POSTED_DELAY:
            # The reasons staff picked, so the sentence says why in the patient's words.
            posted = [
                n.reason_names
                for n in view.notices
                if n.reason_names and payloads.notice_concerns(n, ticket)
            ]
        view.delays[ticket.id] = delay_view(
            promise.notice_reason, promise.notice_at, ticket.language, posted
        )
