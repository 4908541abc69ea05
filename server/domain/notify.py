"""The rules of messages to patients outside the page: when a failed send is tried
again, when it is given up, what the desk may see of an address, what staff may type.

Pure: the outbox (server/notify/) and the services hand in `now` and plain values.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from server.domain.errors import BadInput
from server.domain.text import check_text

SMS = "sms"  # the text-message channel's name
PUSH = "push"  # the Web Push channel's name

# How long a message is worth sending: a call texted twenty minutes late is noise.
GIVE_UP_AFTER = timedelta(minutes=15)
FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=2)
DESK_MESSAGE_LIMIT = 160  # one SMS segment
DEFAULT_NEXT_PLACE = 3  # "you are next" when the patient reaches this place in line


class Outcome(StrEnum):
    """What a channel says of one send."""

    DELIVERED = "delivered"  # handed to the provider: done
    GONE = "gone"  # the address is rejected for good: forget it, do not retry
    FAILED = "failed"  # may work later: retry with backoff


class Kind(StrEnum):
    """Why a message is sent."""

    CALLED = "called"
    RECALLED = "recalled"
    NEXT = "next"
    DELAY = "delay"
    LEFT = "left"
    DESK = "desk"
    COME_NOW = "come_now"  # a remote ticket's turn came before it did (domain/remote.py)
    LEAVE_NOW = "leave_now"  # a remote patient's time to set off came (domain/remote.py)
    ARRIVAL_LINK = "arrival_link"  # an appointment's morning link (domain/morning.py)
    ANSWER = "answer"  # an answer to the patient's text (STATUS, HELP, ...)
    ASK_LEAVE = "ask_leave"  # "reply YES to leave": a YES soon after confirms it
    REPLY = "reply"  # staff's reply to the patient's feedback
    SURVEY = "survey"  # the feedback survey's link, after the visit


@dataclass(frozen=True)
class Retry:
    """After a failed send: try again at `at`, or (at None) give up."""

    at: datetime | None


def after_failure(created_at: datetime, attempts: int, now: datetime) -> Retry:
    """Exponential backoff from FIRST_RETRY, at most LONGEST_WAIT between tries, until
    the message is GIVE_UP_AFTER old. `attempts` counts the tries made, this one too."""
    wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    at = now + wait
    if at - created_at > GIVE_UP_AFTER:
        return Retry(None)
    return Retry(at)


def last_digits(address: str) -> str:
    """What the desk sees of a phone number: its last two digits."""
    digits = [c for c in address if c.isdigit()]
    return "".join(digits[-2:])


def desk_message(text: str) -> str:
    """A message staff typed to one patient: one line, not empty, one SMS segment."""
    cleaned = " ".join(check_text(text, field="text").split())
    if not cleaned:
        raise BadInput("Type the message to send.", code="empty_message")
    if len(cleaned) > DESK_MESSAGE_LIMIT:
        raise BadInput(
            f"A message is at most {DESK_MESSAGE_LIMIT} characters.", code="message_too_long"
        )
    return cleaned


def next_place(setting: object) -> int:
    """The site's place for "you are next" (the site file's `text_next_place`)."""
    return setting if isinstance(setting, int) and setting > 0 else DEFAULT_NEXT_PLACE


# --- Web Push subscriptions ---------------------------------------------------------

# The push services of the browsers that patients' phones run (Chrome and Android's
# browsers, Firefox, Safari, Edge): a subscription's endpoint must be on one of them,
# or on a host the deployment names (PUSH_SERVICE_HOSTS), so a forged subscription
# cannot make the server post to an address of the clinic's network.
PUSH_SERVICES = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)
ENDPOINT_LIMIT = 1000  # characters; real endpoints are under 600
LOOPBACK = ("127.0.0.1", "localhost")
# scheme://host[:port][/path]: no user, no IPv6 literal (no push service uses either).
_ENDPOINT = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::[0-9]{1,5})?(?:/[^\s]*)?")


@dataclass(frozen=True)
class PushSubscription:
    """What a browser's PushManager gave: where to post, and the keys to encrypt with.

    `url` is the ticket page a tap on the notification opens."""

    endpoint: str
    p256dh: str
    auth: str
    url: str

    def to_address(self) -> str:
        """The contact's address: the subscription and its page, as JSON."""
        return json.dumps(
            {
                "endpoint": self.endpoint,
                "keys": {"p256dh": self.p256dh, "auth": self.auth},
                "url": self.url,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_address(cls, address: str) -> PushSubscription:
        data = json.loads(address)
        return cls(data["endpoint"], data["keys"]["p256dh"], data["keys"]["auth"], data["url"])

    def subscription_info(self) -> dict[str, object]:
        """The subscription as pywebpush (and the browser) spell it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def push_subscription(
    endpoint: str, p256dh: str, auth: str, url: str, *, hosts: tuple[str, ...] = PUSH_SERVICES
) -> PushSubscription:
    """A browser's subscription, checked: an https endpoint on a known push service (a
    loopback push service may use http: a test's, or a developer's), a P-256 public key
    and a 16-byte secret, base64url as the browser gives them. BadInput otherwise."""
    match = _ENDPOINT.fullmatch(endpoint) if len(endpoint) <= ENDPOINT_LIMIT else None
    scheme, host = (match.group(1), match.group(2).lower()) if match else ("", "")
    known = any(host == h or host.endswith("." + h) for h in hosts)
    secure = scheme == "https" or (scheme == "http" and host in LOOPBACK)
    if not (known and secure):
        raise BadInput("This is not a push service we can send to.", code="invalid_subscription")
    key, secret = _base64url(p256dh), _base64url(auth)
    if key is None or len(key) != 65 or key[0] != 4 or secret is None or len(secret) != 16:
        raise BadInput("The subscription's keys are not valid.", code="invalid_subscription")
    return PushSubscription(endpoint, p256dh, auth, url)


def _base64url(text: str) -> bytes | None:
    if len(text) > 200:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
