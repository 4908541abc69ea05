"""Staff login with Flask-Login; who may act on which site."""

from __future__ import annotations

from flask import Flask, Request, g, request, session
from flask_login import current_user, logout_user

from server import services
from server.domain.errors import DomainError
from server.extensions import login_manager
from server.services.staff_sessions import StaffLogin
from server.storage import queries
from server.storage.models import Site, User

# The one thing a staff cookie carries: the token of a session kept on the server
# (services/staff_sessions.py), looked up on every use.
SESSION_KEY = "waitroom.session"


class NotLoggedIn(DomainError):
    code = "login_required"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


def init_login(app: Flask) -> None:
    # Flask-Login's session protection only marks a permanent session "not fresh",
    # which nothing here reads; a session is ended on the server instead.
    login_manager.session_protection = None

    @login_manager.request_loader
    def load_user(_request: Request) -> User | None:
        login = _staff_session()
        return login.user if login is not None else None

    @login_manager.unauthorized_handler
    def unauthorized() -> None:
        raise NotLoggedIn("Please log in as staff.")


def start_session(user: User, **how: str) -> None:
    """Log in with a fresh session, so a session fixed before login is worth nothing.
    A login this browser still held ends: one browser, one session. `how` is audited."""
    if isinstance(earlier := session.get(SESSION_KEY), str):
        services.end_staff_session(earlier, request.remote_addr)
    session.clear()
    session.permanent = True  # the cookie lasts the idle time; the server decides, though
    session[SESSION_KEY] = services.start_staff_session(user, request.remote_addr, **how)
    g.pop("waitroom_staff_session", None)


def end_session() -> None:
    """Log out: end the session on the server, and its staff sockets on every process."""
    token = session.get(SESSION_KEY)
    logout_user()
    session.clear()
    g.pop("waitroom_staff_session", None)
    if isinstance(token, str):
        services.end_staff_session(token, request.remote_addr)


def login_id() -> str:
    """The room key of this session's staff sockets (rooms.login_room)."""
    login = _staff_session()
    return str(login.id) if login is not None else ""


def _staff_session() -> StaffLogin | None:
    """This request's live staff session, looked up once per request (or socket event)."""
    if "waitroom_staff_session" not in g:
        token = session.get(SESSION_KEY)
        live = services.staff_session_in_use(token) if isinstance(token, str) else None
        g.waitroom_staff_session = live
    login: StaffLogin | None = g.waitroom_staff_session
    return login


def staff_for(site_slug: str, *, admin: bool = False) -> tuple[User, Site]:
    """The logged-in user and the site, if the user may act there (and is an admin)."""
    if not current_user.is_authenticated:
        raise NotLoggedIn("Please log in as staff.")
    site = queries.get_site(site_slug)
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.may_use(site):
        raise Forbidden("Your account is not for this site.")
    role = user.role_on(site)  # an account's role may differ per site
    if role == "manager":  # reports and feedback, no desk
        raise Forbidden("A manager's account reads the reports; it has no desk.")
    if admin and role != "admin":
        raise Forbidden("Only an administrator may do this.")
    return user, site


# Who reads patients' feedback (free text may hold health details) and the reports:
# the site's managers and administrators, not the desk.
FEEDBACK_ROLES = frozenset({"admin", "manager"})


def may_read_feedback(user: User, site: Site) -> bool:
    return user.role_on(site) in FEEDBACK_ROLES


def feedback_staff_for(site_slug: str) -> tuple[User, Site]:
    """The logged-in user and the site, if the user may read and work its feedback."""
    user, site = _signed_in_for(site_slug)
    if not may_read_feedback(user, site):
        raise Forbidden("Only a manager or an administrator may read feedback.")
    return user, site


def poster_staff_for(site_slug: str) -> tuple[User, Site]:
    """The logged-in user and the site, if the user may print its posters: its managers
    and administrators (replacing the arrival poster's key is the administrators')."""
    user, site = _signed_in_for(site_slug)
    if user.role_on(site) not in FEEDBACK_ROLES:
        raise Forbidden("Only a manager or an administrator may print the posters.")
    return user, site


def _signed_in_for(site_slug: str) -> tuple[User, Site]:
    if not current_user.is_authenticated:
        raise NotLoggedIn("Please log in as staff.")
    site = queries.get_site(site_slug)
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not user.may_use(site):
        raise Forbidden("Your account is not for this site.")
    return user, site


def can_read_reports(user: User, site: Site) -> bool:
    """The site's managers and administrators read its reports; the desk does not."""
    return may_read_feedback(user, site)


def reporter_for(site_slug: str) -> tuple[User, Site]:
    """The logged-in user and the site, if the user may read the site's reports."""
    if not current_user.is_authenticated:
        raise NotLoggedIn("Please log in as staff.")
    site = queries.get_site(site_slug)
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not can_read_reports(user, site):
        raise Forbidden("Only the site's managers and administrators read its reports.")
    return user, site
