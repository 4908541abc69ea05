"""Feedback use cases: answering the survey (by a visit's link or at the kiosk), working
a case, replying to the patient, "You said, we did" statements, and the figures.

The rules are in domain/feedback.py. Free text and contact details are staff-only:
nothing here puts them in a payload for a public room; a statement is staff's own
words, published on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from server import clock
from server.domain import feedback as rules
from server.domain import queue
from server.domain.errors import BadInput, DomainError, Gone, NotFound
from server.domain.notify import SMS, Kind
from server.domain.schedule import WEEKDAYS, site_day
from server.extensions import db
from server.notify import outbox
from server.realtime import rooms
from server.realtime.publish import Message, publish
from server.services import audit, reply_mail
from server.storage import feedback_cases, queries
from server.storage.models import FeedbackAnswer, FeedbackStatement, Site, Ticket

DISPLAY_STATEMENTS = "display_statements"
STATEMENTS_ON_DISPLAY = 10
STATEMENTS_ON_PHONE = 2
REPLY_FAILED = "reply_failed"  # the inbox's filter of cases whose reply failed


class ReplyNotSent(DomainError):
    code = "reply_not_sent"
    status = 502


@dataclass(frozen=True)
class AnswerInput:
    """What a patient sent, as the transport parsed it (not yet checked)."""

    rating: str
    text: str = ""
    complaint: bool = False
    contact: str = ""
    site_answer: str = ""  # the site's own question: "yes", "no" or blank


# --- Answering -----------------------------------------------------------------------


def survey_for_token(token: str) -> dict[str, Any]:
    """The survey page of a finished visit: 404 unknown, 410 not done or link ended."""
    ticket = _finished_ticket(token, clock.now())
    answer = _answer_of(ticket.id)
    return {
        "site": ticket.site.name,
        "site_slug": ticket.site.slug,
        "language": ticket.language,
        "number": str(ticket.ticket_number),
        "answer": _patient_view(answer) if answer is not None else None,
        "may_change": answer is None or _may_change(answer, clock.now()),
        "question": _question(ticket.site, ticket.language),
    }


def site_question(site_slug: str, language: str | None) -> str | None:
    """The site's own yes/no question in this language (the kiosk form's), or None."""
    site = queries.get_site(site_slug)
    return _question(site, language or site.languages[0])


def _question_texts(site: Site) -> dict[str, str]:
    return dict((site.settings or {}).get("feedback_question") or {})


def _question(site: Site, language: str) -> str | None:
    return rules.question_in(_question_texts(site), language, site.languages[0])


def answer_by_token(token: str, given: AnswerInput) -> dict[str, Any]:
    """One answer per visit; sending again within the hour changes it."""
    now = clock.now()
    ticket = _finished_ticket(token, now)
    question = _question(ticket.site, ticket.language)
    answer = _answer_of(ticket.id)
    if answer is not None:
        rules.check_may_change(answer.answered_at, now)
        if answer.case_status not in (None, rules.CaseStatus.NEW):
            raise rules.AnswerLocked("Staff have started working on this answer.")
    else:
        answer = FeedbackAnswer(
            site_id=ticket.site_id,
            ticket_id=ticket.id,
            service_id=ticket.service_id,
            language=ticket.language,
            wait_minutes=_wait_minutes(ticket),
            visit_day=ticket.day,
            answered_at=now,
        )
        db.session.add(answer)
    _fill(answer, given, now, question)
    db.session.commit()
    return _patient_view(answer)


def answer_at_kiosk(site_slug: str, given: AnswerInput, language: str) -> dict[str, Any]:
    """ "Tell us about your visit" at the kiosk: no ticket, so no service or wait."""
    site = queries.get_site(site_slug)
    if language not in site.languages:
        language = site.languages[0]
    now = clock.now()
    question = _question(site, language)
    answer = FeedbackAnswer(
        site_id=site.id, language=language, visit_day=site_day(now, site.zone), answered_at=now
    )
    db.session.add(answer)
    _fill(answer, given, now, question)
    db.session.commit()
    return _patient_view(answer)


def _fill(answer: FeedbackAnswer, given: AnswerInput, now: datetime, question: str | None) -> None:
    """Check every part of the answer before any of it is kept; `question` is the
    site's own question as this patient was asked it (None: the site asks none, and
    an answer to it is not kept)."""
    try:
        rating = rules.Rating(given.rating)
    except ValueError:
        raise BadInput("rating: choose one of the answers.") from None
    contact = rules.check_contact(given.contact) if given.contact.strip() else None
    checked = rules.check_site_answer(given.site_answer)
    site_answer = checked if question else None
    text = rules.check_feedback_text(given.text)
    if answer.id is not None:
        answer.changed_at = now
    answer.rating = rating.value
    answer.text = text
    answer.complaint = given.complaint
    answer.site_answer = site_answer
    answer.site_question = question if site_answer is not None else None
    opens = rules.opens_case(rating, given.complaint)
    # Contact details are kept only for a case someone will work and reply to.
    kept = contact if opens else None
    answer.contact_kind = kept.kind.value if kept else None
    answer.contact = kept.address if kept else None
    answer.case_status = rules.CaseStatus.NEW.value if opens else None
    answer.case_opened_at = (answer.case_opened_at or now) if opens else None


def _finished_ticket(token: str, now: datetime) -> Ticket:
    # The phone page's own token, or the survey link's that was texted.
    digest = queue.token_digest(token)
    ticket = queries.ticket_by_digest(digest) or db.session.scalar(
        select(Ticket).where(Ticket.survey_digest == digest)
    )
    if ticket is None:
        raise NotFound("This survey link is not known.", code="unknown_ticket")
    if ticket.status != queue.TicketStatus.DONE:
        raise Gone("This visit has not ended.", code="visit_not_ended")
    rules.check_link_open(ticket.finished_at, now)
    return ticket


def _answer_of(ticket_id: int) -> FeedbackAnswer | None:
    return db.session.scalar(select(FeedbackAnswer).where(FeedbackAnswer.ticket_id == ticket_id))


def _may_change(answer: FeedbackAnswer, now: datetime) -> bool:
    return now - answer.answered_at <= rules.CHANGE_WINDOW and answer.case_status in (
        None,
        rules.CaseStatus.NEW,
    )


def _wait_minutes(ticket: Ticket) -> float | None:
    seen = ticket.called_at or ticket.started_at
    return round((seen - ticket.arrived_at).total_seconds() / 60, 1) if seen else None


def _patient_view(answer: FeedbackAnswer) -> dict[str, Any]:
    """What the patient sees of their own answer (their words back, on their page)."""
    return {
        "rating": answer.rating,
        "text": answer.text or "",
        "complaint": answer.complaint,
        "contact": answer.contact or "",
        "site_answer": "" if answer.site_answer is None else "yes" if answer.site_answer else "no",
    }


# --- The inbox -----------------------------------------------------------------------


def inbox(site_slug: str, *, only: str | None = None, rating: str | None = None) -> dict[str, Any]:
    """Staff's view: answers newest first, filtered by case state or rating."""
    site = queries.get_site(site_slug)
    query = select(FeedbackAnswer).where(FeedbackAnswer.site_id == site.id)
    if only == "cases":
        query = query.where(FeedbackAnswer.case_status.is_not(None))
    elif only == "open":
        # A replied case whose reply has not gone yet (or failed) is still open.
        query = query.where(
            FeedbackAnswer.case_status.is_not(None), FeedbackAnswer.case_closed_at.is_(None)
        )
    elif only == REPLY_FAILED:
        query = query.where(FeedbackAnswer.reply_status == rules.ReplyStatus.FAILED.value)
    elif only in {s.value for s in rules.CaseStatus}:
        query = query.where(FeedbackAnswer.case_status == only)
    if rating in {r.value for r in rules.Rating}:
        query = query.where(FeedbackAnswer.rating == rating)
    answers = db.session.scalars(query.order_by(FeedbackAnswer.answered_at.desc()).limit(200))
    now = clock.now()
    return {
        "answers": [_staff_view(site, a, now) for a in answers],
        "statements": _statements(site.id, published_only=False),
        "question": _question_texts(site),
    }


