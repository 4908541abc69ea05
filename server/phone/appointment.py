"""An appointment's morning link, /a/<token> (services/appointment_links.py): "I'm here"
with the arrival code, in the kiosk's window and with the kiosk's words; on success the
page is the ticket's, /t/<token>. A plain form that works without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from server import services
from server.domain.errors import DomainError, Gone, NotFound
from server.extensions import limiter
from server.i18n import LANGUAGES, use_language
from server.phone import bp
from server.phone.join import _remote_join_limit
from server.phone.views import PRIVATE


@bp.get("/a/<token>")
def appointment_page(token: str) -> Any:
    return _page(token, request.args.get("lang"))


@bp.post("/a/<token>")
@limiter.limit(_remote_join_limit, methods=["POST"])
def appointment_arrive(token: str) -> Any:
    """ "I'm here" from the morning link: the code posted in the clinic."""
    language = request.form.get("language") or None
    use_language(language)  # before any words: the locale is read once per request
    try:
        services.check_in_by_link(token, request.form.get("code") or "", language=language)
    except (NotFound, Gone) as ended:
        return _ended(ended.status)
    except DomainError as error:
        return _page(token, language, error)
    return redirect(url_for("phone.ticket_page", token=token), 303), PRIVATE


def _page(token: str, language: str | None, error: DomainError | None = None) -> Any:
    try:
        page = services.link_page(token)
    except (NotFound, Gone) as ended:
        return _ended(ended.status)
    if page["ticket"]:  # checked in from this link: its page is the ticket's now
        return redirect(url_for("phone.ticket_page", token=token), 303), PRIVATE
    languages = [code for code in page["languages"] if code in LANGUAGES]
    chosen = language if language in languages else (languages[0] if languages else None)
    use_language(chosen)
    html = render_template(
        "phone/appointment.html",
        page=page,
        token=token,
        languages=languages,
        chosen=chosen,
        # What went wrong with the patient's try, else what stands in the way now.
        problem=error.code if error else page["refusal"],
        tried=error is not None,
        referrer_policy="no-referrer",
    )
    return html, error.status if error else 200, PRIVATE


def _ended(status: int) -> Any:
    """A link we never sent (404) or whose day is over (410): says nothing more."""
    page = render_template("phone/link_ended.html", referrer_policy="no-referrer")
    return page, status, PRIVATE
