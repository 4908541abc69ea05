"""The tables. Rows are loaded and saved by services; payloads sent out are dicts."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.queue import TicketNumber, TicketStatus
from server.domain.schedule import SiteDays
from server.extensions import Base, db
from server.storage.types import UTCDateTime

# db.Model is Base with Flask-SQLAlchemy's extras; type checkers only know Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

room_services = Table(
    "room_services",
    db.metadata,
    Column("room_id", ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)

user_sites = Table(
    "user_sites",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class Site(Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[str]] = mapped_column(JSON)
    # Opening hours, appointment windows, public URL: see sites/schema.py.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped by every committed change; clients use it to notice a missed update.
    seq: Mapped[int] = mapped_column(default=0)
    # The last forward simulation's wait for one who would join each line now
    # ({service id: [central, low, high]}): what a new ticket is first promised and
    # what displays show, without running the simulation on the request that asks.
    service_waits: Mapped[dict[str, list[int]] | None] = mapped_column(JSON)

    services: Mapped[list[Service]] = relationship(
        back_populates="site", order_by="Service.position"
    )
    rooms: Mapped[list[Room]] = relationship(back_populates="site", order_by="Room.position")
    devices: Mapped[list[Device]] = relationship(back_populates="site")

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def days(self) -> SiteDays:
        """When the site's day turns (`day_starts` in the site file): the day a ticket
        is numbered in, and which days' tickets are in line."""
        return SiteDays.of(self.zone, (self.settings or {}).get("day_starts"))


class Service(Model):
    __tablename__ = "services"
    # Prefixes are unique among a site's active services; the site file checks it.
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(1))
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    typical_minutes: Mapped[float]
    colour: Mapped[str | None] = mapped_column(String(7))  # "#1f6feb"; none: the screens'
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    site: Mapped[Site] = relationship(back_populates="services")


class Room(Model):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    code: Mapped[str] = mapped_column(String(64))
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    paused: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # The room's own sessions per weekday, as the site file gives them
    # ({"mon": ["09:00-12:30", "13:30-17:00"]}); None: the site's hours.
    hours: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)

    site: Mapped[Site] = relationship(back_populates="rooms")
    services: Mapped[list[Service]] = relationship(secondary=room_services)


class Device(Model):
    """A kiosk or a display named in the site file."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("site_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)

    site: Mapped[Site] = relationship(back_populates="devices")


class Appointment(Model):
    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    code: Mapped[str] = mapped_column(String(32))
    # Who the patient is: None once removed after the site's retention period
    # (services/retention.py); the appointment's times stay for the reports.
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    # Case-folded, so that look-ups by last name ignore case on every database.
    last_name_key: Mapped[str | None] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date | None]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    service: Mapped[Service] = relationship()


class Ticket(Model):
    __tablename__ = "tickets"
    __table_args__ = (
        # Numbers are per prefix (one per service) and per day; keyed on the prefix so
        # that a transferred ticket keeps its number without clashing.
        UniqueConstraint("site_id", "day", "number_prefix", "number"),
        Index("ix_tickets_site_status", "site_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    # `number_prefix` keeps the prefix the ticket was issued with, so a transfer does
    # not renumber it: the patient keeps the number they were given.
    day: Mapped[date]
    number: Mapped[int]
    number_prefix: Mapped[str] = mapped_column(String(1))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[TicketStatus] = mapped_column(String(16), default=TicketStatus.WAITING)
    priority: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    # None when not given, or once removed after the site's retention period.
    patient_name: Mapped[str | None] = mapped_column(String(200))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    queue_at: Mapped[datetime] = mapped_column(UTCDateTime())
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    recalls: Mapped[int] = mapped_column(default=0)
    # Asked for at check-in: the way to the room is shown without stairs or escalators.
    # The server default fills the rows of tickets made before the column existed.
    step_free: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Asked at check-in, and personal (health) data: staff only, removed with the name.
    # An interpreter of the ticket's language; a call the patient may not hear (fetch
    # them in person; the phone vibrates and shows the call) or may not see (the phone
    # speaks it).
    interpreter: Mapped[bool] = mapped_column(default=False, server_default=false())
    may_not_hear: Mapped[bool] = mapped_column(default=False, server_default=false())
    may_not_see: Mapped[bool] = mapped_column(default=False, server_default=false())

    site: Mapped[Site] = relationship()
    service: Mapped[Service] = relationship()
    room: Mapped[Room | None] = relationship()

    @property
    def ticket_number(self) -> TicketNumber:
        return TicketNumber(self.number_prefix, self.number)


class CallEvent(Model):
    """Each call and recall, kept so the display can list recent calls and so visit
    history survives a ticket moving on to another service."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    day: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    recall: Mapped[bool] = mapped_column(default=False)

    ticket: Mapped[Ticket] = relationship()
    room: Mapped[Room] = relationship()

    __table_args__ = (Index("ix_call_events_site_day", "site_id", "day", "at"),)


