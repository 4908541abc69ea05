"""Languages: every word on every page goes through Babel's message catalogue.

There is one catalogue for every surface (translations/ at the top of the tree), so a
message id has exactly one translation per language wherever it is shown.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale
from flask import Flask, g, request
from flask_babel import get_locale
from flask_babel import gettext as _

from server.extensions import babel

CATALOGUE = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGE = "en"  # the language the messages are written in: it has no catalogue


def shipped_languages() -> list[str]:
    """The languages the product ships: English, then every language with a catalogue
    (translations/CODE/LC_MESSAGES/messages.po), so adding one is adding its catalogue.

    Codes are Babel's and the browser's alike (`zh` is Simplified Chinese: CLDR's `zh`
    is written in Han Simplified), so Intl, speech voices and `lang=` take them as they are.
    """
    codes = sorted(path.parent.parent.name for path in CATALOGUE.glob("*/LC_MESSAGES/*.po"))
    return [DEFAULT_LANGUAGE, *codes]


def own_name(language: str) -> str:
    """A language in its own name and script ("Español", "中文", "العربية"), for choosers."""
    name = Locale.parse(language).display_name or language
    return name[:1].upper() + name[1:]


def text_direction(language: str) -> str:
    """`rtl` for a language written right to left (Arabic), else `ltr`."""
    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


# Languages with catalogues, each in its own name. A site offers a subset (its `languages`).
LANGUAGES = {code: own_name(code) for code in shipped_languages()}


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CATALOGUE))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES

    @app.context_processor
    def _page_language() -> dict[str, str]:
        language = str(get_locale() or DEFAULT_LANGUAGE)
        return {"page_language": language, "page_direction": text_direction(language)}


def use_language(language: str | None) -> None:
    """Pin this request's language, e.g. to the language a ticket was issued in."""
    if language in LANGUAGES:
        g.waitroom_language = language


def select_language() -> str:
    """The page's own choice first, then ?lang=, then the browser's preference."""
    chosen = g.get("waitroom_language")
    if chosen:
        return str(chosen)
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def text_me_texts() -> dict[str, str]:
    """The words of "Text me when it's my turn" (static/js/lib/text-me.js), the same on
    the phone page and the kiosk's ticket screen."""
    return {
        "texts_invalid": _("This is not a phone number we can text. Check it and try again."),
        "texts_consent": _("Tick the box to agree to receive text messages."),
        "texts_failed": _("We could not turn on texts. Please try again, or see the front desk."),
        # {digits}: the last two digits of the number, all the page ever shows of it.
        "texts_on": _("Texts are on: we will text the number ending in {digits}."),
        "texts_on_short": _("Texts are on."),
    }
