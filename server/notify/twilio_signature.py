"""Twilio's signature of an incoming-message webhook (the X-Twilio-Signature header).

Twilio signs each request with the account's auth token: HMAC-SHA1 of the full URL it
requested (scheme, host, path and query string), followed by each POST parameter's name
and value, sorted by name; the digest in Base64 (Twilio's "Webhooks security" page).
Computed here in a few lines rather than with the `twilio` package, which would bring
an HTTP client stack (aiohttp, requests) that the server has no other use for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature Twilio sends for a POST of `params` to `url`."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_by_twilio(
    auth_token: str, urls: Iterable[str], params: list[tuple[str, str]], given: str
) -> bool:
    """Whether `given` is Twilio's signature of the request, as sent to one of `urls`
    (the URL this server saw, and the public one a proxy in front of it was sent to)."""
    if not auth_token or not given:
        return False
    given_bytes = given.encode()  # compare_digest refuses str beyond ASCII
    return any(
        hmac.compare_digest(signature(auth_token, url, params).encode(), given_bytes)
        for url in set(urls)
    )
