"""Feedback after the visit: the NHS Friends and Family Test question, the cases that
poor answers and complaints open, and the figures staff read.

The question and its scale are the FFT's current ones (NHS England, from April 2020):
"Overall, how was your experience of our service?" with five points and "Don't know".
A case moves one way: new -> acknowledged -> action taken ("what we did" is required)
-> replied (only for a patient who left contact details). It is closed at "replied"
once the reply was delivered, or at "action taken" when there is nobody to reply to.

A reply's delivery (`ReplyStatus`): pending from the moment staff send it, then sent
(the mail server or the SMS provider took it) or failed (the mail server refused it or
was down; a text still undelivered when the outbox gave it up). A failed reply keeps
the case open, with the patient's contact, until staff send it again and it goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from server.domain.errors import BadInput, DomainError, Gone
from server.domain.text import check_line, check_text

TEXT_MAX_LENGTH = 2000
WHAT_WE_DID_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 2000
STATEMENT_MAX_LENGTH = 280
CONTACT_MAX_LENGTH = 254  # the longest email address a mail server accepts
# A visit's survey link works this long after the visit ended.
LINK_LIFETIME = timedelta(days=7)
# An answer may be changed this long after it was first given.
CHANGE_WINDOW = timedelta(hours=1)
# The survey's link is texted this long after the visit (the site file's
# survey_text_minutes), and never at night, site time: a link due then waits for morning.
DEFAULT_SURVEY_TEXT_MINUTES = 30
NIGHT_FROM = time(21, 0)
NIGHT_UNTIL = time(8, 0)
DEFAULT_OVERDUE_WORKING_DAYS = 2
DEFAULT_TEXT_KEEP_DAYS = 365
# A site's own yes/no question (the site file's [feedback_question]): this long at most.
SITE_QUESTION_MAX_LENGTH = 200


class Rating(StrEnum):
    """The FFT's answers, best first; the order is the form's."""

    VERY_GOOD = "very_good"
    GOOD = "good"
    NEITHER = "neither"
    POOR = "poor"
    VERY_POOR = "very_poor"
    DONT_KNOW = "dont_know"


POSITIVE = frozenset({Rating.VERY_GOOD, Rating.GOOD})
NEGATIVE = frozenset({Rating.POOR, Rating.VERY_POOR})


class CaseStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ACTION_TAKEN = "action_taken"
    REPLIED = "replied"


_NEXT = {
    CaseStatus.NEW: CaseStatus.ACKNOWLEDGED,
    CaseStatus.ACKNOWLEDGED: CaseStatus.ACTION_TAKEN,
    CaseStatus.ACTION_TAKEN: CaseStatus.REPLIED,
}


class ReplyStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


# A reply by email is sent while the request waits (SMTP's own timeout is 15 s). One
# still pending this long after it was tried was cut off (its process ended mid-send):
# it may be sent again, like a failed one. A text stays pending while the outbox tries.
EMAIL_STUCK_AFTER = timedelta(minutes=10)


class CaseStepRefused(DomainError):
    code = "case_step_refused"
    status = 409


class AnswerLocked(DomainError):
    code = "answer_locked"
    status = 409


class ContactKind(StrEnum):
    EMAIL = "email"
    MOBILE = "mobile"


# Deliberately loose: one @, no spaces, a dot in the domain. The reply proves the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^\+?[0-9][0-9 ()-]{6,20}$")


@dataclass(frozen=True)
class Contact:
    kind: ContactKind
    address: str


def check_contact(value: str) -> Contact:
    """An email address or a mobile number, or BadInput."""
    value = check_line(value.strip(), field="contact", max_length=CONTACT_MAX_LENGTH)
    if _EMAIL.match(value):
        return Contact(ContactKind.EMAIL, value)
    if _MOBILE.match(value):
        return Contact(ContactKind.MOBILE, re.sub(r"[ ()-]", "", value))
    raise BadInput("contact: give an email address or a mobile number.")


def check_feedback_text(value: str) -> str | None:
    """The free text: up to TEXT_MAX_LENGTH, newline and tab the only controls. Blank
    text is no text."""
    text = check_text(value, field="text", max_length=TEXT_MAX_LENGTH).strip()
    return text or None


def check_statement(value: str) -> str:
    text = check_line(value.strip(), field="statement", max_length=STATEMENT_MAX_LENGTH)
    if not text:
        raise BadInput("statement: write what the patients said and what we did.")
    return text


def check_site_answer(value: str) -> bool | None:
    """The answer to the site's own yes/no question: "yes", "no", or blank for none."""
    answer = value.strip()
    if answer not in ("yes", "no", ""):
        raise BadInput("site_answer: answer yes or no, or leave the question unanswered.")
    return None if not answer else answer == "yes"


