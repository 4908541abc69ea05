"""Staff actions on tickets, and the patient's own view and cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from server import clock, payloads
from server.domain import queue, remote
from server.domain.errors import (
    Gone,
    InvalidTransition,
    NotFound,
    NothingToCall,
    RoomOccupied,
    RoomPaused,
)
from server.domain.notify import Kind
from server.domain.queue import Action, PreviousPatient, TicketState
from server.extensions import db
from server.services import estimates, lines
from server.services.changes import SiteChange
from server.sites.settings import SiteSettings
from server.storage import queries
from server.storage.models import CallEvent, Room, Service, Site, Ticket


def call_next(
    site_slug: str,
    room_code: str,
    *,
    actor_id: int,
    previous: PreviousPatient | None = None,
) -> dict[str, Any]:
    """Call the first waiting ticket among the services the room serves.

    The room's patient in service is done; one called and not started is refused
    (RoomOccupied) unless `previous` says what became of them (make_room_for_call).
    """
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    room = _open_room(site, room_code)
    # The lines kept since the last change (lines.py); the change reuses this read.
    waiting = lines.read(site, site.days.day_of(now)).waiting
    served = {s.id for s in room.services if s.active}
    line = [t for t in waiting if t.service_id in served]
    # Remote tickets not here yet keep their place but are passed over (domain/remote.py).
    first, passed = remote.pick_next_here(line)
    if first is None:
        changed = _pass_over(site, passed, line, now)
        if changed:  # their turn came: held or moved back, though nobody is called
            change = SiteChange(site, now, "passed_over", actor_id)
            _record_passed(change, changed)
            change.finish()
        raise NothingToCall(f"Nobody is waiting for {_room_name(room)}.")
    ticket = queries.get_ticket(site, first.id)
    return _call(site, ticket, room, now, actor_id, previous=previous, passed=(passed, line))


def call_ticket(
    site_slug: str,
    ticket_id: int,
    room_code: str,
    *,
    actor_id: int,
    previous: PreviousPatient | None = None,
) -> dict[str, Any]:
    """Call one ticket out of turn to a room that serves its service (as call_next)."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    room = _open_room(site, room_code)
    ticket = queries.get_ticket(site, ticket_id)
    if all(s.id != ticket.service_id for s in room.services):
        raise InvalidTransition(
            f"{_room_name(room)} does not serve {ticket.service.names[site.languages[0]]}; "
            "transfer the ticket first."
        )
    return _call(site, ticket, room, now, actor_id, previous=previous)


