"""When a patient is told that their wait has grown, and why.

The rule: a patient holds a promise, the latest time we said they would be called
(the upper end of the range, as a clock time). When the promise we would now make is
later than the one they hold by more than the site's threshold, they get a notice, at
most one per ticket every few minutes. A better promise shown in between becomes the
one they hold. The words are the services' business (in the patient's language); this
module only says whether and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_THRESHOLD = timedelta(minutes=10)
MIN_GAP = timedelta(minutes=5)


class DelayReason(StrEnum):
    POSTED_DELAY = "posted_delay"  # staff posted a delay that concerns the ticket
    ROOM_PAUSED = "room_paused"  # a room that serves the ticket's service is paused
    BUSIER = "busier_than_usual"  # more patients, or longer visits, than expected


@dataclass(frozen=True)
class PromisedDeadline:
    """What the patient was last told: called by `deadline` at the latest; and when
    they were last told that it moved."""

    deadline: datetime | None = None
    last_notice_at: datetime | None = None


@dataclass(frozen=True)
class Review:
    promise: PromisedDeadline  # the promise the patient holds after this review
    notify: bool  # whether to send a delay notice now


def review_promise(
    promise: PromisedDeadline,
    now: datetime,
    high_minutes: int,
    *,
    threshold: timedelta = DEFAULT_THRESHOLD,
    min_gap: timedelta = MIN_GAP,
) -> Review:
    """Compare the upper bound shown now with the promise the patient holds."""
    deadline = now + timedelta(minutes=high_minutes)
    if promise.deadline is None:
        return Review(PromisedDeadline(deadline, promise.last_notice_at), notify=False)
    if deadline - promise.deadline > threshold:
        recent = promise.last_notice_at is not None and now - promise.last_notice_at < min_gap
        if recent:
            return Review(promise, notify=False)  # told again once the gap has passed
        return Review(PromisedDeadline(deadline, now), notify=True)
    return Review(
        PromisedDeadline(min(deadline, promise.deadline), promise.last_notice_at), notify=False
    )


def delay_reason(*, posted_delay: bool, room_paused: bool) -> DelayReason:
    """Staff's own word first, then a paused room, else the queue is simply busier."""
    if posted_delay:
        return DelayReason.POSTED_DELAY
    if room_paused:
        return DelayReason.ROOM_PAUSED
    return DelayReason.BUSIER