def _staff_view(site: Site, answer: FeedbackAnswer, now: datetime) -> dict[str, Any]:
    ticket = answer.ticket
    # The name only of a patient who left contact details: they asked to be known.
    name = ticket.patient_name if ticket is not None and answer.contact else None
    return {
        "id": answer.id,
        "rating": answer.rating,
        "text": answer.text,
        "text_removed": answer.text_removed_at is not None,
        "complaint": answer.complaint,
        "service": answer.service.names if answer.service else None,
        "wait_minutes": answer.wait_minutes,
        "answered_at": answer.answered_at.astimezone(site.zone),
        "number": str(ticket.ticket_number) if ticket is not None else None,
        "patient_name": name,
        "contact": answer.contact,
        "contact_kind": answer.contact_kind,
        "case": answer.case_status,
        "what_we_did": answer.what_we_did,
        "closed": answer.case_closed_at is not None,
        "overdue": _overdue(site, answer, now),
        "site_question": answer.site_question,
        "site_answer": answer.site_answer,
        "reply": answer.reply_status,
        "reply_text": answer.reply_text,
        "reply_error": answer.reply_error,
        "may_retry_reply": _may_retry_reply(answer, now),
    }


def _may_retry_reply(answer: FeedbackAnswer, now: datetime) -> bool:
    if answer.case_status is None or answer.contact_kind is None or not answer.reply_text:
        return False
    by = rules.ContactKind(answer.contact_kind)
    return rules.may_retry_reply(_domain_case(answer), by, answer.reply_tried_at, now)