def recall(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    """Announce a called ticket again, to the same room."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    _store(ticket, _state(ticket).recall(now))
    assert ticket.room is not None  # a called ticket always has its room
    return _announce_call(site, ticket, ticket.room, now, actor_id, kind="recalled", recall=True)


def start_service(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    return _move(site_slug, ticket_id, Action.START, actor_id, TicketState.start)


def complete(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    return _move(site_slug, ticket_id, Action.COMPLETE, actor_id, TicketState.complete)


def mark_no_show(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    return _move(site_slug, ticket_id, Action.MARK_NO_SHOW, actor_id, TicketState.mark_no_show)


def cancel(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    return _move(site_slug, ticket_id, Action.CANCEL, actor_id, TicketState.cancel)


def return_to_queue(site_slug: str, ticket_id: int, *, actor_id: int) -> dict[str, Any]:
    """A no-show who turns up after all joins the back of the line."""
    return _move(
        site_slug, ticket_id, Action.RETURN_TO_QUEUE, actor_id, TicketState.return_to_queue
    )


def transfer(site_slug: str, ticket_id: int, service_key: str, *, actor_id: int) -> dict[str, Any]:
    """Send a ticket to another service's line, keeping the place it earned."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    target = queries.get_service(site, service_key)
    previous = ticket.service_id
    _store(ticket, _state(ticket).transfer(target.id))
    change = SiteChange(site, now, "transferred", actor_id)
    change.touch(ticket, previous, target.id)
    change.audit("transfer", ticket, to=target.prefix)
    return _finish(change, ticket)


def set_priority(site_slug: str, ticket_id: int, level: int, *, actor_id: int) -> dict[str, Any]:
    def raise_to(state: TicketState, _now: datetime) -> TicketState:
        return state.set_priority(level)

    return _move(
        site_slug, ticket_id, Action.SET_PRIORITY, actor_id, raise_to, detail={"level": level}
    )


# --- The patient's side -----------------------------------------------------------


def ticket_status(token: str) -> dict[str, Any]:
    """The phone's view of a ticket, opened by its token."""
    now = clock.now()
    ticket = _ticket_for_token(token, now)
    site = ticket.site
    view = estimates.view_for_ticket(site, now, ticket)
    return {
        "seq": site.seq,
        "kind": "snapshot",
        "ticket": payloads.ticket_view(ticket, view, queries.active_notices(site.id)),
    }


def ticket_id_for_token(token: str) -> int:
    return _ticket_for_token(token, clock.now()).id


def cancel_by_patient(token: str) -> dict[str, Any]:
    """The patient leaves the queue from their phone."""
    now = clock.now()
    ticket = _ticket_for_token(token, now)
    site = queries.get_site(ticket.site.slug, lock=True)
    db.session.refresh(ticket)  # re-read under the lock: a desk may have just called it
    _store(ticket, _state(ticket).cancel(now))
    change = SiteChange(site, now, "cancelled", None)
    change.touch(ticket)
    change.audit("patient_cancel", ticket)
    ticket_id = ticket.id
    seq = change.finish()
    return {"seq": seq, "ticket": change.sent_to(ticket_id)}


def leave_by_text(site: Site, ticket: Ticket, now: datetime) -> None:
    """The patient leaves the queue by text (LEAVE, then YES), the site locked already;
    refused (InvalidTransition) as on the phone once they are in the room."""
    _store(ticket, _state(ticket).cancel(now))
    change = SiteChange(site, now, "cancelled", None)
    change.touch(ticket)
    change.audit("patient_cancel", ticket, by="text")
    change.tell(ticket.id, Kind.LEFT)
    change.finish()


def _ticket_for_token(token: str, now: datetime) -> Ticket:
    """Unknown tokens are 404; tokens of ended visits or of days no longer in line are 410."""
    ticket = queries.ticket_by_digest(queue.token_digest(token))
    if ticket is None:
        raise NotFound("This ticket is no longer active.", code="unknown_ticket")
    if not queue.is_open(ticket.status) or not ticket.site.days.in_line(ticket.day, now):
        raise Gone("This ticket is no longer active.", code="ticket_ended")
    return ticket


# --- Shared steps -----------------------------------------------------------------


def _open_room(site: Site, room_code: str) -> Room:
    room = queries.get_room(site, room_code)
    if room.paused:
        raise RoomPaused(f"{_room_name(room)} is paused; resume it first.")
    return room


def _room_name(room: Room) -> str:
    return room.names.get(room.site.languages[0], room.code)


def _call(
    site: Site,
    ticket: Ticket,
    room: Room,
    now: datetime,
    actor_id: int,
    *,
    previous: PreviousPatient | None,
    passed: tuple[Sequence[lines.Waiter], Sequence[lines.Waiter]] = ((), ()),
) -> dict[str, Any]:
    called = _state(ticket).call(room.id, now)  # first: the ticket itself may not be callable
    freed = _make_room(site, room, now, previous)
    _store(ticket, called)
    if ticket.remote and ticket.here_at is None:  # the desk calls one not seen come in
        ticket.held_at = None
    return _announce_call(
        site,
        ticket,
        room,
        now,
        actor_id,
        kind="called",
        recall=False,
        freed=freed,
        passed=_pass_over(site, *passed, now),
    )


def _pass_over(
    site: Site,
    passed: Sequence[lines.Waiter],
    line: Sequence[lines.Waiter],
    now: datetime,
) -> list[tuple[Ticket, str]]:
    """The remote tickets "call next" passed over: their turn came before they did.
    One not held yet is held from now (and told to come now); one held past the grace
    period moves back the site's number of places, never out of the line. Returns the
    changed tickets and what happened to each, for the change to record."""
    rules = SiteSettings.of(site).remote
    changed: list[tuple[Ticket, str]] = []
    for waiter in passed:
        ticket = queries.get_ticket(site, waiter.id)
        if ticket.held_at is None:
            ticket.held_at = now
            changed.append((ticket, "remote_held"))
        elif remote.grace_over(ticket.held_at, now, rules):
            same_line = [w for w in line if w.service_id == waiter.service_id]
            anchor = remote.moved_back_anchor(same_line, waiter, rules.move_back_places)
            if anchor is None:
                continue  # nobody behind: it keeps its place, for the desk to decide
            ticket.queue_at, ticket.held_at = anchor, None
            changed.append((ticket, "remote_moved_back"))
    return changed


def _record_passed(change: SiteChange, changed: list[tuple[Ticket, str]]) -> None:
    for ticket, action in changed:
        change.touch(ticket)
        change.audit(action, ticket)
        if action == "remote_held":
            change.tell(ticket.id, Kind.COME_NOW)


def _make_room(
    site: Site, room: Room, now: datetime, previous: PreviousPatient | None
) -> list[tuple[Ticket, Action]]:
    """Apply the one-patient rule to the room's occupant (under the site's lock, so a
    second desk sees the first desk's call); returns who left the room, and how."""
    freed = []
    days = site.days.line_days(site.days.day_of(now))
    for occupant in queries.room_occupants(room, days):
        try:
            result = queue.make_room_for_call(_state(occupant), previous, now)
        except RoomOccupied:
            number = str(occupant.ticket_number)
            raise RoomOccupied(
                queue.ROOM_OCCUPIED.format(number=number, room=_room_name(room)),
                details=[{"ticket": occupant.id, "number": number, "room": room.code}],
            ) from None
        if result is not None:
            _store(occupant, result.state)
            freed.append((occupant, result.action))
    return freed


def _announce_call(
    site: Site,
    ticket: Ticket,
    room: Room,
    now: datetime,
    actor_id: int,
    *,
    kind: str,
    recall: bool,
    freed: list[tuple[Ticket, Action]] | None = None,
    passed: list[tuple[Ticket, str]] | None = None,
) -> dict[str, Any]:
    db.session.add(
        CallEvent(
            site_id=site.id,
            ticket=ticket,
            room=room,
            day=site.days.day_of(now),
            at=now,
            recall=recall,
        )
    )
    number = ticket.ticket_number
    change = SiteChange(site, now, kind, actor_id)
    change.announce = {
        "number": str(number),
        "spoken": number.spoken(),
        "room": payloads.room_brief(room),
    }
    for left, action in freed or ():
        change.touch(left)
        change.audit(str(action), left, room=room.code, by_call=True)
    _record_passed(change, passed or [])
    change.touch(ticket)
    change.audit("recall" if recall else "call", ticket, room=room.code)
    change.tell(ticket.id, Kind.RECALLED if recall else Kind.CALLED)
    return _finish(change, ticket)


def _move(
    site_slug: str,
    ticket_id: int,
    action: Action,
    actor_id: int,
    transition: Callable[[TicketState, datetime], TicketState],
    *,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The common shape of a staff action: lock, apply the transition, finish."""
    now = clock.now()
    site = queries.get_site(site_slug, lock=True)
    ticket = queries.get_ticket(site, ticket_id)
    _store(ticket, transition(_state(ticket), now))
    change = SiteChange(site, now, str(action), actor_id)
    change.touch(ticket)
    change.audit(str(action), ticket, **(detail or {}))
    if action is Action.CANCEL:
        change.tell(ticket.id, Kind.LEFT)
    if action is Action.COMPLETE:
        change.tell(ticket.id, Kind.SURVEY)  # the survey's link, later
    return _finish(change, ticket)


def _state(ticket: Ticket) -> TicketState:
    return TicketState(
        status=ticket.status,
        priority=ticket.priority,
        service_id=ticket.service_id,
        room_id=ticket.room_id,
        queue_at=ticket.queue_at,
        called_at=ticket.called_at,
        started_at=ticket.started_at,
        finished_at=ticket.finished_at,
        recalls=ticket.recalls,
    )


def _store(ticket: Ticket, state: TicketState) -> None:
    """Write a transition's result to the row; unchanged columns are not updated."""
    ticket.status = state.status
    ticket.priority = state.priority
    ticket.queue_at = state.queue_at
    ticket.called_at = state.called_at
    ticket.started_at = state.started_at
    ticket.finished_at = state.finished_at
    ticket.recalls = state.recalls
    # Through the relationships, which payloads read before the flush; the service and
    # room are in the session already (looked up by the caller), so no query is made.
    if state.service_id != ticket.service_id:
        ticket.service = db.session.get_one(Service, state.service_id)
    if state.room_id != ticket.room_id:
        ticket.room = None if state.room_id is None else db.session.get_one(Room, state.room_id)


def _finish(change: SiteChange, ticket: Ticket) -> dict[str, Any]:
    ticket_id = ticket.id
    seq = change.finish()
    return {"seq": seq, "ticket": change.staff_view(ticket_id)}
