"""The tables. Rows are loaded and saved by services; payloads sent out are dicts."""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.domain.queue import TicketNumber, TicketStatus
from server.domain.schedule import SiteDays
from server.extensions import Base, db
from server.storage.types import UTCDateTime

REMOTE = "remote"  # the source of a ticket that joined from /join

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
    # The account's role on this site when it differs from its own (users.role); NULL:
    # the account's role. Set by services/accounts.set_site_role.
    Column("role", String(16), nullable=True),
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
    # Set by the desk to pause remote joining (/join), with the reason patients are shown.
    remote_pause: Mapped[str | None] = mapped_column(String(200))
    # The key in the arrival poster's QR code (services/posters.py): a printed poster
    # keeps working when the day's arrival code changes. Made when the poster is first
    # printed; an administrator replaces it, which retires every poster printed before.
    poster_key: Mapped[str | None] = mapped_column(String(64))

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
    # The patient's mobile number (E.164), from the file's optional `mobile` column: the
    # morning link is texted to it (services/morning_texts.py). Personal data: cleared
    # when the patient checks in, when the day is over (services/retention.py); staff see
    # only its last two digits.
    mobile: Mapped[str | None] = mapped_column(String(32))
    # The morning link's token, as its SHA-256 digest (/a/<token>: phone/appointment.py),
    # and when it was texted; the link works on the appointment's day only.
    link_digest: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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
    # The digest of the survey link texted after the visit (its own token: the phone
    # page's is not kept), None until one is sent (services/notifications.py).
    survey_digest: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
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
    # A remote ticket (source "remote", joined from /join): the travel time the patient
    # gave, when they said "I'm here" (None: not here yet, so "call next" passes over
    # it), and since when it is held because its turn came before it did
    # (server/domain/remote.py). None for the other tickets.
    travel_minutes: Mapped[int | None]
    here_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the patient was told "leave now" by text or push (once per wait: the estimate
    # refresh, services/ticks.py); None: not yet.
    leave_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    site: Mapped[Site] = relationship()
    service: Mapped[Service] = relationship()
    room: Mapped[Room | None] = relationship()
    # Where the patient asked to be told of their turn (one per channel). Loaded when
    # read, or with the tickets of a whole view (queries.tickets_in(with_contacts=True)):
    # loading them with every ticket made each change read a thousand waiting
    # patients' contacts it never looks at (bench/notify.py).
    contacts: Mapped[list[Contact]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def ticket_number(self) -> TicketNumber:
        return TicketNumber(self.number_prefix, self.number)

    @property
    def remote(self) -> bool:
        return self.source == REMOTE

    @property
    def here(self) -> bool:
        """In the building: every ticket but a remote one not yet arrived."""
        return self.source != REMOTE or self.here_at is not None


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
    role: Mapped[str] = mapped_column(String(16))  # a domain.staff.Role
    active: Mapped[bool] = mapped_column(default=True)
    # An account made by hospital sign-in (desk/sso.py) is found again by its provider
    # and subject, never by its name: a local account of the same name is not taken over.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # A temporary password given by an administrator is changed at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The second factor (services/second_factor.py): the TOTP secret once enrolled, the
    # last time step used (a code is good once), and the recovery codes' argon2 hashes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    totp_last_step: Mapped[int | None] = mapped_column()
    recovery_codes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # A one-time password reset link an administrator made (services/reset_links.py):
    # its token's SHA-256 digest and when it expires; both cleared when it is used.
    reset_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    reset_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sites: Mapped[list[Site]] = relationship(secondary=user_sites)
    # The same rows read with their role (written through `sites` and set_site_role).
    site_roles: Mapped[list[SiteRole]] = relationship(viewonly=True)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def may_use(self, site: Site) -> bool:
        return any(s.id == site.id for s in self.sites)

    def role_on(self, site: Site) -> str | None:
        """The account's role on a site (its own there, else the account's), or None
        when it may not use the site."""
        if not self.may_use(site):
            return None
        own = next((r.role for r in self.site_roles if r.site_id == site.id), None)
        return own or self.role


class SiteRole(Model):
    """One account's link to one site, with its role there (see user_sites)."""

    __table__ = user_sites

    user_id: Mapped[int]
    site_id: Mapped[int]
    role: Mapped[str | None]


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


class ScreenPairing(Model):
    """A browser opened as a kiosk or display (services/pairing.py). Unpaired it shows
    `code`; an administrator pairs it with a device; its cookie holds only a random
    token, of which the table keeps the SHA-256 digest, so unpairing ends it at once."""

    __tablename__ = "screen_pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # kiosk or display
    code: Mapped[str | None] = mapped_column(String(8), index=True)  # None once paired
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), index=True
    )
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    device: Mapped[Device | None] = relationship()


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


