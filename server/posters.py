"""The printed posters, drawn: an A4 page of HTML with a large QR code and few words, in
each of the site's languages (the first one largest). The admin console serves them
(server/admin/posters.py) and `waitroom poster` writes them to a file (server/cli.py).

What each poster says and links to comes from services/posters.py; the addresses are
made here, at the address phones reach us at (server/qr.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from server.i18n import LANGUAGES, text_direction
from server.qr import public_base_url, qr_svg, short_link
from server.web import ROOT

KINDS = ("join", "arrival")
POSTER_CSS = ROOT / "static" / "css" / "poster.css"


def join_link(facts: dict[str, Any]) -> str:
    path = url_for("phone.join_page", site=facts["slug"])
    return public_base_url(facts["public_url"]) + path[len(request.script_root) :]


def arrival_link(facts: dict[str, Any]) -> str:
    path = url_for("phone.arrival_page", site=facts["slug"], key=facts["key"])
    return public_base_url(facts["public_url"]) + path[len(request.script_root) :]


def link_of(kind: str, facts: dict[str, Any]) -> str:
    return join_link(facts) if kind == "join" else arrival_link(facts)


def poster_html(
    kind: str, facts: dict[str, Any], *, first: str | None = None, standalone: bool = False
) -> str:
    """The poster as a page, its words in the site's languages (`first` largest, else
    the site's first). `standalone`: its style inside it (a file to print from
    anywhere); else the page links the server's style sheet."""
    link = link_of(kind, facts)
    languages = [code for code in facts["languages"] if code in LANGUAGES] or ["en"]
    if first in languages:
        languages = [first, *(code for code in languages if code != first)]
    blocks = []
    for language in languages:
        with force_locale(language):
            blocks.append(
                {
                    "lang": language,
                    "dir": text_direction(language),
                    "print": _("Print"),
                    **(_join_words() if kind == "join" else _arrival_words(facts)),
                }
            )
    return render_template(
        "posters/poster.html",
        kind=kind,
        site=facts,
        first=blocks[0],
        others=blocks[1:],
        qr=scalable(qr_svg(link)),
        link=link,
        # The join page's address, to type; the arrival link holds a key: not printed.
        short_link=short_link(link) if kind == "join" else None,
        code=facts.get("code"),
        css=POSTER_CSS.read_text(encoding="utf-8") if standalone else None,
        page_language=languages[0],
        page_direction=text_direction(languages[0]),
    )


def _join_words() -> dict[str, str]:
    return {
        "title": _("Join the line from your phone"),
        "scan": _("Scan the code with your phone's camera."),
        "type": _("Or type this address:"),
        "alt": _("QR code that opens the page to join the line"),
    }


def _arrival_words(facts: dict[str, Any]) -> dict[str, str]:
    return {
        "title": _("Joined the line online? Tell us you are here"),
        "scan": _("Scan the code with the phone that has your ticket."),
        "type": _("Or type this code on your ticket page:"),
        "day": _("Code for %(day)s", day=format_date(facts["day"], "full")),
        "changes": _("The code changes every day. The screen shows today's code."),
        "alt": _("QR code that tells us you are here"),
    }


def scalable(svg: str) -> str:
    """The QR code's SVG without its fixed size in millimetres: the poster's style sheet
    makes it as large as the page allows."""
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)


def write_poster(kind: str, facts: dict[str, Any], output: Path, first: str | None = None) -> None:
    """`.html`: the poster, to print; `.svg`: only its QR code, for a poster of one's own."""
    if output.suffix.lower() == ".svg":
        output.write_text(qr_svg(link_of(kind, facts)), encoding="utf-8")
        return
    output.write_text(poster_html(kind, facts, first=first, standalone=True), encoding="utf-8")
