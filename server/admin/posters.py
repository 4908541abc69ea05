"""The console's posters page, /admin/<site>/posters: print the join poster and the
arrival poster (managers and administrators), replace the arrival poster's key
(administrators). The posters themselves are drawn by server/posters.py."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from server import auth, posters, services
from server.admin import bp
from server.admin.pages import PAGES
from server.services import posters as poster_facts


@bp.get("/admin/<site>/posters")
def posters_page(site: str) -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.path))
    user, place = auth.poster_staff_for(site)
    return render_template(
        "admin/posters.html",
        site=place,
        page="posters",
        pages=PAGES,
        is_admin=user.role_on(place) == "admin",
        key_made=poster_facts.poster_key_made_on(place.slug),
        remote=poster_facts.join_poster(place.slug)["remote"],
        languages=place.languages,
    )


@bp.get("/admin/<site>/posters/<kind>")
def poster(site: str, kind: str) -> Any:
    """The poster to print; the arrival poster's key is made the first time."""
    if kind not in posters.KINDS:
        abort(404)
    if not current_user.is_authenticated:
        return redirect(url_for("desk.login", next=request.path))
    user, place = auth.poster_staff_for(site)
    if kind == "join":
        facts = poster_facts.join_poster(place.slug)
    else:
        actor = services.Actor.staff(user, request.remote_addr)
        facts = poster_facts.arrival_poster(place.slug, actor=actor)
    # The arrival poster's address holds its key: no cache keeps it, no Referer sends it.
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    # ?lang=es: Spanish first and largest (the site's other languages below).
    html = posters.poster_html(kind, facts, first=request.args.get("lang"))
    return html, 200, headers


@bp.post("/admin/<site>/posters/key")
def replace_poster_key(site: str) -> Any:
    user, place = auth.staff_for(site, admin=True)
    actor = services.Actor.staff(user, request.remote_addr)
    poster_facts.replace_poster_key(place.slug, actor=actor)
    flash(gettext("A new key: print the arrival poster again. The old posters no longer work."))
    return redirect(url_for("admin.posters_page", site=place.slug))