class Contact(Model):
    """A patient's address on one channel (a phone number for texts), for one visit.

    Deleted when the visit ends (services/contacts.py, retention.py); the audit log
    records who added or removed one, never the address.
    """

    __tablename__ = "ticket_contacts"
    __table_args__ = (UniqueConstraint("ticket_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(2000))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "You are next" is sent once per wait: set when sent, cleared when the ticket is
    # called (a return to the queue is a new wait).
    told_next: Mapped[bool] = mapped_column(default=False, server_default=false())
    # How the last message to it ended: sent, failed (None: nothing sent yet).
    last_outcome: Mapped[str | None] = mapped_column(String(8))


class OutboxMessage(Model):
    """A message to one patient, written in the transaction of the change that causes
    it and sent after the commit by the sender (server/notify/sender.py).

    The address is copied here so that a message about the end of a visit still goes
    out after the contact is deleted; it is cleared once the message is sent or given up.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_contacts.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(16))  # called, recalled, next, delay, left, desk
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(8), default="pending")  # sent, failed, gone
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(200))


class FeedbackAnswer(Model):
    """One answer to the visit survey (domain/feedback.py), and the case it may open.

    An answer from a phone belongs to its visit (one per ticket); one from the kiosk's
    "Tell us about your visit" has no ticket. `text` and `contact` are personal data:
    the contact is deleted when the case is closed, the text after the site's
    `feedback_text_days` (services/retention.py); the rating stays for the figures.
    """

    __tablename__ = "feedback_answers"
    __table_args__ = (
        Index("ix_feedback_answers_site_at", "site_id", "answered_at"),
        # The reports count answers by the visit's day (services/reports.py).
        Index("ix_feedback_answers_site_visit_day", "site_id", "visit_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), unique=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    language: Mapped[str] = mapped_column(String(8))
    rating: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(String(2000))
    complaint: Mapped[bool] = mapped_column(default=False)
    contact_kind: Mapped[str | None] = mapped_column(String(8))
    contact: Mapped[str | None] = mapped_column(String(254))
    # The wait the patient had (arrival to call), in minutes, kept from the ticket.
    wait_minutes: Mapped[float | None]
    visit_day: Mapped[date]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The case: None when the answer opened none.
    case_status: Mapped[str | None] = mapped_column(String(16), index=True)
    case_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    what_we_did: Mapped[str | None] = mapped_column(String(2000))
    case_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    text_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The site's own yes/no question (the site file's [feedback_question]) as it was
    # asked, in the patient's language, and the answer; both None when unanswered. The
    # words are kept so that a later site file does not re-label old answers.
    site_question: Mapped[str | None] = mapped_column(String(200))
    site_answer: Mapped[bool | None]
    # The reply to the patient (domain/feedback.py ReplyStatus): pending, sent or failed.
    # Its words are kept until it is sent, so that a failed one can be sent again; the
    # text's outbox message (by text) is how the sender finds the case.
    reply_status: Mapped[str | None] = mapped_column(String(8), index=True)
    reply_text: Mapped[str | None] = mapped_column(String(2000))
    reply_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    reply_tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_error: Mapped[str | None] = mapped_column(String(200))
    reply_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )

    service: Mapped[Service | None] = relationship()
    ticket: Mapped[Ticket | None] = relationship()


class FeedbackStatement(Model):
    """A "You said, we did" statement: staff's own anonymous words, shown on the
    display and the phone once published."""

    __tablename__ = "feedback_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_answers.id"))
    text: Mapped[str] = mapped_column(String(280))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
