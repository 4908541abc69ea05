"""Staff login with Flask-Login; who may act on which site."""

from __future__ import annotations

import secrets

from flask import Flask, session
from flask_login import current_user, login_user, logout_user

from server.domain.errors import DomainError
from server.extensions import db, login_manager
from server.realtime import publish
from server.storage import queries
from server.storage.models import Site, User

LOGIN_ID = "waitroom.login"


class NotLoggedIn(DomainError):
    code = "login_required"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


def init_login(app: Flask) -> None:
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    @login_manager.unauthorized_handler
    def unauthorized() -> None:
        raise NotLoggedIn("Please log in as staff.")


def start_session(user: User) -> None:
    """Log in with a fresh session, so a session fixed before login is worth nothing."""
    session.clear()
    session.permanent = True  # PERMANENT_SESSION_LIFETIME is the idle timeout
    session[LOGIN_ID] = secrets.token_urlsafe(16)
    login_user(user)


def end_session() -> None:
    """Log out, and end the staff sockets opened under this login too."""
    login = session.get(LOGIN_ID)
    logout_user()
    session.clear()
    if login:
        publish.disconnect_login(login)


def login_id() -> str:
    return str(session.get(LOGIN_ID, ""))


def staff_for(site_slug: str, *, admin: bool = False) -> tuple[User, Site]:
    """The logged-in user and the site, if the user may act there (and is an admin)."""
    if not current_user.is_authenticated:
        raise NotLoggedIn("Please log in as staff.")
    site = queries.get_site(site_slug)
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.may_use(site):
        raise Forbidden("Your account is not for this site.")
    if admin and user.role != "admin":
        raise Forbidden("Only an administrator may do this.")
    return user, site
