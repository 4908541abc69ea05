"""The waiting-room display: a TV that nobody touches, at /display.

The page is rendered once; everything after that arrives over its socket. The server
hands the page its names and words here, in the page's language, and the spoken
phrase in every language of the site.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import Locale
from flask import render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext, ngettext

from display import bp
from server import screens, services
from server.domain.errors import DomainError
from server.i18n import LANGUAGES, use_language

MAX_SERVICES_ARG = 32


@bp.get("/display")
def display_page() -> Any:
    """The display, as ?device=, or as the device this browser was paired with; a new
    screen shows a pairing code and becomes its device once paired, without a reload."""
    site, device = request.args.get("site"), request.args.get("device") or None
    pairing = None
    if device is None and screens.pairing_on():
        screen = screens.screen_of_browser("display")
        if screen.device is not None:
            site, device = screen.device.site.slug, screen.device.code
        else:
            pairing = screens.pairing_config(screen, "display")
    setup = services.display_setup(
        site or services.sole_site(), device=device, services=_services_arg()
    )
    # Unless ?lang= says, the page is in its first display language.
    language = _page_language([*setup["display_languages"], *setup["site"]["languages"]])
    use_language(language)
    shown_in = _display_languages(language, setup["display_languages"])
    config = {
        **setup,
        "language": language,
        "display_languages": shown_in,
        "strings": _strings(),
        "speech": _speech(shown_in),
        "chime": url_for("static", filename="sounds/chime.wav"),
        "pairing": pairing,
        "statements": services.statements_for_display(setup["site"]["slug"]),
    }
    return render_template("display/display.html", config=config, site=setup["site"])


@bp.errorhandler(DomainError)
def display_error(error: DomainError) -> Any:
    """A display set up wrongly says what is wrong, on the screen, in plain words."""
    return render_template("display/error.html", message=error.message), error.status


def _services_arg() -> list[str] | None:
    """?services=B,V -> ["B", "V"]; empty items are ignored."""
    raw = request.args.get("services", "")[:MAX_SERVICES_ARG]
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    return keys or None


def _page_language(site_languages: list[str]) -> str:
    """?lang= if the site offers it, else the first of these we can show."""
    asked = request.args.get("lang")
    offered = [lang for lang in site_languages if lang in LANGUAGES]
    if asked in offered:
        return str(asked)
    return offered[0] if offered else "en"


def _display_languages(page_language: str, site_display_languages: list[str]) -> list[str]:
    """The page's language first, then the site's other display languages: what the
    display shows names and reasons in, and says each call in."""
    return [page_language, *(lang for lang in site_display_languages if lang != page_language)]


def _strings() -> dict[str, str]:
    """The words display.js puts on the screen, already in the page's language."""
    return {
        # Every plural form of the language, by CLDR category ("one", "few", "many"...);
        # display.js picks one with Intl.PluralRules, which names the same categories.
        "waiting": _plural_forms(
            lambda n: ngettext("%(count)s waiting", "%(count)s waiting", n, count="{count}")
        ),
        "no_wait": gettext("No wait"),
        "about_minutes": gettext("about %(minutes)s min", minutes="{minutes}"),
        "recall": gettext("Called again"),
        "nobody_called": gettext("Nobody has been called yet"),
        "notice_site": gettext("Delays for all"),
        "notice_service": gettext("Delay for %(target)s", target="{target}"),
        "notice_room": gettext("Delay in %(target)s", target="{target}"),
        "notice_extra": gettext("About %(minutes)s min longer", minutes="{minutes}"),
        "notice_note": gettext("Note from the clinic: “%(note)s”", note="{note}"),
        "sound_blocked": gettext("The browser blocked sound: press Enable sound"),
        # A list longer than the screen shows its pages in turn: "2 of 3".
        "page_of": gettext("%(page)s of %(pages)s", page="{page}", pages="{pages}"),
        "pairing_expires": gettext("This code changes in %(minutes)s min.", minutes="{minutes}"),
        # The corner's heading: delays, or "You said, we did" statements (issue 18).
        "delays": gettext("Delays"),
        "you_said": gettext("You said, we did"),
    }


def _speech(site_languages: list[str]) -> dict[str, str]:
    """'Ticket {number}, please go to {room}' in each of these languages we can say.

    Formatted with placeholders the page fills in, so one phrase serves every call.
    """
    phrases = {}
    for language in site_languages:
        if language not in LANGUAGES:
            continue
        with force_locale(language):
            phrases[language] = gettext(
                "Ticket %(number)s, please go to %(room)s.", number="{number}", room="{room}"
            )
    return phrases


def _plural_forms(say: Callable[[int], str]) -> dict[str, str]:
    """`say(n)` for one number of each plural category of the page's language (Polish
    has "one", "few" and "many"; Arabic six), as Babel's CLDR rules sort them."""
    rule = Locale.parse(str(get_locale() or "en")).plural_form
    forms: dict[str, str] = {}
    for number in range(200):  # every category has a number below 200
        forms.setdefault(rule(number), say(number))
    return forms
