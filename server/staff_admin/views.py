"""The console's staff accounts (/admin/staff), the administrator's own second factor
(/admin/staff/second-factor), and screen pairing (/admin/devices). Admins only.

Forms post back to the page, which shows the result (a temporary password is shown
once, in that answer, and never again) or the refusal naming the field.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from server import auth, guesses, services
from server.domain.errors import DomainError
from server.domain.staff import RESET_LINK_LIFETIME, Role
from server.qr import qr_svg
from server.staff_admin import bp
from server.storage.models import Site, User


@bp.route("/admin/staff", methods=["GET", "POST"])
def staff_page() -> Any:
    user, site = _admin()
    shown: dict[str, Any] = {}
    if request.method == "POST":
        shown = _staff_action(user)
    return _staff_view(user, site, **shown)


@bp.route("/admin/staff/second-factor", methods=["GET", "POST"])
def second_factor_page() -> Any:
    """The administrator's own authenticator app: a QR code, then a code to confirm."""
    user, site = _admin()
    if request.method == "GET":
        return render_template("staff_admin/second_factor.html", user=user, site=site)
    if request.form.get("action") == "start":
        uri = services.start_enrolment(user)
        qr = base64.b64encode(qr_svg(uri).encode()).decode()
        return render_template(
            "staff_admin/second_factor.html", user=user, site=site, qr=qr, key=user.totp_secret
        )
    codes = services.confirm_enrolment(user, request.form.get("code", ""), request.remote_addr)
    return render_template(
        "staff_admin/second_factor.html", user=user, site=site, recovery_codes=codes
    )


@bp.get("/admin/devices")
def devices_page() -> Any:
    _user, site = _admin()
    return _devices_view(site)


@bp.post("/admin/devices/pair")
@guesses.pairing_guesses
def pair_device() -> Any:
    user, site = _admin()
    code, device = request.form.get("code", "")[:16], request.form.get("device", "")[:64]
    try:
        paired = services.pair_screen(site.slug, code, device, _actor(user))
    except DomainError as error:
        return _devices_view(site, error=error.message, code=code), error.status
    message = gettext("The screen is now %(name)s.", name=paired.name)
    return _devices_view(site, message=message)


@bp.post("/admin/devices/screens/<int:screen_id>/unpair")
def unpair_device(screen_id: int) -> Any:
    user, site = _admin()
    services.unpair_screen(site.slug, screen_id, _actor(user))
    return _devices_view(site, message=gettext("The screen is unpaired."))


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> Any:
    """Not signed in: the login page; not an admin: a plain refusal."""
    if isinstance(error, auth.NotLoggedIn):
        return redirect(url_for("desk.login", next=request.full_path.rstrip("?")))
    if isinstance(error, auth.Forbidden):
        return render_template("staff_admin/refused.html", message=error.message), 403
    try:
        user, site = _admin()
    except DomainError:  # e.g. ?site= names no site
        return render_template("staff_admin/refused.html", message=error.message), error.status
    if request.endpoint == "staff_admin.second_factor_page":
        return render_template(
            "staff_admin/second_factor.html", user=user, site=site, error=error.message
        ), error.status
    return _staff_view(user, site, error=error.message), error.status


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError) -> Any:
    return render_template(
        "staff_admin/refused.html", message=gettext("The form had expired. Please try again.")
    ), 400


def _staff_action(user: User) -> dict[str, Any]:
    """Do what the form asked; returns what the page shows about it."""
    form = request.form
    action, username = form.get("action", ""), form.get("username", "").strip()[:64]
    allowed = services.admin_sites(user)  # whose accounts this administrator manages
    actor = _actor(user)
    if action == "create":
        made = services.create_account(
            username, form.get("role", ""), form.getlist("sites"), actor=actor, allowed=allowed
        )
        return {"temporary": made}
    if action in ("change", "site_role"):
        if action == "change":
            sites = form.getlist("sites")
            services.change_account(
                username, form.get("role", ""), sites, actor=actor, allowed=allowed
            )
        else:  # the role on one site, "" for the account's own
            site, role = form.get("site", ""), form.get("role", "")
            services.set_site_role(username, site, role, actor=actor, allowed=allowed)
        return {"message": gettext("%(name)s is changed.", name=username)}
    if action in ("reset", "reset_link"):
        return _new_password_for(username, action, actor, allowed)
    if action in ("disable", "enable"):
        services.set_account_active(username, action == "enable", actor=actor, allowed=allowed)
        if action == "disable":
            return {"message": gettext("%(name)s is disabled.", name=username)}
        return {"message": gettext("%(name)s is enabled.", name=username)}
    if action == "remove_second_factor":
        services.remove_second_factor_of(username, actor=actor, allowed=allowed)
        return {"message": gettext("%(name)s signs in with a password alone.", name=username)}
    raise DomainError("action: not one this page offers.", code="bad_action")


def _new_password_for(
    username: str, action: str, actor: services.Actor, allowed: list[str]
) -> dict[str, Any]:
    """A temporary password, or a one-time link to choose one: shown once."""
    if action == "reset":
        return {"temporary": services.reset_password(username, actor=actor, allowed=allowed)}
    link = services.make_reset_link(username, actor=actor, allowed=allowed)
    url = url_for("desk.reset_password", token=link.token, _external=True)
    return {"reset_link": link, "reset_url": url}


def _staff_view(user: User, site: Site, **shown: Any) -> Any:
    return render_template(
        "staff_admin/staff.html",
        user=user,
        site=site,
        accounts=services.accounts_of(services.admin_sites(user)),
        roles=[role.value for role in Role],
        role_names=_role_names(),
        sites=[s for s in user.sites if s.slug in services.admin_sites(user)],
        reset_hours=int(RESET_LINK_LIFETIME.total_seconds() // 3600),
        **shown,
    )


def _devices_view(site: Site, **shown: Any) -> Any:
    return render_template(
        "staff_admin/devices.html",
        site=site,
        devices=services.paired_screens(site.slug),
        kind_names={"kiosk": gettext("kiosk"), "display": gettext("display")},
        **shown,
    )


def _role_names() -> dict[str, str]:
    names = {
        Role.STAFF: gettext("Front-desk staff"),
        Role.MANAGER: gettext("Manager"),
        Role.ADMIN: gettext("Administrator"),
    }
    return {role.value: names.get(role, role.value) for role in Role}


def _admin() -> tuple[User, Site]:
    """The signed-in administrator and the site (?site=, else their first)."""
    if not current_user.is_authenticated:
        raise auth.NotLoggedIn("Please log in as staff.")
    slug = request.args.get("site") or (current_user.sites[0].slug if current_user.sites else "")
    return auth.staff_for(slug, admin=True)


def _actor(user: User) -> services.Actor:
    return services.Actor.staff(user, request.remote_addr)
