"""The front-desk console at /desk, and its login page.

The console is one page; every action it takes goes through the JSON API (so through
the same service functions, checks and audit log as any other client), and it follows
the queue over the staff socket. The login form calls the same functions as
POST /api/login.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests

from server import auth, clock, guesses, services
from server.desk import bp
from server.desk.strings import console_strings
from server.domain.errors import DomainError
from server.domain.notices import NOTE_MAX_LENGTH
from server.domain.text import find_control
from server.services.accounts import MAX_USERNAME_LENGTH
from server.storage.models import User

MAX_PASSWORD = 256
MAX_CODE = 32
MAX_TOKEN = 64
PENDING_SECONDS = 300  # from a right password to the second step's code


@bp.get("/desk")
def console() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=_this_page()))
    user, site = auth.staff_for(request.args.get("site") or _first_site())
    config = {
        "site": site.slug,
        "user": user.username,
        "room": request.args.get("room"),
        "idle_minutes": _idle_minutes(),
        "api": url_for("api.staff_queue", site=site.slug).removesuffix("/queue"),
        "login_url": url_for("desk.login"),
        "strings": console_strings(),
        # The "Texts…" dialog is offered only where texts can be sent (SMS_URL).
        "texts_offered": services.texts_offered(),
    }
    return render_template(
        "desk/console.html",
        config=config,
        site=site,
        user=user,
        delay_reasons=services.delay_reason_choices(site, str(get_locale())),
        note_max_length=NOTE_MAX_LENGTH,
        # Feedback cases still new past the site's limit: the count, for everyone at the
        # desk; the link to the inbox, for those who may read it.
        overdue_cases=services.overdue_cases(site.slug),
        may_read_feedback=auth.may_read_feedback(user, site),
        may_read_reports=auth.can_read_reports(user, site),
        # Joining from home: the day's arrival code and the desk's pause (services/remote.py).
        arrival_code=services.arrival_code(site),
        remote_pause=site.remote_pause,
    )


@bp.route("/desk/login", methods=["GET", "POST"])
@guesses.password_guesses
def login() -> Any:
    if request.method == "GET":
        return render_template("desk/login.html", expired=request.args.get("expired") == "1")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")[:MAX_PASSWORD]
    try:
        services.refuse_if_local_passwords_off(username[:MAX_USERNAME_LENGTH], request.remote_addr)
    except services.LocalPasswordsOff:
        error = gettext("Passwords are switched off here: sign in with your hospital account.")
        return render_template("desk/login.html", error=error), 403
    # Every refusal, an empty or impossible name among them, is decided and recorded in
    # the audit log by the one check of the API's login too.
    user = services.authenticate(username, password, request.remote_addr)
    if user is None:
        # The same answer for an unknown user and a wrong password: no hint either way.
        error = gettext("The username or password is not right.")
        if find_control(username) is not None:
            return render_template("desk/login.html", error=error), 400
        shown = username[:MAX_USERNAME_LENGTH]
        return render_template("desk/login.html", error=error, username=shown), 401
    session.pop(guesses.PENDING_SIGN_IN, None)  # a password starts every step over
    return _after_password(user)


@bp.route("/desk/login/code", methods=["GET", "POST"])
@guesses.code_guesses
def login_code() -> Any:
    """The second step for an account with a second factor: its app's code."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("desk.login"))
    if request.method == "GET":
        return render_template("desk/login_code.html")
    code = request.form.get("code", "")[:MAX_CODE]
    if not services.check_second_factor(user, code, request.remote_addr):
        error = gettext("That code is not right. Try the one your app shows now.")
        return render_template("desk/login_code.html", error=error), 401
    session[guesses.PENDING_SIGN_IN] = {**session[guesses.PENDING_SIGN_IN], "factor": True}
    return _after_password(user)


@bp.route("/desk/login/new-password", methods=["GET", "POST"])
def new_password() -> Any:
    """A temporary password signs in only to choose one's own."""
    user = _pending_user()
    if user is None or (user.totp_enabled and not session[guesses.PENDING_SIGN_IN].get("factor")):
        return redirect(url_for("desk.login"))
    if request.method == "GET":
        return render_template("desk/new_password.html")
    password, error = _chosen_password()
    if error:
        return render_template("desk/new_password.html", error=error), 400
    try:
        services.set_own_password(user, password, request.remote_addr)
    except DomainError as refusal:
        return render_template("desk/new_password.html", error=refusal.message), refusal.status
    return _after_password(user)


