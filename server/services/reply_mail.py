"""A reply to a patient, by email, straight through SMTP, with no transaction open (a
reply by text goes through the notifications outbox: services/feedback.py). Settings:
SMTP_URL (smtp://user:password@host:port, smtps:// for TLS from the start) or
SMTP_HOST (and SMTP_PORT), and SMTP_FROM, the sender's address.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from server.domain.feedback import Contact, ContactKind

TIMEOUT_SECONDS = 15


class CannotSend(Exception):
    """The reply could not be sent; the message says why, for staff."""


def check_set_up() -> tuple[str, str]:
    """The mail server's URL and the sender's address, or CannotSend when email is not
    set up (said before anything is recorded: no reply is pending for nothing)."""
    config = current_app.config
    sender = config.get("SMTP_FROM")
    url = config.get("SMTP_URL") or (
        f"smtp://{config['SMTP_HOST']}:{config.get('SMTP_PORT') or 25}"
        if config.get("SMTP_HOST")
        else None
    )
    if not url or not sender:
        raise CannotSend("Email is not set up on this server (SMTP_URL and SMTP_FROM).")
    return url, sender


def send_reply(contact: Contact, text: str, language: str) -> None:
    """Send staff's reply to the contact the patient left, in the patient's language."""
    if contact.kind is not ContactKind.EMAIL:
        raise CannotSend("Only an email address is replied to by email.")
    url, sender = check_set_up()
    message = EmailMessage()
    with force_locale(language):
        message["Subject"] = _("A reply to your feedback")
    message["From"] = sender
    message["To"] = contact.address
    message.set_content(text)
    try:
        _deliver(url, message)
    except (OSError, smtplib.SMTPException) as error:
        raise CannotSend(f"The email could not be sent: {error}") from None


def _deliver(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    kind = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with kind(parts.hostname or "localhost", port, timeout=TIMEOUT_SECONDS) as smtp:
        if not secure and parts.query == "starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
