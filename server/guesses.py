"""Guess budgets: how many wrong guesses of a secret a client may make.

(Also second-factor codes at sign-in, the codes that pair a screen, and the numbers the
kiosk's "I joined online" is given: below.)

One budget per kind of secret, shared by every route that tests it: staff passwords
(POST /api/login and the desk's login form) and appointments (the lookup and the
check-in, by code or by last name and birth date). Each is counted per client address
and per account (the username tried; the site of the appointment), in the rate
limiter's storage, so every process sees the same counts (Redis when
RATELIMIT_STORAGE_URI names one). Only failed guesses count: a right password or a
found appointment spends nothing.

A username that fails PASSWORD_DELAY_AFTER times in a row is also made to wait before
each further try: 1, 2, 4, ... seconds, up to PASSWORD_DELAY_MAX_SECONDS, until a right
password starts it over. The wait is read on the app's clock (server/clock.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, after_this_request, current_app, request, session
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests

from server import clock, services
from server.extensions import limiter
from server.services.accounts import MAX_USERNAME_LENGTH

View = TypeVar("View", bound=Callable[..., Any])

# Failures in a row are forgotten after a day without one.
_FAILURES_KEPT_SECONDS = 24 * 60 * 60


# --- Staff passwords ------------------------------------------------------------------


def password_guesses(view: View) -> View:
    """Count the wrong passwords a login route is sent, and delay a guessed account."""
    limited = _shared(
        view,
        scope="password-guesses",
        per_address="PASSWORD_GUESSES_PER_ADDRESS",
        per_account="PASSWORD_GUESSES_PER_ACCOUNT",
        account=lambda: f"user:{attempted_username()}",
        failed=_wrong_password,
    )

    @wraps(view)
    def delayed(*args: Any, **kwargs: Any) -> Any:
        if request.method != "POST" or not limiter.enabled:
            return limited(*args, **kwargs)
        username = attempted_username()
        try:
            _refuse_while_delayed(username)
            after_this_request(lambda response: _count_password(username, response))
            return limited(*args, **kwargs)
        except TooManyRequests:
            # Refused before the password is tested: still a sign-in event to record.
            services.refuse_login(username, request.remote_addr, "too_many_attempts")
            raise

    return cast(View, delayed)


def attempted_username() -> str:
    """The username a login request tries, from the API's JSON or the desk's form."""
    if request.form:
        name = request.form.get("username")
    else:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return name.strip()[:MAX_USERNAME_LENGTH] if isinstance(name, str) else ""


def _wrong_password(response: Response) -> bool:
    return response.status_code == 401


def _refuse_while_delayed(username: str) -> None:
    until = limiter.storage.get(_key("locked-until", username))
    wait = until - int(clock.now().timestamp())
    if wait > 0:
        after_this_request(lambda response: _retry_after(response, wait))
        raise TooManyRequests(retry_after=wait)


def _retry_after(response: Response, seconds: int) -> Response:
    response.headers["Retry-After"] = str(seconds)
    return response


def _count_password(username: str, response: Response) -> Response:
    storage = limiter.storage
    if _wrong_password(response):
        failures = storage.incr(_key("failures", username), _FAILURES_KEPT_SECONDS)
        after = int(current_app.config["PASSWORD_DELAY_AFTER"])
        if failures >= after:
            cap = int(current_app.config["PASSWORD_DELAY_MAX_SECONDS"])
            wait = min(2 ** (failures - after), cap)
            until = int(clock.now().timestamp()) + wait
            storage.clear(_key("locked-until", username))
            storage.incr(_key("locked-until", username), cap + 60, amount=until)
    elif response.status_code < 400:  # logged in: the failures in a row start over
        storage.clear(_key("failures", username))
        storage.clear(_key("locked-until", username))
    return response


def _key(kind: str, username: str) -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}/password-delay/{kind}/{username}"


# --- Second-factor codes and pairing codes ---------------------------------------------

# The session key of a sign-in waiting for its second step (desk/views.py).
PENDING_SIGN_IN = "waitroom.pending_sign_in"


def code_guesses(view: View) -> View:
    """Count the wrong second-factor codes: per address (with the passwords' budget's
    limit) and per account waiting for its second step."""
    return _shared(
        view,
        scope="code-guesses",
        per_address="PASSWORD_GUESSES_PER_ADDRESS",
        per_account="CODE_GUESSES_PER_ACCOUNT",
        account=lambda: f"user:{(session.get(PENDING_SIGN_IN) or {}).get('user', '')}",
        failed=_wrong_password,
    )


def pairing_guesses(view: View) -> View:
    """Count the pairing codes an administrator's console is sent that no screen shows."""
    return _shared(
        view,
        scope="pairing-guesses",
        per_address="PAIRING_GUESSES_PER_ADDRESS",
        per_account="PAIRING_GUESSES_PER_SITE",
        account=lambda: f"site:{request.args.get('site', '')}",
        failed=lambda response: response.status_code == 404,
    )


# --- Appointments ---------------------------------------------------------------------


def appointment_guesses(view: View) -> View:
    """Count the appointments a kiosk route is sent that are not found."""
    return _shared(
        view,
        scope="appointment-guesses",
        per_address="APPOINTMENT_GUESSES_PER_ADDRESS",
        per_account="APPOINTMENT_GUESSES_PER_SITE",
        account=lambda: f"site:{(request.view_args or {}).get('site', '')}",
        failed=_appointment_not_found,
    )


def _appointment_not_found(response: Response) -> bool:
    if response.status_code != 404 or not response.is_json:
        return False
    body = response.get_json(silent=True) or {}
    return bool(body.get("error", {}).get("code") == "appointment_not_found")


def arrival_guesses(view: View) -> View:
    """Count the numbers the kiosk's "I joined online" is sent that mark no ticket
    arrived: whatever the reason, a refusal is a guess (a ticket number found but not
    remote, or here already, is as much a probe as one not found)."""
    return _shared(
        view,
        scope="arrival-guesses",
        per_address="ARRIVAL_GUESSES_PER_ADDRESS",
        per_account="ARRIVAL_GUESSES_PER_SITE",
        account=lambda: f"site:{(request.view_args or {}).get('site', '')}",
        failed=_arrival_refused,
    )


def _arrival_refused(response: Response) -> bool:
    return response.status_code in (400, 404, 409, 422)


# --- Both -----------------------------------------------------------------------------


def _shared(
    view: View,
    *,
    scope: str,
    per_address: str,
    per_account: str,
    account: Callable[[], str],
    failed: Callable[[Response], bool],
) -> View:
    """Two limits shared by `scope` across routes, spent only by failed guesses."""

    def setting(name: str) -> Callable[[], str]:
        return lambda: str(current_app.config[name])

    by_address = limiter.shared_limit(
        setting(per_address),
        scope=scope,
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=failed,
    )
    by_account = limiter.shared_limit(
        setting(per_account),
        scope=f"{scope}-per-account",
        key_func=account,
        methods=["POST"],
        deduct_when=failed,
    )
    return cast(View, by_address(by_account(view)))
