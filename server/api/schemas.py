"""Request bodies. Unknown fields, wrong types and oversized values are refused."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Tag,
    model_validator,
)

from server.domain.errors import BadInput
from server.domain.needs import CallNeeds
from server.domain.notices import NOTE_MAX_LENGTH
from server.domain.queue import MAX_PRIORITY, NORMAL_PRIORITY, PreviousPatient
from server.domain.text import check_line
from server.domain.wayfinding import Mode


def _one_line(value: str) -> str:
    """The domain's text rule, as a field error (the field is named by pydantic)."""
    try:
        return check_line(value, field="value")
    except BadInput:
        raise ValueError("control characters are not allowed") from None


Line = AfterValidator(_one_line)
ShortText = Annotated[str, Field(min_length=1, max_length=64), Line]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Empty(Body):
    """No fields; send {}."""


class Login(Body):
    username: ShortText
    password: Annotated[str, Field(min_length=1, max_length=256)]
    code: Annotated[
        str | None,
        Field(max_length=32, description="The second factor's code, for an account that has one."),
    ] = None


StepFree = Annotated[
    bool, Field(description="Show this patient ways without stairs or escalators.")
]


class Needs(Body):
    """What a patient may ask for at check-in (staff see it; nobody else does)."""

    interpreter: bool = Field(
        False, description="The patient needs an interpreter of the ticket's `language`."
    )
    may_not_hear: bool = Field(
        False,
        description="The patient may not hear their number called: staff fetch them in "
        "person, and their phone vibrates and shows the call.",
    )
    may_not_see: bool = Field(
        False, description="The patient may not see the screen: their phone speaks the call."
    )

    @property
    def needs(self) -> CallNeeds:
        return CallNeeds(self.interpreter, self.may_not_hear, self.may_not_see)


class WalkIn(Needs):
    service: ShortText = Field(description="The service's prefix (e.g. 'B') or code.")
    language: Language | None = None
    step_free: StepFree = False


AppointmentCode = Annotated[str, Field(min_length=1, max_length=32), Line]
LastName = Annotated[str, Field(min_length=1, max_length=100), Line]


class LookupByCode(Body):
    code: AppointmentCode

    last_name = property(lambda self: None)
    date_of_birth = property(lambda self: None)


class LookupByName(Body):
    last_name: LastName
    date_of_birth: date

    code = property(lambda self: None)


class CheckInByCode(LookupByCode, Needs):
    language: Language | None = None
    step_free: StepFree = False


class CheckInByName(LookupByName, Needs):
    language: Language | None = None
    step_free: StepFree = False


# The tags of a body's forms; an error names the field, not the form (api/errors.py).
FORMS = frozenset({"by_code", "by_name"})


def _found_by(value: object) -> str | None:
    """The form a body is in: `code` alone, or `last_name` with `date_of_birth`; None
    for a body in neither or both (so the errors are those of the form the patient used)."""
    if not isinstance(value, dict):
        return "by_code" if isinstance(value, LookupByCode) else "by_name"
    by_name = {"last_name", "date_of_birth"} & value.keys()
    if "code" in value:
        return None if by_name else "by_code"
    return "by_name" if len(by_name) == 2 else None


OneForm = Discriminator(
    _found_by,
    custom_error_type="one_form",
    custom_error_message="give either code, or last_name and date_of_birth",
)


class AppointmentLookup(
    RootModel[
        Annotated[
            Annotated[LookupByCode, Tag("by_code")] | Annotated[LookupByName, Tag("by_name")],
            OneForm,
        ]
    ]
):
    """Either `code`, or `last_name` and `date_of_birth`: one of the two, never both."""


class AppointmentCheckIn(
    RootModel[
        Annotated[
            Annotated[CheckInByCode, Tag("by_code")] | Annotated[CheckInByName, Tag("by_name")],
            OneForm,
        ]
    ]
):
    """Either `code`, or `last_name` and `date_of_birth`: one of the two, never both."""


class DeskAdd(Needs):
    service: ShortText
    patient_name: Annotated[str, Field(min_length=1, max_length=200), Line] | None = None
    language: Language | None = None
    step_free: bool = False


Previous = Annotated[
    PreviousPatient | None,
    Field(
        description="What became of the room's patient who was called and has not been"
        " seen: 'no_show', or 'return' (the back of the line). Without it such a call is"
        " refused (409 room_occupied). A patient in service is done either way.",
    ),
]


class CallNext(Body):
    previous: Previous = None