def _overdue(site: Site, answer: FeedbackAnswer, now: datetime) -> bool:
    if answer.case_status != rules.CaseStatus.NEW or answer.case_opened_at is None:
        return False
    limit = int((site.settings or {}).get("feedback_overdue_days", 2))
    opened = site_day(answer.case_opened_at, site.zone)
    return rules.is_overdue(opened, site_day(now, site.zone), limit, _open_weekdays(site))


def _open_weekdays(site: Site) -> frozenset[int]:
    hours = (site.settings or {}).get("hours") or {}
    return frozenset(WEEKDAYS.index(day) for day, spans in hours.items() if spans)


def overdue_cases(site_slug: str) -> int:
    """How many of the site's cases are still new past the site's limit (the desk's flag)."""
    site = queries.get_site(site_slug)
    now = clock.now()
    new = db.session.scalars(
        select(FeedbackAnswer).where(
            FeedbackAnswer.site_id == site.id,
            FeedbackAnswer.case_status == rules.CaseStatus.NEW.value,
        )
    )
    return sum(_overdue(site, answer, now) for answer in new)


# --- Working a case ------------------------------------------------------------------


def acknowledge_case(site_slug: str, answer_id: int, actor: audit.Actor) -> None:
    site, answer = _case(site_slug, answer_id)
    _apply(site, answer, _domain_case(answer).acknowledge(), "feedback_acknowledged", actor)
    db.session.commit()


def record_action(site_slug: str, answer_id: int, what_we_did: str, actor: audit.Actor) -> None:
    site, answer = _case(site_slug, answer_id)
    case = _domain_case(answer).take_action(what_we_did)
    answer.what_we_did = case.what_we_did
    _apply(site, answer, case, "feedback_action_taken", actor)
    db.session.commit()


def reply_to_patient(
    site_slug: str, answer_id: int, text: str, actor: audit.Actor
) -> rules.ReplyStatus:
    """Record the reply as pending and send it after the commit; returns its status.

    A reply that cannot be sent at all (email or texts not set up, a number that cannot
    be texted) is refused before anything is recorded. Otherwise the case becomes
    "replied" with its reply pending, in one transaction; then, by email, the mail goes
    through SMTP with no transaction open and its outcome is recorded in a short
    transaction of its own (sent: the case closes; failed: it stays open, audited as
    `feedback_reply_failed`, for staff to send again). By text, the reply is an outbox
    message written with the change; the sender records its outcome the same way
    (notify/outbox.py).
    """
    site, answer = _case(site_slug, answer_id)
    case, reply = _domain_case(answer).reply(text)
    answer.reply_text = reply
    answer.reply_attempts = 0
    return _send_reply(site, answer, case, "feedback_replied", actor)


