"""The admin console's pages. Each reads its form into a part of the site file and hands
it to services/site_admin.py; a refusal is shown on the same page with the field at
fault, and nothing is saved."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import FileStorage

from server import auth, services
from server.admin import bp, forms
from server.admin.pages import PAGES
from server.domain.errors import DomainError
from server.domain.feedback import SITE_QUESTION_MAX_LENGTH
from server.domain.schedule import WEEKDAYS
from server.i18n import LANGUAGES
from server.services import site_admin
from server.services.sites import AppointmentFileError
from server.storage.models import Site

MAX_MAP_UPLOAD = 30 * 1024 * 1024  # the [map] text and a few floor pictures of 5 MB


@bp.get("/admin")
def home() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.path))
    sites = [s for s in current_user.sites if current_user.role_on(s) == "admin"]
    if not sites:
        raise auth.Forbidden(gettext("Only an administrator may use the console."))
    return redirect(url_for("admin.site_page", site=sites[0].slug))


@bp.route("/admin/<site>", methods=["GET", "POST"])
def site_page(site: str) -> Any:
    return _edit_page(
        site,
        "site",
        "site",
        lambda: forms.site_part(request.form, site_admin.console_parts(site)["site"]),
    )


@bp.post("/admin/<site>/delay-reasons")
def delay_reasons(site: str) -> Any:
    return _edit_page(
        site, "site", "delay_reasons", lambda: forms.named_rows(request.form, "reason")
    )


@bp.post("/admin/<site>/feedback-question")
def feedback_question(site: str) -> Any:
    return _edit_page(
        site, "site", "feedback_question", lambda: forms.feedback_question(request.form)
    )


@bp.post("/admin/<site>/closures")
def closures(site: str) -> Any:
    return _edit_page(site, "site", "closures", lambda: forms.closures(request.form))


@bp.route("/admin/<site>/services", methods=["GET", "POST"])
def services_page(site: str) -> Any:
    return _edit_page(
        site, "services", "services", lambda: forms.named_rows(request.form, "service")
    )


@bp.route("/admin/<site>/rooms", methods=["GET", "POST"])
def rooms_page(site: str) -> Any:
    return _edit_page(site, "rooms", "rooms", lambda: forms.named_rows(request.form, "room"))


@bp.get("/admin/<site>/screens")
def screens_page(site: str) -> Any:
    return _edit_page(site, "screens", "kiosks", list)


@bp.post("/admin/<site>/screens/<kind>")
def screens(site: str, kind: str) -> Any:
    part = {"kiosk": "kiosks", "display": "displays"}.get(kind)
    if part is None:
        return redirect(url_for("admin.screens_page", site=site))
    return _edit_page(site, "screens", part, lambda: forms.devices(request.form, kind))


def _edit_page(slug: str, page: str, part: str, read: Any) -> Any:
    """GET: the page. POST: save the part read from the form, then show the page again
    (after a redirect), or show the refusal on it."""
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.path))
    user, site = auth.staff_for(slug, admin=True)
    if request.method == "GET":
        return _page(site, page)
    actor = services.Actor.staff(user, request.remote_addr)
    sent = read()
    try:
        site_admin.edit_site(site.slug, part, sent, actor=actor)
    except site_admin.SiteEditRefused as error:
        return _page(site, page, error=error.message, sent=(part, sent)), error.status
    flash(gettext("Saved. Every screen of the site shows it now."))
    return redirect(url_for(PAGES[page].endpoint, site=site.slug))


def _page(site: Site, page: str, sent: tuple[str, Any] | None = None, **extra: Any) -> str:
    data = site_admin.console_parts(site.slug)
    if sent is not None:  # a refused form is shown again as it was filled in, to mend
        _show_as_sent(data, *sent)
    return render_template(
        f"admin/{page}.html",
        site=site,
        page=page,
        pages=PAGES,
        data=data,
        name_languages=_name_languages(data["site"]["languages"]),
        weekdays=WEEKDAYS,
        numbers=forms.SITE_NUMBERS,
        question_max=SITE_QUESTION_MAX_LENGTH,
        **extra,
    )


def _show_as_sent(data: dict[str, Any], part: str, sent: Any) -> None:
    if part == "site":
        data["site"] = {**sent, "slug": data["site"]["slug"]}
        return
    if part == "feedback_question":
        data[part] = sent or {"text": {}}
        return
    data[part] = [item for item in sent if item.get("active", True)]
    data[f"inactive_{part}"] = [item for item in sent if not item.get("active", True)]


def _name_languages(languages: list[str]) -> list[str]:
    """Names are asked in the site's languages and every language the screens speak,
    so a language's names can be written before the site takes it up."""
    return [*languages, *(lang for lang in LANGUAGES if lang not in languages)]