class CallTicket(Body):
    room: ShortText
    previous: Previous = None


# Checked by the service (phonenumbers), which says what is wrong in the reader's words.
TypedNumber = Annotated[str, Field(min_length=1, max_length=64), Line]


class TextsRequest(Body):
    """The patient's number for text messages, and the tick of the consent box."""

    number: TypedNumber
    consent: bool


Base64Url = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+=*$")]


class PushKeys(Body):
    p256dh: Base64Url
    auth: Base64Url


class PushRequest(Body):
    """A browser's push subscription, as PushSubscription.toJSON() gives it."""

    endpoint: Annotated[str, Field(min_length=1, max_length=1000), Line]
    keys: PushKeys
    expirationTime: int | float | None = None  # noqa: N815  (the browser's own name)


class DeskNumber(Body):
    number: TypedNumber


class RemoteJoin(Body):
    """Joining a line from home (/join): only what is needed."""

    service: ShortText = Field(description="The service's prefix (e.g. 'G') or code.")
    language: Language | None = None
    travel_minutes: Annotated[int, Field(ge=0, le=240)] = Field(
        default=15, description="How long it takes the patient to get here."
    )
    mobile: TypedNumber | None = Field(
        default=None, description="A mobile number for text messages (needs consent)."
    )
    consent: bool = False


class Arrival(Body):
    """The arrival code posted in the clinic, typed on the ticket page: "I'm here"; or
    the arrival poster's key, from the page its QR code opened."""

    code: Annotated[str, Field(max_length=16), Line] = ""
    key: Annotated[str, Field(max_length=64), Line] = Field(
        default="", description="The arrival poster's key (its QR code's ?key=)."
    )


class ArrivalPlace(Body):
    """The browser's position, sent once after the patient tapped "Use my location";
    compared with the site's and never stored."""

    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    accuracy: Annotated[float, Field(ge=0, le=100_000)] = Field(
        description="The fix's accuracy in metres (GeolocationCoordinates.accuracy)."
    )


class KioskArrival(Body):
    """The kiosk's "I joined online": the ticket number or the mobile number the patient
    joined with, one of the two."""

    ticket_number: Annotated[str, Field(min_length=1, max_length=16), Line] | None = Field(
        default=None, description="The ticket's number as shown on its page, e.g. 'G-012'."
    )
    mobile: TypedNumber | None = Field(
        default=None, description="The mobile number given when joining from home."
    )

    @model_validator(mode="after")
    def _one_of_the_two(self) -> KioskArrival:
        if (self.ticket_number is None) == (self.mobile is None):
            raise ValueError("give either ticket_number or mobile")
        return self


class RemotePause(Body):
    reason: Annotated[str, Field(min_length=1, max_length=200), Line]


class DeskMessage(Body):
    # The one-segment limit (160) is the domain's, with its own clear refusal.
    text: Annotated[str, Field(min_length=1, max_length=400)]


class InboundText(Body):
    """A text a patient sent, as a hospital's own SMS gateway posts it."""

    sender: Annotated[str, Field(min_length=1, max_length=32)]
    text: Annotated[str, Field(max_length=1600)]


class Transfer(Body):
    service: ShortText


class Priority(Body):
    level: Annotated[int, Field(ge=NORMAL_PRIORITY, le=MAX_PRIORITY)]


NoticeNote = Annotated[str, Field(min_length=1, max_length=NOTE_MAX_LENGTH), Line]


class Notice(Body):
    """A reason from the site's list (`reason_code`), a short note, or both. Posting
    again for the same place (scope and target) updates the notice posted there."""

    scope: Literal["site", "service", "room"]
    target: ShortText | None = None
    reason_code: ShortText | None = Field(
        None, description="One of the site file's [[delay_reasons]] codes."
    )
    note: NoticeNote | None = Field(
        None, description="Shown to patients as typed, marked as the clinic's words."
    )
    reason: NoticeNote | None = Field(
        None,
        description="Deprecated: the free-text reason of the first version of this API, "
        "taken as the note. Send `note` instead; not both.",
        json_schema_extra={"deprecated": True},
    )
    expected_minutes: Annotated[int, Field(ge=1, le=480)]

    @model_validator(mode="after")
    def _reason_or_note(self) -> Notice:
        if self.reason is not None and self.note is not None:
            raise ValueError("send the note as `note` only (`reason` is its old name)")
        if self.reason_code is None and self.note is None and self.reason is None:
            raise ValueError("pick a `reason_code` from the site's list, or write a `note`")
        return self

    @property
    def note_text(self) -> str | None:
        """The note, under its name or its old one."""
        return self.note if self.note is not None else self.reason