class DelayNotice(Model):
    __tablename__ = "delay_notices"
    __table_args__ = (Index("ix_delay_notices_site_posted", "site_id", "posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    scope: Mapped[str] = mapped_column(String(16))  # site, service or room
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    # One line for clients that read only this: the reason in the site's first
    # language and the note (the notice's words are the three columns below).
    reason: Mapped[str] = mapped_column(String(200))
    # The reason picked from the site's list, and its words in each of the site's
    # languages as the list said when it was posted (a later site file may drop it).
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason_names: Mapped[dict[str, str] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(200))  # as staff typed it
    expected_minutes: Mapped[int]
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    posted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    service: Mapped[Service | None] = relationship()
    room: Mapped[Room | None] = relationship()


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # staff or admin
    active: Mapped[bool] = mapped_column(default=True)
    # An account made by hospital sign-in (desk/sso.py) is found again by its provider
    # and subject, never by its name: a local account of the same name is not taken over.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))

    sites: Mapped[list[Site]] = relationship(secondary=user_sites)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def may_use(self, site: Site) -> bool:
        return any(s.id == site.id for s in self.sites)


class StaffSession(Model):
    """A staff login, kept on the server so that it can be ended: the cookie holds only
    its random token, and the table only the token's SHA-256 digest (services/
    staff_sessions.py). The store when the deployment has no Redis (storage/
    session_store.py). Ended sessions are deleted after a retention period."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Written at most once a minute (services/staff_sessions.py), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class AuditEntry(Model):
    """Who did what, when, from where. Written only through storage/audit_chain.py, which
    links each entry to the one before it by `hash` (domain/audit.py)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_site_action_at", "site_id", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # None: not about one site (a login, an account change).
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who, by name: the name tried at a failed login, or who ran a command.
    username: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hash: Mapped[str] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()


class ShownEstimate(Model):
    """An estimate shown to a patient, kept so that what we told real patients can be
    scored after the fact. A row is written when the shown estimate changes (the
    promise moves by a couple of minutes), not on every push: see services/promises.py."""

    __tablename__ = "shown_estimates"
    __table_args__ = (
        Index("ix_shown_estimates_site_day", "site_id", "day"),
        Index("ix_shown_estimates_ticket", "ticket_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date]
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    central: Mapped[int]
    low: Mapped[int]
    high: Mapped[int]


class TicketPromise(Model):
    """Per ticket: the estimate it was last shown and the promise the patient holds.

    `expected_at`, `earliest_at` and `latest_at` are the last shown estimate as clock
    times; `deadline` is the latest call time the patient was last told (what a delay
    notice is measured against); the notice fields are the last delay notice sent.
    """

    __tablename__ = "ticket_promises"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    # The line the promise was made for: a ticket transferred or returned to the queue
    # starts a new wait, and a new promise.
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    queue_at: Mapped[datetime] = mapped_column(UTCDateTime())
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    earliest_at: Mapped[datetime] = mapped_column(UTCDateTime())
    latest_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notice_reason: Mapped[str | None] = mapped_column(String(32))
