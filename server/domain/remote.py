"""Waiting from anywhere: tickets that joined the line before coming in.

A remote ticket keeps its place by the time it joined, but is not called until it has
arrived: "call next" passes over it. When its turn comes and it is still not here it is
held for a grace period (the patient is told "You are next: please come now"), then moved
back a set number of places. It is never dropped: a held ticket with nobody behind it
stays where it is, for the desk to decide.

The "leave now" rule tells a remote patient when to set off: the low end of their 80%
range, minus their travel time, minus a margin.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from server.domain.errors import BadInput, CheckInRefused
from server.domain.queue import OPEN_STATUSES, Queued, TicketNumber, TicketStatus, call_order_key

DEFAULT_TRAVEL_MINUTES = 15
MAX_TRAVEL_MINUTES = 240
DEFAULT_GRACE_MINUTES = 10
DEFAULT_MOVE_BACK_PLACES = 3
DEFAULT_LEAVE_MARGIN_MINUTES = 5
DEFAULT_CLOSES_BEFORE_MINUTES = 60
DEFAULT_CAP = 20
ARRIVAL_CODE_DIGITS = 4
MAX_PAUSE_REASON = 200


@dataclass(frozen=True)
class RemoteRules:
    """A site's rules for remote tickets (its site file; sites/settings.py)."""

    grace: timedelta = timedelta(minutes=DEFAULT_GRACE_MINUTES)
    move_back_places: int = DEFAULT_MOVE_BACK_PLACES
    leave_margin: timedelta = timedelta(minutes=DEFAULT_LEAVE_MARGIN_MINUTES)
    closes_before: timedelta = timedelta(minutes=DEFAULT_CLOSES_BEFORE_MINUTES)
    cap: int = DEFAULT_CAP


class InLine(Queued, Protocol):
    """What the remote rules need to know about a waiting ticket: what the call order
    needs, and whether it has come in."""

    @property
    def here(self) -> bool: ...
    @property
    def held_at(self) -> datetime | None: ...


T = TypeVar("T", bound=InLine)


# --- Who is called ------------------------------------------------------------------


def pick_next_here(waiting: Iterable[T]) -> tuple[T | None, list[T]]:
    """The first ticket in call order that is here, and the ones not here ahead of it."""
    passed: list[T] = []
    for ticket in sorted(waiting, key=call_order_key):
        if ticket.here:
            return ticket, passed
        passed.append(ticket)
    return None, passed


def is_held(ticket: InLine) -> bool:
    return not ticket.here and ticket.held_at is not None


def grace_over(held_at: datetime, now: datetime, rules: RemoteRules) -> bool:
    return now >= held_at + rules.grace


def moved_back_anchor(line: Sequence[T], ticket: T, places: int) -> datetime | None:
    """The place in line (`queue_at`) that puts `ticket` `places` places further back
    in its line, just behind the ticket that many places behind it (or the last, when
    fewer follow it). None when nobody follows it: it keeps its place, for the desk."""
    ordered = sorted(line, key=call_order_key)
    at = next(i for i, t in enumerate(ordered) if t.id == ticket.id)
    behind = ordered[at + 1 : at + 1 + places]
    if not behind:
        return None
    # Just after the last one it lets by: a microsecond keeps the order strict whatever
    # the join times (the call order compares queue_at before arrival).
    return max(t.queue_at for t in behind) + timedelta(microseconds=1)


# --- When to leave -------------------------------------------------------------------


class Advice(StrEnum):
    """What a remote patient's page says about coming in."""

    LEAVE_BY = "leave_by"  # "Leave by 10:40"
    COME_NOW = "come_now"  # "Please come now": past the time to set off
    YOU_ARE_NEXT = "you_are_next"  # held: "You are next: please come now"
    HERE = "here"  # arrived: nothing to say about leaving