class Query(BaseModel):
    """Query-string parameters: text, so not strict; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DestinationsQuery(Query):
    lang: Language | None = None


class RouteQuery(Query):
    to: ShortText = Field(description="The destination's code.")
    start: ShortText | None = Field(
        default=None, alias="from", description="A kiosk's or destination's code."
    )
    mode: Mode = Mode.SHORTEST
    lang: Language | None = None


class DayQuery(Query):
    date: dt.date | None = Field(default=None, description="A day (YYYY-MM-DD); today if absent.")


class FeedbackSummaryQuery(Query):
    weeks: Annotated[int, Field(ge=1, le=104)] = 8


class ReportQuery(Query):
    first_day: dt.date | None = Field(
        default=None, alias="from", description="The first day (YYYY-MM-DD, site time)."
    )
    last_day: dt.date | None = Field(
        default=None,
        alias="to",
        description="The last day (YYYY-MM-DD), included; today if absent.",
    )
    service: ShortText | None = Field(default=None, description="Only this service (its code).")
    room: ShortText | None = Field(default=None, description="Only this room (its code).")


class AuditQuery(Query):
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class AuditExportQuery(Query):
    first_day: dt.date | None = Field(
        default=None, alias="from", description="The first day (YYYY-MM-DD, site time)."
    )
    last_day: dt.date | None = Field(
        default=None, alias="to", description="The last day (YYYY-MM-DD), included."
    )


# --- Answers: what each route returns (server/payloads.py builds them) -------------------


class Answer(BaseModel):
    """An answer's documented fields; more may be added, so others are allowed."""

    model_config = ConfigDict(extra="allow")


Names = dict[str, str]
Moment = str | None  # ISO 8601


class Ok(Answer):
    ok: bool


class TextsView(Answer):
    """A ticket's texts as the desk sees them: never the number, its last two digits."""

    last_digits: str
    last: Literal["sent", "failed"] | None = Field(
        description="How the last message went; null before the first."
    )


class TextsChange(Answer):
    seq: int
    texts: TextsView | None = Field(description="Null: texts are off for this ticket.")


class PushChange(Answer):
    seq: int | None = Field(None, description="Absent when there was nothing to turn off.")
    push: bool = Field(description="Whether Web Push alerts are on for this ticket now.")


class Me(Answer):
    username: str
    role: str
    sites: list[str]


class ServiceBrief(Answer):
    code: str
    prefix: str
    names: Names


class RoomBrief(Answer):
    code: str
    names: Names


class Estimate(Answer):
    central: int
    low: int
    high: int


class NoticeView(Answer):
    id: int
    scope: str
    service: str | None
    room: str | None
    reason_code: str | None = Field(description="The reason picked from the site's list.")
    reasons: dict[str, str] = Field(
        description="The picked reason's words by language (each of the site's); {} if none."
    )
    note: str | None = Field(description="Staff's note, as typed.")
    reason: str = Field(
        description="The reason (in the site's first language) and the note in one line, "
        "for clients written before the list."
    )
    expected_minutes: int
    posted_at: Moment


class SiteInfo(Answer):
    slug: str
    name: str
    timezone: str
    languages: list[str]
    open: bool
    services: list[ServiceBrief]


class SiteName(Answer):
    slug: str
    name: str


class PhoneTicket(Answer):
    """A patient's own ticket, with no name."""

    number: str
    spoken: str
    status: str
    service: ServiceBrief
    position: int | None
    estimate: Estimate | None
    room: RoomBrief | None
    language: str | None
    step_free: bool
    arrived_at: Moment
    called_at: Moment
    notices: list[NoticeView]
    delay: dict[str, object] | None
    site: SiteName
    push: bool = Field(
        description="Whether a phone asked for Web Push alerts (never the subscription)."
    )
    remote: RemoteView | None = None


class RemoteView(Answer):
    """A remote ticket's coming in (server/domain/remote.py); null for other tickets."""

    here: bool
    held: bool = Field(description="Its turn came before it arrived: it keeps its place.")
    advice: Literal["leave_by", "come_now", "you_are_next", "here"]
    leave_by: Moment
    leave_by_local: str | None = Field(description="HH:MM, the site's local time.")
    travel_minutes: int | None
    at: Moment = Field(description="The server's time the view was made at.")
    expected_at: Moment