# --- The map ------------------------------------------------------------------------


@bp.url_value_preprocessor
def _room_for_floor_pictures(endpoint: str | None, _values: Any) -> None:
    """Floor pictures are larger than any other body the server takes. Set before the
    CSRF check (a before_request function) reads the form."""
    if endpoint == "admin.map_page":
        request.max_content_length = MAX_MAP_UPLOAD


@bp.route("/admin/<site>/map", methods=["GET", "POST"])
def map_page(site: str) -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.path))
    user, place = auth.staff_for(site, admin=True)
    if request.method == "GET":
        return _page(place, "map", map_text=_map_text(place))
    text = _uploaded_text(request.files.get("map_file")) or request.form.get("map_text", "")
    images = {
        upload.filename: upload.read()
        for upload in request.files.getlist("images")
        if upload.filename
    }
    try:
        if request.form.get("action") == "preview":
            route = site_admin.preview_route(
                place.slug,
                text,
                images,
                from_=request.form.get("from") or None,
                to=request.form.get("to", ""),
                mode=request.form.get("mode") or None,
                language=request.form.get("language") or None,
            )
            return _page(place, "map", map_text=text, route=route)
        actor = services.Actor.staff(user, request.remote_addr)
        site_admin.replace_map(place.slug, text, images, _plans_folder(), actor=actor)
    except DomainError as error:
        return _page(place, "map", map_text=text, error=error.message), error.status
    flash(gettext("Saved. Every screen of the site shows it now."))
    return redirect(url_for("admin.map_page", site=place.slug))


def _map_text(site: Site) -> str:
    """The saved [map], as TOML, to edit and upload again."""
    exported = site_admin.export_site(site.slug)
    start = exported.find("[map")
    return exported[start:] if start >= 0 else ""


def _uploaded_text(upload: FileStorage | None) -> str:
    if upload is None or not upload.filename:
        return ""
    return bytes(upload.read()).decode("utf-8", errors="replace")


def _plans_folder() -> Path:
    return Path(current_app.config["FLOOR_PLANS_DIR"])


# --- Appointments -------------------------------------------------------------------


@bp.route("/admin/<site>/appointments", methods=["GET", "POST"])
def appointments_page(site: str) -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.path))
    user, place = auth.staff_for(site, admin=True)
    if request.method == "GET":
        return _page(place, "appointments")
    day = _day(request.form.get("day", ""))
    upload = request.files.get("csv_file")
    try:
        if upload is not None and upload.filename:
            text = services.appointments_text(upload.read())
        else:
            text = request.form.get("csv_text", "")
        if request.form.get("action") != "import":
            preview = site_admin.preview_appointments(place.slug, text, day)
            return _page(place, "appointments", preview=preview, csv_text=text, day=day)
        actor = services.Actor.staff(user, request.remote_addr)
        result = services.import_appointments(place.slug, text, day, actor=actor)
    except (AppointmentFileError, DomainError) as error:
        return _page(place, "appointments", error=str(error)), 422
    flash(
        gettext(
            "%(created)s appointments added, %(updated)s updated.",
            created=result["created"],
            updated=result["updated"],
        )
    )
    return redirect(url_for("admin.appointments_page", site=place.slug))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- Export -------------------------------------------------------------------------


@bp.get("/admin/<site>/site.toml")
def export(site: str) -> Any:
    auth.staff_for(site, admin=True)
    text = site_admin.export_site(site)
    response = Response(text, mimetype="application/toml")
    response.headers["Content-Disposition"] = f'attachment; filename="{site}.toml"'
    return response


@bp.errorhandler(CSRFError)
def form_expired(_error: CSRFError) -> Any:
    """A form posted without its token (or from another site): nothing is saved."""
    message = gettext("The form had expired. Please try again.")
    return render_template("admin/refused.html", message=message), 400


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> Any:
    """Not signed in as an administrator of the site, or no such site."""
    return render_template("admin/refused.html", message=error.message), error.status
