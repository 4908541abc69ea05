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
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import apprise

from server.domain.notify import SMS, Outcome

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


def configured_channels(config: Mapping[str, Any]) -> dict[str, Channel]:
    """The channels this deployment's configuration turns on, by name."""
    channels: dict[str, Channel] = {}
    if config.get("SMS_URL"):
        channels[SMS] = apprise_channel(SMS, str(config["SMS_URL"]))
    return channels