def question_in(texts: Mapping[str, str], language: str, default_language: str) -> str | None:
    """The site's own question in the patient's language, else in the site's first
    (None: the site asks none)."""
    return texts.get(language) or texts.get(default_language) or None


def yes_percent(yes: int, no: int) -> float | None:
    """The share of yes among those who answered yes or no."""
    return round(100 * yes / (yes + no), 1) if yes + no else None


def opens_case(rating: Rating, complaint: bool) -> bool:
    """Poor and Very poor answers, and any the patient marks as a complaint."""
    return complaint or rating in NEGATIVE


def check_link_open(finished_at: datetime | None, now: datetime) -> None:
    """A visit's survey link: open from the end of the visit for LINK_LIFETIME."""
    if finished_at is None or now - finished_at > LINK_LIFETIME:
        raise Gone("This survey link has ended.", code="survey_ended")


def check_may_change(answered_at: datetime, now: datetime) -> None:
    """One answer per visit; it may be changed within CHANGE_WINDOW of the first."""
    if now - answered_at > CHANGE_WINDOW:
        raise AnswerLocked("This answer can no longer be changed.")


@dataclass(frozen=True)
class Case:
    """A feedback case's state; each step returns the next state or refuses."""

    status: CaseStatus
    has_contact: bool
    what_we_did: str | None = None
    # The reply's delivery once replied (None: replied before delivery was recorded).
    reply_status: ReplyStatus | None = None

    @property
    def closed(self) -> bool:
        if self.status is CaseStatus.REPLIED:
            return self.reply_status in (None, ReplyStatus.SENT)
        return self.status is CaseStatus.ACTION_TAKEN and not self.has_contact

    def acknowledge(self) -> Case:
        self._check_next(CaseStatus.ACKNOWLEDGED)
        return Case(CaseStatus.ACKNOWLEDGED, self.has_contact)

    def take_action(self, what_we_did: str) -> Case:
        self._check_next(CaseStatus.ACTION_TAKEN)
        text = check_text(
            what_we_did, field="what_we_did", max_length=WHAT_WE_DID_MAX_LENGTH
        ).strip()
        if not text:
            raise BadInput("what_we_did: say what was done before closing the case.")
        return Case(CaseStatus.ACTION_TAKEN, self.has_contact, text)

    def reply(self, text: str) -> tuple[Case, str]:
        """The reply's text, checked, and the replied case."""
        if not self.has_contact:
            raise CaseStepRefused("This patient did not ask to be contacted.")
        self._check_next(CaseStatus.REPLIED)
        reply = check_text(text, field="reply", max_length=REPLY_MAX_LENGTH).strip()
        if not reply:
            raise BadInput("reply: write the reply.")
        replied = Case(CaseStatus.REPLIED, self.has_contact, self.what_we_did, ReplyStatus.PENDING)
        return replied, reply

    def reply_delivered(self, delivered: bool) -> Case:
        """A pending reply's outcome: sent (the case closes) or failed (it stays open)."""
        if self.status is not CaseStatus.REPLIED or self.reply_status is not ReplyStatus.PENDING:
            raise CaseStepRefused("Only a reply being sent can be sent or fail.")
        outcome = ReplyStatus.SENT if delivered else ReplyStatus.FAILED
        return Case(self.status, self.has_contact, self.what_we_did, outcome)

    def retry_reply(self, by: ContactKind, tried_at: datetime | None, now: datetime) -> Case:
        """Send the reply again: one that failed, or an email cut off mid-send."""
        if not may_retry_reply(self, by, tried_at, now):
            raise CaseStepRefused("Only a reply that failed can be sent again.")
        return Case(self.status, self.has_contact, self.what_we_did, ReplyStatus.PENDING)

    def _check_next(self, wanted: CaseStatus) -> None:
        if _NEXT.get(self.status) is not wanted:
            raise CaseStepRefused(
                f"A case that is {self.status.value} cannot become {wanted.value}."
            )