class JoinService(ServiceBrief):
    wait: Estimate | None
    open: bool
    refusal: str | None


class JoinPage(Answer):
    slug: str
    name: str
    languages: list[str]
    services: list[JoinService]
    hours: list[list[str]] = Field(description="Today's opening spans, [HH:MM, HH:MM].")
    closes_at: Moment
    closes_at_local: str | None
    paused: str | None = Field(description="The desk's reason, when joining is paused.")
    texts: bool
    travel_minutes: int


class RemotePaused(Answer):
    seq: int
    paused: str | None


class CheckedIn(Answer):
    token: str = Field(description="Shown once, on the ticket: it opens the ticket's status.")
    status_url: str
    seq: int
    ticket: PhoneTicket
    waiting_area: str | None


class AppointmentFound(Answer):
    first_name: str | None
    time: str = Field(description="HH:MM, the site's local time.")
    service: ServiceBrief


class TicketStatus(Answer):
    seq: int
    kind: str
    ticket: PhoneTicket


class PatientChange(Answer):
    seq: int
    ticket: PhoneTicket


class KioskTicket(Answer):
    """The slip of a ticket the kiosk marked arrived: nothing else of the patient's."""

    number: str
    spoken: str
    status: str
    service: ServiceBrief
    position: int | None
    estimate: Estimate | None


class KioskArrived(Answer):
    """The kiosk's "I joined online": the ticket's slip (never its token), and where to
    wait."""

    seq: int
    ticket: KioskTicket
    waiting_area: str | None = Field(description="Where to wait: a place on the site's map.")


class Destinations(Answer):
    site: str
    language: str
    destinations: list[dict[str, object]]
    floors: list[dict[str, object]]
    kiosks: list[dict[str, object]]


class Route(Answer):
    site: str
    language: str
    mode: str
    url: str
    metres: int
    seconds: int
    minutes: int
    duration: str
    steps: list[dict[str, object]]
    drawings: list[dict[str, object]]
    uses: list[object]


class StaffTicket(Answer):
    id: int
    number: str
    status: str
    service: ServiceBrief
    priority: int
    position: int | None
    estimate: Estimate | None
    patient_name: str | None
    source: str
    language: str | None
    step_free: bool
    interpreter: bool
    may_not_hear: bool
    may_not_see: bool
    arrived_at: Moment
    queue_at: Moment
    appointment_at: Moment
    called_at: Moment
    started_at: Moment
    finished_at: Moment
    room: RoomBrief | None
    recalls: int
    remote: RemoteView | None = None


class StaffRoom(RoomBrief):
    paused: bool
    services: list[str]  # type: ignore[assignment]


class StaffSnapshot(Answer):
    seq: int
    kind: str
    site: dict[str, object]
    services: list[dict[str, object]]
    rooms: list[StaffRoom]
    tickets: list[StaffTicket]
    notices: list[NoticeView]
    arrival_code: str | None = Field(
        default=None,
        description="The site's arrival code of the day (None: no service takes remote"
        " tickets); renewed at the site's turn of the day.",
    )


class InterpreterRequests(Answer):
    language: str
    today: int = Field(description="Tickets of today that asked for an interpreter.")
    open: int = Field(description="Of those, the ones still waiting, called or being seen.")


class Interpreters(Answer):
    day: str = Field(description="The site's day, YYYY-MM-DD.")
    languages: list[InterpreterRequests]


class TicketChange(Answer):
    seq: int
    ticket: StaffTicket


class RoomChange(Answer):
    seq: int
    room: StaffRoom


class NoticeChange(Answer):
    seq: int
    notice: NoticeView


class NoticePosted(NoticeChange):
    updated: bool = Field(
        description="True (status 200): the notice already posted for the same place "
        "was updated; false (201): a new notice."
    )


class AccuracyReport(Answer):
    site: str
    day: str


class ReportHeadline(Answer):
    """The figures a manager reads first; None where the period has no such figure."""

    checked_in: int
    seen: int
    no_shows: int
    left_unseen: int
    median_wait: float | None = Field(description="Minutes, check-in to call.")
    p90_wait: float | None
    over_target_share: float | None
    mae: float | None = Field(description="Mean absolute error of the first estimate, minutes.")
    within_10: float | None
    delay_notices: int
    positive_share: float | None = Field(
        description="Friends and Family Test: share of answers good or very good."
    )


