"""The public join page, /join?site=…: join a line from home, then the ticket page.

A plain form that works without JavaScript; the ticket page it leads to is the same
/t/<token> as a kiosk ticket's. "I'm here" on that page is a plain form too.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from server import services
from server.domain import remote
from server.domain.errors import DomainError, NotFound
from server.extensions import limiter
from server.i18n import LANGUAGES, use_language
from server.phone import bp
from server.phone.views import PRIVATE


def _remote_join_limit() -> str:
    return str(current_app.config["REMOTE_JOIN_RATE_LIMIT"])


def _site_slug() -> str:
    try:
        return request.args.get("site") or services.sole_site()
    except DomainError:
        abort(404)


@bp.get("/join")
def join_page() -> Any:
    return _page(_site_slug(), {})


@bp.post("/join")
@limiter.limit(_remote_join_limit, methods=["POST"])
def join() -> Any:
    slug = _site_slug()
    form = request.form
    language = form.get("language") or None
    use_language(language)
    try:
        travel = int(form.get("travel_minutes") or remote.DEFAULT_TRAVEL_MINUTES)
    except ValueError:
        travel = -1  # refused by the rule, in its words
    try:
        joined = services.join_remotely(
            slug,
            form.get("service") or "",
            language=language,
            travel_minutes=travel,
            mobile=(form.get("mobile") or "").strip() or None,
            consent=form.get("consent") == "yes",
        )
    except DomainError as error:
        return _page(slug, form, error)
    return redirect(url_for("phone.ticket_page", token=joined.token), 303), PRIVATE


def _page(slug: str, given: Any, error: DomainError | None = None) -> Any:
    try:
        page = services.join_page(slug)
    except NotFound:
        abort(404)
    languages = [code for code in page["languages"] if code in LANGUAGES]
    chosen = given.get("language") or request.args.get("lang")
    if chosen not in languages:
        chosen = languages[0] if languages else None
    use_language(chosen)
    html = render_template(
        "phone/join.html",
        page=page,
        languages=languages,
        chosen=chosen,
        given=given,
        error=_error_words(error),
        action=url_for("phone.join", site=slug),
        referrer_policy="no-referrer",
    )
    return html, error.status if error else 200, PRIVATE


def _error_words(error: DomainError | None) -> str | None:
    if error is None:
        return None
    if error.code == "invalid_travel_time":
        return _("Please give the time it takes you to get here, in minutes.")
    # The service's refusals are in the reader's language already (services/remote.py).
    return error.message


@bp.post("/t/<token>/arrive")
@limiter.limit(_remote_join_limit, methods=["POST"])
def arrive(token: str) -> Any:
    """ "I'm here" from the ticket page: the arrival code posted in the clinic."""
    try:
        services.arrive_by_patient(token, request.form.get("code") or "")
    except DomainError as error:
        wrong = error.code == "wrong_arrival_code"
        target = url_for("phone.ticket_page", token=token, arrival="wrong" if wrong else None)
        return redirect(target, 303), PRIVATE
    return redirect(url_for("phone.ticket_page", token=token), 303), PRIVATE