def retry_reply(site_slug: str, answer_id: int, actor: audit.Actor) -> rules.ReplyStatus:
    """Send a failed reply again, with the words staff wrote (domain: `retry_reply`)."""
    site, answer = _case(site_slug, answer_id)
    kind = rules.ContactKind(answer.contact_kind) if answer.contact_kind else None
    if kind is None or answer.reply_text is None:
        raise rules.CaseStepRefused("There is no reply to send again.")
    case = _domain_case(answer).retry_reply(kind, answer.reply_tried_at, clock.now())
    return _send_reply(site, answer, case, "feedback_reply_retried", actor)


def _send_reply(
    site: Site, answer: FeedbackAnswer, case: rules.Case, action: str, actor: audit.Actor
) -> rules.ReplyStatus:
    assert answer.contact is not None and answer.contact_kind is not None
    assert answer.reply_text is not None
    contact = rules.Contact(rules.ContactKind(answer.contact_kind), answer.contact)
    number = None
    try:
        if contact.kind is rules.ContactKind.MOBILE:
            number = _textable_contact(site, contact.address)
        else:
            reply_mail.check_set_up()
    except (ReplyNotSent, reply_mail.CannotSend) as refused:
        db.session.rollback()
        raise ReplyNotSent(str(refused)) from None
    _claim_attempt(answer)
    now = clock.now()
    answer.reply_tried_at = now
    answer.reply_error = None
    if number is not None:
        answer.reply_message_id = _reply_text_message(site, answer, number, now)
    _apply(site, answer, case, action, actor, channel=contact.kind.value)
    answer_id, attempt = answer.id, answer.reply_attempts
    reply, language = answer.reply_text, answer.language
    db.session.commit()
    if number is not None:
        outbox.wake_sender()
        return rules.ReplyStatus.PENDING
    # No transaction stays open while the mail goes: on SQLite it would hold the
    # write lock, and every other request would wait for the mail server.
    db.session.rollback()
    error: str | None = None
    try:
        reply_mail.send_reply(contact, reply, language)
    except reply_mail.CannotSend as cannot:
        error = str(cannot)
    return _record_mail_outcome(answer_id, attempt, error)


def _record_mail_outcome(answer_id: int, attempt: int, error: str | None) -> rules.ReplyStatus:
    """The mail's outcome, in a short transaction of its own. A later try of the same
    reply (an email cut off, sent again) has its own attempt: this one's outcome is
    then not recorded over it."""
    answer = db.session.get(FeedbackAnswer, answer_id)
    if answer is None or answer.reply_attempts != attempt:
        db.session.rollback()
        return rules.ReplyStatus.PENDING
    feedback_cases.record_reply_outcome(answer, error is None, error, clock.now())
    status = rules.ReplyStatus(answer.reply_status or rules.ReplyStatus.PENDING)
    db.session.commit()
    return status


def _textable_contact(site: Site, typed: str) -> str:
    if not current_app.config.get("SMS_URL"):
        raise ReplyNotSent(
            "Text messages are not set up on this server (SMS_URL). Please phone the patient."
        )
    number = _textable(typed, (site.settings or {}).get("phone_region"))
    if number is None:
        raise ReplyNotSent("This number cannot be texted. Please phone the patient.")
    return number


def _reply_text_message(site: Site, answer: FeedbackAnswer, number: str, now: datetime) -> int:
    """The reply's text, written to the outbox with the case's change: its id."""
    reply = answer.reply_text
    with force_locale(answer.language):
        words = gettext("%(site)s, about your feedback: %(reply)s", site=site.name, reply=reply)
    body = str(words)
    message = outbox.add_to_address(
        site_id=site.id,
        ticket_id=answer.ticket_id,
        channel=SMS,
        address=number,
        kind=Kind.REPLY,
        body=body,
        due=now,
    )
    db.session.flush()
    return message.id


