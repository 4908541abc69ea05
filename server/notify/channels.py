"""Channels: how a message reaches a patient when the page is not on screen.

A channel is a name and a send function: `send(address, text) -> Outcome` (delivered;
gone: the address is rejected for good and is removed; failed: try again later). The
outbox stores the channel's name with each message and the sender looks the channel up
here, so a new channel (Web Push) is one more entry in `configured_channels`.

Text messages go through Apprise, one URL in the configuration (`SMS_URL`): Twilio,
Vonage, or `json://`/`form://` to a hospital's own gateway. The patient's number goes
where the URL has `{to}` (a gateway's field: `json://gw.lan/sms?:to={to}`), else at the
end of its path, as Apprise's SMS services take their targets
(`twilio://sid:token@+15550000000` becomes `twilio://sid:token@+15550000000/+447700900123`).

Web Push goes through pywebpush, signed with the deployment's VAPID key
(`VAPID_PRIVATE_KEY`, `VAPID_SUBJECT`). The address is the browser's subscription with
its ticket page (domain/notify.PushSubscription, JSON); the text is the notification
as JSON (title, body, tag), built by services/notifications.py, to which the page's
url is added from the address; the browser's service
worker (static/js/push-worker.js) shows it.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import apprise
import requests
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from server.domain.notify import GIVE_UP_AFTER, PUSH, SMS, Outcome, PushSubscription

log = logging.getLogger(__name__)

Send = Callable[[str, str], Outcome]


@dataclass(frozen=True)
class Channel:
    name: str
    send: Send


def apprise_url(base: str, address: str) -> str:
    """The Apprise URL that sends to one address."""
    to = quote(address, safe="")
    if "{to}" in base:
        return base.replace("{to}", to)
    path, _, query = base.partition("?")
    url = f"{path.rstrip('/')}/{to}"
    return f"{url}?{query}" if query else url


def apprise_channel(name: str, base_url: str) -> Channel:
    """A channel that sends through Apprise to `base_url` with the address added."""

    def send(address: str, text: str) -> Outcome:
        notifier = apprise.Apprise()
        if not notifier.add(apprise_url(base_url, address)):
            # Apprise cannot read the URL with this address in it: no retry will help.
            log.warning("%s: Apprise refused the URL for an address", name)
            return Outcome.GONE
        return Outcome.DELIVERED if notifier.notify(body=text) else Outcome.FAILED

    return Channel(name, send)


# A push service's answers that mean the subscription is over (RFC 8030: 404 and 410);
# anything else that fails is tried again (a 429 or 5xx passes, a 403 is our key).
_SUBSCRIPTION_GONE = (404, 410)
PUSH_TIMEOUT_SECONDS = 10


def vapid_key(private_key: str) -> Vapid:
    """The VAPID key from its configured form: base64url of the raw 32-byte key (what
    `waitroom vapid-keys` writes), base64url DER, or PEM."""
    text = private_key.strip()
    if text.startswith("-----BEGIN"):
        return Vapid.from_pem(text.encode())
    return Vapid.from_string(text)


def push_channel(private_key: str, subject: str) -> Channel:
    """A channel that sends Web Push messages, signed with the deployment's VAPID key."""
    key = vapid_key(private_key)

    def send(address: str, text: str) -> Outcome:
        subscription = PushSubscription.from_address(address)
        message = {**json.loads(text), "url": subscription.url}
        try:
            webpush(
                subscription.subscription_info(),
                data=json.dumps(message),
                vapid_private_key=key,
                vapid_claims={"sub": subject},
                timeout=PUSH_TIMEOUT_SECONDS,
                # Not worth delivering once the outbox itself would give up.
                ttl=int(GIVE_UP_AFTER.total_seconds()),
                headers={"Urgency": "high"},
            )
        except WebPushException as error:
            if error.status_code in _SUBSCRIPTION_GONE:
                return Outcome.GONE
            log.warning("push: the push service answered %s", error.status_code)
            return Outcome.FAILED
        except requests.RequestException as error:
            log.warning("push: %s", type(error).__name__)
            return Outcome.FAILED
        return Outcome.DELIVERED

    return Channel(PUSH, send)


def vapid_public_key(config: Mapping[str, Any]) -> str | None:
    """The applicationServerKey the browser subscribes with: VAPID_PUBLIC_KEY, else the
    private key's own (base64url, uncompressed point)."""
    if given := config.get("VAPID_PUBLIC_KEY"):
        return str(given)
    if not config.get("VAPID_PRIVATE_KEY"):
        return None
    return public_key_text(vapid_key(str(config["VAPID_PRIVATE_KEY"])))


def public_key_text(key: Vapid) -> str:
    point = key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def new_vapid_private_key() -> str:
    """A new VAPID private key, base64url of its raw 32 bytes (`waitroom vapid-keys`)."""
    key = Vapid()
    key.generate_keys()
    raw = key.private_key.private_numbers().private_value.to_bytes(32, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def push_offered(config: Mapping[str, Any]) -> bool:
    """Whether this deployment sends Web Push (a VAPID key and subject are configured)."""
    return bool(config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_SUBJECT"))


def configured_channels(config: Mapping[str, Any]) -> dict[str, Channel]:
    """The channels this deployment's configuration turns on, by name."""
    channels: dict[str, Channel] = {}
    if config.get("SMS_URL"):
        channels[SMS] = apprise_channel(SMS, str(config["SMS_URL"]))
    if push_offered(config):
        channels[PUSH] = push_channel(
            str(config["VAPID_PRIVATE_KEY"]), str(config["VAPID_SUBJECT"])
        )
    return channels