def leave_by(now: datetime, low_minutes: int, travel: timedelta, margin: timedelta) -> datetime:
    """When to set off: the low end of the 80% range, minus travel time, minus a margin.

    The low end, not the central value: a patient who arrives a little early waits a
    little in the room; one who arrives late loses their turn.
    """
    return now + timedelta(minutes=low_minutes) - travel - margin


def advice(now: datetime, *, here: bool, held: bool, leave_at: datetime | None) -> Advice:
    if here:
        return Advice.HERE
    if held:
        return Advice.YOU_ARE_NEXT
    if leave_at is None or now >= leave_at:
        return Advice.COME_NOW
    return Advice.LEAVE_BY


def tell_to_leave(
    now: datetime, *, here: bool, held: bool, leave_at: datetime | None, told: bool
) -> bool:
    """Whether to tell the patient "leave now" by text or push: once per wait, when the
    time to set off (the page's rule: `leave_by`) has come. A held ticket is told "you are
    next: please come now" instead; one with no estimate yet waits for its first."""
    if told or here or held or leave_at is None:
        return False
    return now >= leave_at


def expected_arrival(joined: datetime, travel: timedelta, leave_at: datetime | None) -> datetime:
    """When the desk may expect a remote patient: their travel time after they set off
    (or after they joined, if that is later)."""
    start = joined if leave_at is None else max(joined, leave_at)
    return start + travel


def check_travel_minutes(minutes: int) -> int:
    if not 0 <= minutes <= MAX_TRAVEL_MINUTES:
        raise CheckInRefused(
            f"Travel time must be between 0 and {MAX_TRAVEL_MINUTES} minutes.",
            code="invalid_travel_time",
        )
    return minutes


# --- May one join from afar now -------------------------------------------------------


class JoinClosed(StrEnum):
    """Why remote joining refuses: each has its own words for the patient."""

    NOT_OFFERED = "remote_not_offered"  # the service takes no remote tickets
    CLOSED = "remote_closed"  # the site is closed, or closes too soon
    PAUSED = "remote_paused"  # the desk paused it, with a reason
    FULL = "remote_full"  # the service holds its cap of remote tickets
    NUMBER_HAS_TICKET = "number_has_ticket"  # this mobile number holds one already


def join_refusal(
    *,
    offered: bool,
    open_until: datetime | None,
    now: datetime,
    paused: bool,
    remote_waiting: int,
    rules: RemoteRules,
) -> JoinClosed | None:
    """Why a remote ticket may not be taken now, or None when it may.

    `open_until`: the end of the site's opening span now (None: closed now). Joining
    closes `closes_before` that end, so that nobody is told to come to a closed door.
    """
    if not offered:
        return JoinClosed.NOT_OFFERED
    if paused:
        return JoinClosed.PAUSED
    if open_until is None or now >= open_until - rules.closes_before:
        return JoinClosed.CLOSED
    if remote_waiting >= rules.cap:
        return JoinClosed.FULL
    return None


def join_closes_at(open_until: datetime | None, rules: RemoteRules) -> datetime | None:
    return None if open_until is None else open_until - rules.closes_before


def check_pause_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise CheckInRefused("Give the reason joining is paused.", code="reason_required")
    if len(reason) > MAX_PAUSE_REASON:
        raise CheckInRefused(
            f"The reason is at most {MAX_PAUSE_REASON} characters.", code="reason_too_long"
        )
    return reason


# --- "I'm here" ---------------------------------------------------------------------


def arrival_code(secret: bytes, site_slug: str, day: date) -> str:
    """The site's arrival code for a day: posted at the entrance, shown on the display
    and at the desk, typed on the ticket page to say "I'm here". It changes every day,
    and cannot be worked out without the server's secret."""
    digest = hmac.new(secret, f"arrival:{site_slug}:{day.isoformat()}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big") % 10**ARRIVAL_CODE_DIGITS
    return f"{number:0{ARRIVAL_CODE_DIGITS}d}"