def may_retry_reply(case: Case, by: ContactKind, tried_at: datetime | None, now: datetime) -> bool:
    """A reply may be sent again when it failed, or when an email has been pending for
    EMAIL_STUCK_AFTER (its send was cut off); never once sent, never a text the outbox
    is still trying. The patient's contact must still be there."""
    if case.status is not CaseStatus.REPLIED or not case.has_contact:
        return False
    if case.reply_status is ReplyStatus.FAILED:
        return True
    return (
        case.reply_status is ReplyStatus.PENDING
        and by is ContactKind.EMAIL
        and tried_at is not None
        and now - tried_at >= EMAIL_STUCK_AFTER
    )


def working_days_between(start: date, end: date, open_weekdays: Set[int]) -> int:
    """Working days after `start` up to and including `end` (weekday numbers, Monday 0).
    A site that lists no hours counts every weekday from Monday to Friday."""
    days = open_weekdays or frozenset(range(5))
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += day.weekday() in days
        day += timedelta(days=1)
    return count


def is_overdue(opened: date, today: date, limit_days: int, open_weekdays: Set[int]) -> bool:
    """A case still new after `limit_days` working days of the site."""
    return working_days_between(opened, today, open_weekdays) > limit_days


# --- Figures -----------------------------------------------------------------------

WAIT_BANDS = ("under_15", "15_30", "30_60", "over_60")


def wait_band(minutes: float | None) -> str | None:
    if minutes is None:
        return None
    if minutes < 15:
        return "under_15"
    if minutes < 30:
        return "15_30"
    if minutes < 60:
        return "30_60"
    return "over_60"


@dataclass(frozen=True)
class Response:
    """One answer as the figures see it: no text, no contact."""

    service: str | None
    week: date  # the Monday of the week of the visit (or of the answer, with no visit)
    rating: Rating
    wait_minutes: float | None


@dataclass
class Tally:
    responses: int = 0
    positive: int = 0
    negative: int = 0
    visits: int | None = None  # visits that could answer, for the response rate

    def add(self, rating: Rating) -> None:
        self.responses += 1
        self.positive += rating in POSITIVE
        self.negative += rating in NEGATIVE

    def as_dict(self) -> dict[str, float | int | None]:
        # The NHS way: percentages of all responses, "Don't know" included.
        def share(part: int) -> float | None:
            return round(100 * part / self.responses, 1) if self.responses else None

        rate = round(100 * self.responses / self.visits, 1) if self.visits else None
        return {
            "responses": self.responses,
            "visits": self.visits,
            "response_rate": rate,
            "positive_percent": share(self.positive),
            "negative_percent": share(self.negative),
        }


@dataclass
class Summary:
    rows: dict[tuple[str | None, date], Tally] = field(default_factory=dict)
    bands: dict[str, Tally] = field(default_factory=dict)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def summarise(responses: Iterable[Response], visits: dict[tuple[str, date], int]) -> Summary:
    """Per service and week, and per wait band; `visits` counts finished visits per
    (service, week), the denominators of the response rates."""
    summary = Summary(bands={band: Tally() for band in WAIT_BANDS})
    for response in responses:
        key = (response.service, response.week)
        summary.rows.setdefault(key, Tally()).add(response.rating)
        band = wait_band(response.wait_minutes)
        if band is not None:
            summary.bands[band].add(response.rating)
    for key, count in visits.items():
        summary.rows.setdefault(key, Tally()).visits = count
    return summary


def survey_text_at(finished_at: datetime, minutes: object, zone: ZoneInfo) -> datetime:
    """When a visit's survey link is texted: `minutes` after it ended (the default if the
    setting is not a whole number of minutes), moved to NIGHT_UNTIL the next morning
    when that falls in the night (from NIGHT_FROM), site time."""
    delay = minutes if isinstance(minutes, int) and minutes >= 0 else DEFAULT_SURVEY_TEXT_MINUTES
    at = finished_at + timedelta(minutes=delay)
    local = at.astimezone(zone)
    if NIGHT_UNTIL <= local.time() < NIGHT_FROM:
        return at
    morning = local.date() if local.time() < NIGHT_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(morning, NIGHT_UNTIL, tzinfo=zone).astimezone(at.tzinfo)