def _chosen_password() -> tuple[str, str | None]:
    """The new password the form posted, typed twice; the error when they differ."""
    password = request.form.get("password", "")[:MAX_PASSWORD]
    if password != request.form.get("repeat", "")[:MAX_PASSWORD]:
        return password, gettext("The two passwords are not the same.")
    return password, None


@bp.route("/desk/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """A one-time link an administrator made (services/reset_links.py): choose a new
    password. Only the form's post spends the link, not opening it."""
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    token = token[:MAX_TOKEN]
    try:
        user = services.account_of_reset_link(token)
    except services.ResetLinkGone:
        return render_template("desk/reset_password.html", gone=True), 410, headers
    if request.method == "GET":
        return render_template("desk/reset_password.html", username=user.username), headers
    password, error = _chosen_password()
    if error:
        page = render_template("desk/reset_password.html", username=user.username, error=error)
        return page, 400, headers
    try:
        services.use_reset_link(token, password, request.remote_addr)
    except services.ResetLinkGone:
        return render_template("desk/reset_password.html", gone=True), 410, headers
    except DomainError as refusal:
        page = render_template(
            "desk/reset_password.html", username=user.username, error=refusal.message
        )
        return page, refusal.status, headers
    notice = gettext("Your new password is saved. Log in with it.")
    return render_template("desk/login.html", notice=notice, username=user.username), headers


@bp.post("/desk/logout")
def logout() -> Any:
    auth.end_session()
    return redirect(url_for("desk.login"))


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError) -> Any:
    """A form posted without its token (or from an old page): show it again, fresh."""
    error = gettext("The form had expired. Please try again.")
    return render_template("desk/login.html", error=error), 400


@bp.errorhandler(TooManyRequests)
def too_many_attempts(_error: TooManyRequests) -> Any:
    error = gettext("Too many attempts. Please wait a minute and try again.")
    return render_template("desk/login.html", error=error), 429


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> Any:
    """E.g. an account that may not use the site asked for."""
    return render_template("desk/refused.html", message=error.message), error.status


def _after_password(user: User) -> Any:
    """Sign in, once the steps this account still needs are done: its second factor's
    code, then its own password in place of a temporary one. Until then the browser
    holds only a pending sign-in (no session), for PENDING_SECONDS."""
    pending = session.get(guesses.PENDING_SIGN_IN) or {}
    if pending.get("user") != user.id:
        target = request.args.get("next")
        pending = {"user": user.id, "at": clock.now().timestamp(), "next": target}
        session[guesses.PENDING_SIGN_IN] = pending
    if user.totp_enabled and not pending.get("factor"):
        return redirect(url_for("desk.login_code"))
    if user.must_change_password:
        return redirect(url_for("desk.new_password"))
    session.pop(guesses.PENDING_SIGN_IN, None)
    auth.start_session(user)
    return redirect(safe_next(pending.get("next")))


def _pending_user() -> User | None:
    """The account whose password was right a moment ago, if its sign-in is still pending."""
    pending = session.get(guesses.PENDING_SIGN_IN)
    if not isinstance(pending, dict):
        return None
    if clock.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(guesses.PENDING_SIGN_IN, None)
        return None
    user = services.account_by_id(int(pending.get("user", 0)))
    return user if user is not None and user.active else None


def _first_site() -> str:
    """The account's first site: most accounts have one, and ?site= picks another."""
    sites = current_user.sites
    if not sites:
        raise auth.Forbidden("Your account is not given any site.")
    return str(sites[0].slug)


def _this_page() -> str:
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def safe_next(target: str | None) -> str:
    """Only a path on this server: a login link must not send staff to another site."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("desk.console")
    if target.startswith("//") or "\\" in target:
        return url_for("desk.console")
    return target


def _idle_minutes() -> int:
    return int(current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 60)