class ReportPeriod(Answer):
    first_day: str = Field(alias="from")
    last_day: str = Field(alias="to")
    headline: ReportHeadline


class Report(Answer):
    """The manager's report; the sections' rows are listed in the README ("Reports")."""

    site: str
    first_day: str = Field(alias="from")
    last_day: str = Field(alias="to")
    service: str | None
    room: str | None
    headline: ReportHeadline
    previous: ReportPeriod
    change: dict[str, float | None] = Field(
        description="Each headline figure minus the previous period's (same length)."
    )
    visits: dict[str, object]
    waits: dict[str, object]
    flow: dict[str, object]
    promises: dict[str, object]
    voice: dict[str, object] = Field(description="Patients' voice: the feedback answers.")


class AppointmentsImported(Answer):
    """Counts of what the import did, by what it did."""

    __pydantic_extra__: dict[str, int] = Field(init=False)


class FeedbackTally(Answer):
    """The NHS way: percentages of all responses, "Don't know" included; null with none."""

    responses: int
    visits: int | None = Field(description="Finished visits (with a service row only).")
    response_rate: float | None
    positive_percent: float | None = Field(description="Very good + Good.")
    negative_percent: float | None = Field(description="Poor + Very poor.")


class FeedbackRow(FeedbackTally):
    service: str | None = Field(description="The service's code; null: the kiosk form.")
    week: dt.date = Field(description="The Monday of the week of the visit.")


class FeedbackBand(FeedbackTally):
    band: Literal["under_15", "15_30", "30_60", "over_60"]


class FeedbackSiteQuestion(Answer):
    """Answers to the site's own yes/no question (the site file's [feedback_question])
    as it is asked now, in any of its languages; answers to earlier words not counted."""

    text: Names = Field(description="The question, by language.")
    yes: int
    no: int
    yes_percent: float | None = Field(description="Yes among yes and no; null with none.")


class FeedbackSummary(Answer):
    site: str
    since: dt.date
    rows: list[FeedbackRow]
    wait_bands: list[FeedbackBand]
    site_question: FeedbackSiteQuestion | None = Field(
        description="Null when the site asks no question of its own."
    )


class AuditEntry(Answer):
    at: Moment
    user: str | None
    ticket_id: int | None
    action: str
    detail: dict[str, object] | None


class AuditLog(Answer):
    entries: list[AuditEntry]


# The answer of each route, by its view's name: a model of its JSON, or the media type
# of a file it sends (tests/integration/test_api_document.py checks every route has one).
ANSWERS: dict[str, type[BaseModel] | str] = {
    "login": Me,
    "logout": Ok,
    "me": Me,
    "site_info": SiteInfo,
    "check_in_walk_in": CheckedIn,
    "check_in_appointment": CheckedIn,
    "look_up_appointment": AppointmentFound,
    "ticket_status": TicketStatus,
    "cancel_own_ticket": PatientChange,
    "inbound_text": "text/xml",
    "inbound_text_from_gateway": Ok,
    "ticket_route": Route,
    "destinations": Destinations,
    "route": Route,
    "staff_queue": StaffSnapshot,
    "add_patient": CheckedIn,
    "interpreter_requests": Interpreters,
    "call_next": TicketChange,
    "pause_room": RoomChange,
    "resume_room": RoomChange,
    "call_ticket": TicketChange,
    "recall": TicketChange,
    "start": TicketChange,
    "complete": TicketChange,
    "no_show": TicketChange,
    "return": TicketChange,
    "cancel": TicketChange,
    "transfer": TicketChange,
    "set_priority": TicketChange,
    "post_notice": NoticePosted,
    "clear_notice": NoticeChange,
    "estimate_accuracy": AccuracyReport,
    "site_report": Report,
    "import_appointments": AppointmentsImported,
    "audit_log": AuditLog,
    "feedback_summary": FeedbackSummary,
    "ask_for_texts": TextsChange,
    "add_texts": TextsChange,
    "remove_texts": TextsChange,
    "message_patient": TextsChange,
    "ask_for_push": PushChange,
    "stop_push": PushChange,
    "audit_csv": "text/csv",
    "join_page": JoinPage,
    "join_remotely": CheckedIn,
    "arrive": PatientChange,
    "arrive_at_kiosk": KioskArrived,
    "arrive_by_location": PatientChange,
    "mark_arrived": TicketChange,
    "pause_remote": RemotePaused,
    "resume_remote": RemotePaused,
}
