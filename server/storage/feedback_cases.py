"""A feedback case as its row keeps it: read into the domain's `Case`, a step's result
written back, and a reply's delivery recorded.

Shared by the use cases (services/feedback.py: working a case, a reply by email) and
the outbox's sender (notify/outbox.py: a reply by text that was sent or given up), so
that a case closes, and its contact goes, the same way whoever learns the outcome.
"""

from __future__ import annotations

from datetime import datetime

from server.domain import feedback as rules
from server.storage import audit_chain
from server.storage.models import AuditEntry, FeedbackAnswer

ERROR_MAX_LENGTH = 200


def case_of(answer: FeedbackAnswer) -> rules.Case:
    assert answer.case_status is not None
    return rules.Case(
        rules.CaseStatus(answer.case_status),
        answer.contact is not None,
        answer.what_we_did,
        rules.ReplyStatus(answer.reply_status) if answer.reply_status else None,
    )


def keep(answer: FeedbackAnswer, case: rules.Case, now: datetime) -> None:
    """Write a case's new state to its row. Closed: nobody will contact the patient
    again, so their details, and the words of a reply kept for sending again, go."""
    answer.case_status = case.status.value
    answer.reply_status = case.reply_status.value if case.reply_status else None
    if case.closed:
        answer.case_closed_at = now
        answer.contact = None
        answer.contact_kind = None
        answer.reply_text = None


def record_reply_outcome(
    answer: FeedbackAnswer, delivered: bool, error: str | None, now: datetime
) -> bool:
    """Record how the case's pending reply went, in the current transaction, with its
    audit entry (`feedback_reply_sent`, or `feedback_reply_failed` with why, never the
    address). Returns False, changing nothing, for a reply no longer pending (a late
    outcome of a send that was since tried again)."""
    if answer.case_status is None or answer.reply_status != rules.ReplyStatus.PENDING:
        return False
    channel = answer.contact_kind
    case = case_of(answer).reply_delivered(delivered)
    answer.reply_error = None if delivered else (error or "failed")[:ERROR_MAX_LENGTH]
    keep(answer, case, now)
    audit_chain.add(
        AuditEntry(
            at=now,
            site_id=answer.site_id,
            action="feedback_reply_sent" if delivered else "feedback_reply_failed",
            detail={
                "answer": answer.id,
                "channel": channel,
                "attempt": answer.reply_attempts,
                **({} if delivered else {"error": answer.reply_error}),
            },
        )
    )
    return True