def code_matches(typed: str, code: str) -> bool:
    # As bytes: compare_digest refuses str with characters beyond ASCII (Arabic digits).
    return hmac.compare_digest("".join(typed.split()).encode(), code.encode())


# --- "I joined online" at the kiosk ---------------------------------------------------

_TYPED_TICKET = re.compile(r"^([A-Z])[-\s]*(\d{1,4})$")


def parse_ticket_number(typed: str) -> TicketNumber | None:
    """The ticket number a patient types at the kiosk ("G-012", "g12", "G 012"), or None
    when it cannot be one. Only a whole number is ever looked up: never a part of one."""
    found = _TYPED_TICKET.match(typed.strip().upper())
    if found is None:
        return None
    number = int(found[2])
    return TicketNumber(found[1], number) if number > 0 else None


class ArrivalRefused(StrEnum):
    """Why the kiosk's "I joined online" does not mark a ticket arrived."""

    NOT_REMOTE = "not_remote"  # checked in at the kiosk or the desk: already here
    ALREADY_ARRIVED = "already_arrived"  # said "I'm here" already
    ALREADY_CALLED = "already_called"  # called already (out of turn), or a no-show
    ENDED = "ticket_ended"  # the visit is over, or was cancelled


def kiosk_arrival_refusal(
    *, remote: bool, status: TicketStatus, here: bool
) -> ArrivalRefused | None:
    """Whether a ticket found by its exact number may be marked arrived at the kiosk."""
    if status not in OPEN_STATUSES:
        return ArrivalRefused.ENDED
    if not remote:
        return ArrivalRefused.NOT_REMOTE
    if status is not TicketStatus.WAITING:
        return ArrivalRefused.ALREADY_CALLED
    if here:
        return ArrivalRefused.ALREADY_ARRIVED
    return None


def end_of_span(spans: Iterable[tuple[datetime, datetime]], now: datetime) -> datetime | None:
    """The end of the opening span that holds `now`, or None when closed now."""
    return next((end for start, end in spans if start <= now < end), None)


# --- The arrival poster and the location ---------------------------------------------

POSTER_KEY_BYTES = 16  # the printed QR code's key: 22 characters, never guessed
EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
DEFAULT_ARRIVAL_RADIUS_M = 150
MAX_ARRIVAL_RADIUS_M = 5_000
# A browser's fix less precise than this proves nothing about being at the door.
MAX_LOCATION_ACCURACY_M = 1_000


def new_poster_key() -> str:
    """A site's arrival poster key: printed in its QR code, so that a poster keeps
    working when the day's code changes. An administrator replaces it when a poster is
    taken down (or photographed and shared)."""
    return secrets.token_urlsafe(POSTER_KEY_BYTES)


def poster_key_matches(given: str, key: str | None) -> bool:
    return key is not None and hmac.compare_digest(given.strip().encode(), key.encode())


@dataclass(frozen=True)
class Place:
    """A point on the Earth, in degrees (WGS 84, as a browser gives it)."""

    latitude: float
    longitude: float


def distance_m(a: Place, b: Place) -> float:
    """The great-circle distance (haversine): within a metre at a clinic's scale."""
    lat_a, lat_b = math.radians(a.latitude), math.radians(b.latitude)
    d_lat = lat_b - lat_a
    d_lon = math.radians(b.longitude - a.longitude)
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def check_place(latitude: float, longitude: float) -> Place:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadInput("This is not a place on the Earth.", code="invalid_location")
    return Place(latitude, longitude)


def is_at_site(here: Place, accuracy_m: float, site: Place, radius_m: float) -> bool:
    """Whether a browser's fix puts the patient at the site: its point within the radius
    of the site's, and the fix itself precise enough to say so (a fix 2 km wide is
    within any radius by luck). The accuracy is not added to the radius: that would let
    a vague fix from further away pass."""
    if not 0 <= accuracy_m <= MAX_LOCATION_ACCURACY_M:
        return False
    return distance_m(here, site) <= radius_m