def _textable(typed: str, region: str | None) -> str | None:
    """The number in its international form (as texts are sent), or None."""
    try:
        parsed = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _claim_attempt(answer: FeedbackAnswer) -> None:
    """Count this attempt only if no other request counted one since this one read the
    case: two staff pressing "Send the reply again" at once send the reply once. A
    compare-and-set in the database works alike on PostgreSQL (the second UPDATE waits
    for the first's row lock, then finds the count moved) and on SQLite (one writer)."""
    seen = answer.reply_attempts
    claimed = db.session.execute(
        update(FeedbackAnswer)
        .where(FeedbackAnswer.id == answer.id, FeedbackAnswer.reply_attempts == seen)
        .values(reply_attempts=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise rules.CaseStepRefused("This reply is being sent already.")
    set_committed_value(answer, "reply_attempts", seen + 1)


def _case(site_slug: str, answer_id: int) -> tuple[Site, FeedbackAnswer]:
    site = queries.get_site(site_slug)
    answer = db.session.get(FeedbackAnswer, answer_id)
    if answer is None or answer.site_id != site.id or answer.case_status is None:
        raise NotFound("There is no such feedback case.", code="unknown_case")
    return site, answer


def _domain_case(answer: FeedbackAnswer) -> rules.Case:
    return feedback_cases.case_of(answer)


def _apply(
    site: Site,
    answer: FeedbackAnswer,
    case: rules.Case,
    action: str,
    actor: audit.Actor,
    **detail: Any,
) -> None:
    now = clock.now()
    feedback_cases.keep(answer, case, now)
    audit.record(action, actor, site_id=site.id, at=now, answer=answer.id, **detail)


# --- "You said, we did" ---------------------------------------------------------------


def add_statement(
    site_slug: str, text: str, actor: audit.Actor, *, answer_id: int | None = None
) -> int:
    site = queries.get_site(site_slug)
    if answer_id is not None:
        _case(site_slug, answer_id)
    statement = FeedbackStatement(
        site_id=site.id,
        answer_id=answer_id,
        text=rules.check_statement(text),
        created_at=clock.now(),
    )
    db.session.add(statement)
    db.session.flush()
    audit.record("statement_added", actor, site_id=site.id, statement=statement.id)
    db.session.commit()
    return statement.id


def set_statement_published(
    site_slug: str, statement_id: int, published: bool, actor: audit.Actor
) -> None:
    """Publish or withdraw a statement; the site's displays hear the new list."""
    site = queries.get_site(site_slug)
    statement = db.session.get(FeedbackStatement, statement_id)
    if statement is None or statement.site_id != site.id:
        raise NotFound("There is no such statement.", code="unknown_statement")
    now = clock.now()
    statement.published_at = now if published else None
    action = "statement_published" if published else "statement_withdrawn"
    audit.record(action, actor, site_id=site.id, at=now, statement=statement.id)
    db.session.commit()
    # Not a queue change: it carries the site's seq unchanged (like presence updates).
    message = {"seq": site.seq, "kind": "statements", "statements": published_statements(site.id)}
    publish([Message(DISPLAY_STATEMENTS, rooms.display_room(site.slug), message)])


def published_statements(site_id: int, limit: int = STATEMENTS_ON_DISPLAY) -> list[str]:
    """Newest first: only the words staff wrote and published, nothing else."""
    texts = db.session.scalars(
        select(FeedbackStatement.text)
        .where(FeedbackStatement.site_id == site_id, FeedbackStatement.published_at.is_not(None))
        .order_by(FeedbackStatement.published_at.desc(), FeedbackStatement.id.desc())
        .limit(limit)
    )
    return list(texts)


def _statements(site_id: int, *, published_only: bool) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(FeedbackStatement)
        .where(FeedbackStatement.site_id == site_id)
        .order_by(FeedbackStatement.created_at.desc(), FeedbackStatement.id.desc())
    )
    return [
        {"id": s.id, "text": s.text, "published": s.published_at is not None}
        for s in rows
        if s.published_at is not None or not published_only
    ]


# --- Figures --------------------------------------------------------------------------


def feedback_summary(site_slug: str, weeks: int = 8) -> dict[str, Any]:
    """Per service and week, and per wait band, over the last `weeks` weeks."""
    site = queries.get_site(site_slug)
    today = site_day(clock.now(), site.zone)
    since = rules.week_of(today) - timedelta(weeks=weeks - 1)
    codes = {s.id: s.code for s in site.services}
    answers = db.session.execute(
        select(
            FeedbackAnswer.service_id,
            FeedbackAnswer.visit_day,
            FeedbackAnswer.rating,
            FeedbackAnswer.wait_minutes,
        ).where(FeedbackAnswer.site_id == site.id, FeedbackAnswer.visit_day >= since)
    )
    responses = [
        rules.Response(
            codes.get(service_id) if service_id else None,
            rules.week_of(day),
            rules.Rating(rating),
            wait,
        )
        for service_id, day, rating, wait in answers
    ]
    summary = rules.summarise(responses, _finished_visits(site, since, codes))
    rows = [
        {"service": service, "week": week.isoformat(), **tally.as_dict()}
        for (service, week), tally in sorted(
            summary.rows.items(), key=lambda item: (item[0][1], item[0][0] or "")
        )
    ]
    return {
        "site": site.slug,
        "since": since.isoformat(),
        "rows": rows,
        "wait_bands": [
            {"band": band, **summary.bands[band].as_dict()} for band in rules.WAIT_BANDS
        ],
        "site_question": _site_question_figures(site, since),
    }


def _site_question_figures(site: Site, since: date) -> dict[str, Any] | None:
    """Yes and no to the site's current question (asked in any of its languages), since
    `since`; answers to a question the site no longer asks are not counted. None: the
    site asks no question of its own."""
    texts = _question_texts(site)
    if not texts:
        return None
    rows = db.session.execute(
        select(FeedbackAnswer.site_answer, func.count())
        .where(
            FeedbackAnswer.site_id == site.id,
            FeedbackAnswer.visit_day >= since,
            FeedbackAnswer.site_question.in_(sorted(set(texts.values()))),
            FeedbackAnswer.site_answer.is_not(None),
        )
        .group_by(FeedbackAnswer.site_answer)
    )
    counts = {answered: int(count) for answered, count in rows}
    yes, no = counts.get(True, 0), counts.get(False, 0)
    return {
        "text": texts,
        "yes": yes,
        "no": no,
        "yes_percent": rules.yes_percent(yes, no),
    }


def _finished_visits(site: Site, since: date, codes: dict[int, str]) -> dict[tuple[str, date], int]:
    rows = db.session.execute(
        select(Ticket.service_id, Ticket.day, func.count())
        .where(
            Ticket.site_id == site.id,
            Ticket.status == queue.TicketStatus.DONE,
            Ticket.day >= since,
        )
        .group_by(Ticket.service_id, Ticket.day)
    )
    visits: dict[tuple[str, date], int] = {}
    for service_id, day, count in rows:
        key = (codes.get(service_id, "?"), rules.week_of(day))
        visits[key] = visits.get(key, 0) + int(count)
    return visits


# --- Retention ------------------------------------------------------------------------


def remove_old_feedback_text(site: Site, now: datetime) -> int:
    """Free text older than the site's `feedback_text_days` goes; the rating stays.
    Returns how many answers lost their text (the caller commits)."""
    keep = int((site.settings or {}).get("feedback_text_days", rules.DEFAULT_TEXT_KEEP_DAYS))
    old = list(
        db.session.scalars(
            select(FeedbackAnswer).where(
                FeedbackAnswer.site_id == site.id,
                FeedbackAnswer.answered_at < now - timedelta(days=keep),
                FeedbackAnswer.text.is_not(None),
            )
        )
    )
    for answer in old:
        answer.text = None
        answer.contact = None
        answer.contact_kind = None
        answer.reply_text = None
        answer.text_removed_at = now
    return len(old)


def survey_open(token: str) -> bool:
    """Whether this token's visit may answer the survey now."""
    try:
        _finished_ticket(token, clock.now())
    except DomainError:
        return False
    return True


def statements_for_display(site_slug: str) -> list[str]:
    return published_statements(queries.get_site(site_slug).id)


def statements_for_phone(site_slug: str) -> list[str]:
    """The latest two, for a patient who waits."""
    return published_statements(queries.get_site(site_slug).id, STATEMENTS_ON_PHONE)
